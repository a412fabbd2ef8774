public import InfraMonitorCore

/// An object store that never loses a batch: a put the bucket refuses (after the client's own
/// retries) is kept in the ``Spool`` and reported as ``AWSBackendError/spooled(key:spoolPath:reason:)``;
/// ``flush()`` uploads what the spool holds, keys unchanged.
public struct SpoolingObjectStore: ObjectStore {
    public let inner: any ObjectStore
    public let spool: Spool

    public init(inner: any ObjectStore, spool: Spool) {
        self.inner = inner
        self.spool = spool
    }

    public var bucket: String { inner.bucket }

    public func put(_ body: [UInt8], key: String) async throws {
        do {
            try await inner.put(body, key: key)
        } catch {
            try spool.store(body, key: key)
            throw AWSBackendError.spooled(key: key, spoolPath: spool.path(for: key), reason: "\(error)")
        }
        try? spool.remove(key: key)
    }

    public func get(key: String) async throws -> [UInt8] { try await inner.get(key: key) }

    public func reader(key: String) async throws -> any ByteSource { try await inner.reader(key: key) }

    public func list(prefix: String) async throws -> [String] { try await inner.list(prefix: prefix) }

    /// What ``flush()`` did.
    public struct FlushReport: Sendable, Hashable {
        /// The objects uploaded from the spool (and removed from it), as created-events.
        public var uploaded: [ObjectCreatedEvent]
        /// Keys still in the spool, with why they could not be uploaded.
        public var remaining: [String: String]
    }

    /// Uploads every spooled batch under its own key, oldest key first; the caller processes the
    /// uploaded raw batches as the bucket's notification would.
    public func flush() async throws -> FlushReport {
        var report = FlushReport(uploaded: [], remaining: [:])
        for key in try spool.pending() {
            let body = try spool.body(key: key)
            do {
                try await inner.put(body, key: key)
            } catch {
                report.remaining[key] = "\(error)"
                continue
            }
            try spool.remove(key: key)
            report.uploaded.append(ObjectCreatedEvent(bucket: bucket, key: key, size: body.count))
        }
        return report
    }
}
