public import AWSClients
public import InfraMonitorCore

/// The data bucket on S3: raw batches and quarantined lines.
///
/// S3's own notification triggers the log-processor; this adapter emits no event itself (see
/// ``SpoolingObjectStore`` for the command line's in-process processing).
public struct S3ObjectStore: ObjectStore {
    public let s3: S3Client
    public let bucket: String

    public init(s3: S3Client, bucket: String = ObjectKeys.bucket) {
        self.s3 = s3
        self.bucket = bucket
    }

    public func put(_ body: [UInt8], key: String) async throws {
        let type = key.hasSuffix(".gz") ? "application/gzip" : "application/x-ndjson"
        try await s3.putObject(bucket: bucket, key: key, body: body, contentType: type)
    }

    public func get(key: String) async throws -> [UInt8] {
        try await s3.getObject(bucket: bucket, key: key)
    }

    public func reader(key: String) async throws -> any ByteSource {
        BufferByteSource(try await get(key: key))
    }

    public func list(prefix: String) async throws -> [String] {
        try await s3.listAllObjects(bucket: bucket, prefix: prefix).map(\.key).sorted()
    }
}
