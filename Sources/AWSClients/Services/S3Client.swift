import AWSSigner

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One object in a listing.
public struct S3Object: Sendable, Hashable {
    /// The key.
    public var key: String
    /// The size in bytes.
    public var size: Int
    /// The ETag, quotes included as S3 sends it.
    public var eTag: String?
    /// The `LastModified` timestamp as S3 sends it (ISO 8601).
    public var lastModified: String?

    /// An object from its parts.
    public init(key: String, size: Int, eTag: String? = nil, lastModified: String? = nil) {
        self.key = key
        self.size = size
        self.eTag = eTag
        self.lastModified = lastModified
    }
}

/// One page of `ListObjectsV2`.
public struct S3ListPage: Sendable, Hashable {
    /// The objects of this page, in key order.
    public var objects: [S3Object]
    /// The token for the next page; `nil` on the last page.
    public var nextContinuationToken: String?
}

/// A lifecycle rule: objects under `prefix` expire `expirationDays` after creation.
public struct S3LifecycleRule: Sendable, Hashable {
    /// The rule id.
    public var id: String
    /// The key prefix the rule applies to (`""` for the whole bucket).
    public var prefix: String
    /// Days until expiry.
    public var expirationDays: Int

    /// A rule from its parts.
    public init(id: String, prefix: String, expirationDays: Int) {
        self.id = id
        self.prefix = prefix
        self.expirationDays = expirationDays
    }
}

/// A key `DeleteObjects` could not delete.
public struct S3DeleteFailure: Sendable, Hashable {
    /// The key.
    public var key: String
    /// S3's error code.
    public var code: String
    /// S3's message.
    public var message: String
}

/// The S3 operations the pipeline uses, over REST-XML. With an endpoint override the client
/// addresses buckets path-style (`{endpoint}/{bucket}/{key}`), else virtual-host style.
public struct S3Client: Sendable {
    /// The request layer.
    public let client: AWSClient
    private let service = AWSService.s3

    /// A client over `client`.
    public init(client: AWSClient) { self.client = client }

    /// The URL of `key` in `bucket` (or of the bucket when `key` is empty), with `query`.
    public func url(bucket: String, key: String = "", query: [(String, String)] = []) -> URL {
        let encodedKey = Canonical.encode(key, keepSlash: true)
        if let endpoint = client.configuration.endpointURL {
            return client.makeURL(base: endpoint, path: "/\(bucket)" + (key.isEmpty ? "" : "/\(encodedKey)"), query: query)
        }
        let base = URL(string: "https://\(bucket).s3.\(client.configuration.region).amazonaws.com")!
        return client.makeURL(base: base, path: "/\(encodedKey)", query: query)
    }

    /// Stores `body` under `key`; returns the ETag.
    @discardableResult
    public func putObject(bucket: String, key: String, body: [UInt8], contentType: String? = nil) async throws -> String? {
        var headers: [(String, String)] = []
        if let contentType { headers.append(("content-type", contentType)) }
        let response = try await client.send(
            service,
            operation: "PutObject",
            method: "PUT",
            url: url(bucket: bucket, key: key),
            headers: headers,
            body: body
        )
        return response.header("etag")
    }

    /// The bytes of `key`; a missing key throws ``AWSError`` with code `NoSuchKey`.
    public func getObject(bucket: String, key: String) async throws -> [UInt8] {
        try await client.send(service, operation: "GetObject", method: "GET", url: url(bucket: bucket, key: key)).body
    }

