import Crypto

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Signs HTTP requests with AWS Signature Version 4, in the `Authorization` header or as a
/// presigned query string.
///
/// The signer is a value: build one per service and region, and sign as many requests as you like
/// from any task. It knows nothing of HTTP clients; it reads a URL, a method, headers and a
/// payload, and returns the headers (or URL) to send.
public struct AWSSigner: Sendable {
    /// The algorithm name that starts the string to sign and the `Authorization` header.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The payload hash that tells S3 the body is not part of the signature (streaming uploads, presigned URLs).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// What the request's body contributes to the signature.
    public enum Payload: Sendable, Hashable {
        /// The body bytes; their SHA-256 is signed.
        case bytes([UInt8])
        /// A body whose SHA-256 the caller has already computed (hex, lowercase).
        case precomputedHash(String)
        /// `UNSIGNED-PAYLOAD`: S3 accepts a body that is not covered by the signature.
        case unsigned

        /// An empty body.
        public static let empty = Payload.bytes([])

        /// The value of `x-amz-content-sha256` and the last line of the canonical request.
        public var hash: String {
            switch self {
            case .bytes(let bytes): return SigningHash.sha256Hex(bytes)
            case .precomputedHash(let hash): return hash
            case .unsigned: return AWSSigner.unsignedPayload
            }
        }
    }

    /// The credentials signed with.
    public var credentials: AWSCredentials
    /// The signing name of the service, e.g. `s3`, `dynamodb`, `states`, `logs`.
    public var service: String
    /// The region, e.g. `eu-west-1`.
    public var region: String
    /// Header names (lowercase) left out of the signature: by default `authorization`,
    /// `content-length`, `expect` and `user-agent`, which clients and proxies set or change.
    public var unsignedHeaders: Set<String> = AWSSigner.defaultUnsignedHeaders

    /// The headers not signed unless a caller says otherwise.
    public static let defaultUnsignedHeaders: Set<String> = ["authorization", "content-length", "expect", "user-agent"]

    /// A signer for `service` in `region`.
    public init(credentials: AWSCredentials, service: String, region: String) {
        self.credentials = credentials
        self.service = service
        self.region = region
    }

    /// Whether the canonical URI encodes the path once (S3) instead of twice and leaves `.`/`..` alone.
    public var usesS3PathRules: Bool { service == "s3" || service == "s3-object-lambda" }

    /// The headers to send: `headers` plus `host`, `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` (with a session token) and `authorization`.
    ///
    /// - Parameters:
    ///   - url: The request URL, its path and query percent-encoded as they go on the wire.
    ///   - method: The HTTP method, e.g. `GET`.
    ///   - headers: The headers the request carries already (names in any case).
    ///   - body: The payload to cover, or `.unsigned`.
    ///   - date: The signing time; AWS rejects signatures more than 15 minutes off.
    public func signHeaders(
        url: URL,
        method: String,
        headers: [(String, String)] = [],
        body: Payload = .empty,
        date: Date = Date()
    ) -> [(String, String)] {
        let stamp = SigningDate(date)
        var result = headers.filter { name, _ in
            !["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"].contains(name.lowercased())
        }
        if !result.contains(where: { $0.0.lowercased() == "host" }) {
            result.append(("host", Self.hostHeader(url)))
        }
        result.append(("x-amz-date", stamp.dateTime))
        let payloadHash = body.hash
        result.append(("x-amz-content-sha256", payloadHash))
        if let token = credentials.sessionToken {
            result.append(("x-amz-security-token", token))
        }
        let parts = Canonical.requestParts(url: url)
        let signing = signature(
            method: method,
            path: parts.path,
            query: parts.query,
            headers: result,
            payloadHash: payloadHash,
            date: stamp
        )
        result.append(("authorization", authorization(signedHeaders: signing.signedHeaders, signature: signing.signature, date: stamp)))
        return result
    }

    /// A presigned URL: the signature and credentials in the query string, valid for `expires`
    /// seconds (at most 7 days), with `UNSIGNED-PAYLOAD` as the payload hash (S3's rule).
    public func signURL(url: URL, method: String, expires: Int, headers: [(String, String)] = [], date: Date = Date()) -> URL {
        let stamp = SigningDate(date)
        var signedHeaders = headers
        if !signedHeaders.contains(where: { $0.0.lowercased() == "host" }) {
            signedHeaders.append(("host", Self.hostHeader(url)))
        }
        let headerNames = Canonical.headers(signedHeaders, unsigned: unsignedHeaders).names
        var query: [(String, String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(stamp.scope(region: region, service: service))"),
            ("X-Amz-Date", stamp.dateTime),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", headerNames),
        ]
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        let existing = url.query(percentEncoded: true) ?? ""
        let added = query.map { "\(Canonical.encode($0.0))=\(Canonical.encode($0.1))" }.joined(separator: "&")
        let fullQuery = existing.isEmpty ? added : "\(existing)&\(added)"
        let parts = Canonical.requestParts(url: url)
        let signing = signature(
            method: method,
            path: parts.path,
            query: fullQuery,
            headers: signedHeaders,
            payloadHash: Self.unsignedPayload,
            date: stamp
        )
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false) ?? URLComponents()
        components.percentEncodedQuery = "\(fullQuery)&X-Amz-Signature=\(signing.signature)"
        return components.url ?? url
    }

    /// The stages of one signature, exposed so tests can compare each with published examples.
    public struct Signing: Sendable, Hashable {
        /// The canonical request.
        public var canonicalRequest: String
        /// The string to sign.
        public var stringToSign: String
        /// The `;`-joined lowercase names of the signed headers.
        public var signedHeaders: String
        /// The hex signature.
        public var signature: String
    }

    /// Signs a request given as wire parts: `path` and `query` exactly as they appear in the
    /// request line (percent-encoded or not), headers as sent (including `host` and `x-amz-date`).
    public func signature(
        method: String,
        path: String,
        query: String,
        headers: [(String, String)],
        payloadHash: String,
        date: SigningDate
    ) -> Signing {
        let canonicalHeaders = Canonical.headers(headers, unsigned: unsignedHeaders)
        let canonicalRequest = [
            method.uppercased(),
            Canonical.uri(path, s3Rules: usesS3PathRules),
            Canonical.query(query),
            canonicalHeaders.lines,
            canonicalHeaders.names,
            payloadHash,
        ].joined(separator: "\n")
        let stringToSign = [
            Self.algorithm,
            date.dateTime,
            date.scope(region: region, service: service),
            SigningHash.sha256Hex(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        let key = SigningHash.signingKey(secret: credentials.secretAccessKey, date: date.date, region: region, service: service)
        let signature = SigningHash.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        return Signing(
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign,
            signedHeaders: canonicalHeaders.names,
            signature: signature
        )
    }

    /// The `Authorization` header value for a computed signature.
    public func authorization(signedHeaders: String, signature: String, date: SigningDate) -> String {
        "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(date.scope(region: region, service: service)), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The `host` header for `url`: the host, plus the port when it is not the scheme's default.
    public static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        if (url.scheme == "https" && port == 443) || (url.scheme == "http" && port == 80) { return host }
        return "\(host):\(port)"
    }
}