    /// One page of keys under `prefix`, at most `maxKeys` (S3 caps pages at 1,000).
    public func listObjectsV2(
        bucket: String,
        prefix: String? = nil,
        continuationToken: String? = nil,
        maxKeys: Int? = nil
    ) async throws -> S3ListPage {
        var query: [(String, String)] = [("list-type", "2")]
        if let prefix { query.append(("prefix", prefix)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let response = try await client.send(service, operation: "ListObjectsV2", method: "GET", url: url(bucket: bucket, query: query))
        let xml = try XMLNode.parse(response.body)
        let objects = xml.children(named: "Contents").map {
            S3Object(
                key: $0.string("Key") ?? "",
                size: Int($0.string("Size") ?? "") ?? 0,
                eTag: $0.string("ETag"),
                lastModified: $0.string("LastModified")
            )
        }
        let truncated = xml.string("IsTruncated") == "true"
        return S3ListPage(objects: objects, nextContinuationToken: truncated ? xml.string("NextContinuationToken") : nil)
    }

    /// Every key under `prefix`, following continuation tokens.
    public func listAllObjects(bucket: String, prefix: String? = nil, pageSize: Int? = nil) async throws -> [S3Object] {
        var all: [S3Object] = []
        var token: String?
        repeat {
            let page = try await listObjectsV2(bucket: bucket, prefix: prefix, continuationToken: token, maxKeys: pageSize)
            all += page.objects
            token = page.nextContinuationToken
        } while token != nil
        return all
    }

    /// Deletes `keys` in requests of up to 1,000; returns the keys S3 reported it could not delete.
    @discardableResult
    public func deleteObjects(bucket: String, keys: [String]) async throws -> [S3DeleteFailure] {
        var failures: [S3DeleteFailure] = []
        for start in stride(from: 0, to: keys.count, by: 1000) {
            let chunk = keys[start..<min(keys.count, start + 1000)]
            let body =
                "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
                + chunk.map { "<Object><Key>\(XMLNode.escape($0))</Key></Object>" }.joined() + "</Delete>"
            let bytes = Array(body.utf8)
            let response = try await client.send(
                service,
                operation: "DeleteObjects",
                method: "POST",
                url: url(bucket: bucket, query: [("delete", "")]),
                headers: [("content-type", "application/xml"), ("content-md5", Self.contentMD5(bytes))],
                body: bytes
            )
            let xml = try XMLNode.parse(response.body)
            failures += xml.children(named: "Error").map {
                S3DeleteFailure(key: $0.string("Key") ?? "", code: $0.string("Code") ?? "", message: $0.string("Message") ?? "")
            }
        }
        return failures
    }

    /// Replaces the bucket's lifecycle configuration with `rules`.
    public func putBucketLifecycleConfiguration(bucket: String, rules: [S3LifecycleRule]) async throws {
        let body =
            "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + rules.map {
                "<Rule><ID>\(XMLNode.escape($0.id))</ID><Filter><Prefix>\(XMLNode.escape($0.prefix))</Prefix></Filter>"
                    + "<Status>Enabled</Status><Expiration><Days>\($0.expirationDays)</Days></Expiration></Rule>"
            }.joined() + "</LifecycleConfiguration>"
        let bytes = Array(body.utf8)
        _ = try await client.send(
            service,
            operation: "PutBucketLifecycleConfiguration",
            method: "PUT",
            url: url(bucket: bucket, query: [("lifecycle", "")]),
            headers: [("content-type", "application/xml"), ("content-md5", Self.contentMD5(bytes))],
            body: bytes
        )
    }

    /// The bucket's lifecycle rules (id, prefix, days).
    public func getBucketLifecycleConfiguration(bucket: String) async throws -> [S3LifecycleRule] {
        let response = try await client.send(
            service,
            operation: "GetBucketLifecycleConfiguration",
            method: "GET",
            url: url(bucket: bucket, query: [("lifecycle", "")])
        )
        return try XMLNode.parse(response.body).children(named: "Rule").map {
            S3LifecycleRule(
                id: $0.string("ID") ?? "",
                prefix: $0.string("Filter", "Prefix") ?? $0.string("Prefix") ?? "",
                expirationDays: Int($0.string("Expiration", "Days") ?? "") ?? 0
            )
        }
    }

    /// Creates `bucket` in the client's region.
    public func createBucket(bucket: String) async throws {
        let region = client.configuration.region
        let body =
            region == "us-east-1"
            ? ""
            : "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>"
        _ = try await client.send(service, operation: "CreateBucket", method: "PUT", url: url(bucket: bucket), body: Array(body.utf8))
    }

    /// Whether `bucket` exists and is reachable with these credentials.
    ///
    /// - Returns: `false` when S3 answers 404.
    /// - Throws: ``AWSError``; for a refusal (403), the error ListObjectsV2 gives on the same
    ///   bucket, whose body says why (a HEAD response has none).
    public func headBucket(bucket: String) async throws -> Bool {
        do {
            _ = try await client.send(service, operation: "HeadBucket", method: "HEAD", url: url(bucket: bucket))
            return true
        } catch let error as AWSError where error.status == 404 {
            return false
        } catch let error as AWSError where error.status == 403 && error.code == AWSError.forbiddenWithoutDetails {
            // A HEAD response has no body, so S3's reason (SignatureDoesNotMatch, InvalidAccessKeyId,
            // AccessDenied) is lost. ListObjectsV2 needs the same permission (s3:ListBucket) and
            // answers with an error body: ask it, and throw its error when it has one.
            _ = try await listObjectsV2(bucket: bucket, maxKeys: 0)
            throw error
        }
    }

    /// A presigned GET (or other method) URL for `key`, valid `expires` seconds.
    public func presignedURL(bucket: String, key: String, method: String = "GET", expires: Int = 3600) async throws -> URL {
        let credentials = try await client.configuration.credentialProvider.credentials()
        let signer = AWSSigner(credentials: credentials, service: service.signingName, region: client.configuration.region)
        return signer.signURL(url: url(bucket: bucket, key: key), method: method, expires: expires)
    }

    /// Base64 MD5 of `bytes`, the `Content-MD5` S3 requires on DeleteObjects and lifecycle PUTs.
    static func contentMD5(_ bytes: [UInt8]) -> String {
        AWSHashing.md5Base64(bytes)
    }
}
