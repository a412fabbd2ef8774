import AWSSigner
public import InfraJSON

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The request layer every service client is built on: it resolves the endpoint, signs with
/// SigV4, retries per ``AWSRetryPolicy`` and turns error responses into ``AWSError``.
///
/// It is a value holding the configuration and a credentials cache; copy it freely.
public struct AWSClient: Sendable {
    /// The configuration.
    public let configuration: AWSClientConfiguration
    private let credentialCache: CredentialCache

    /// A client with `configuration`.
    public init(configuration: AWSClientConfiguration) {
        self.configuration = configuration
        self.credentialCache = CredentialCache(provider: configuration.credentialProvider)
    }

    /// The base URL of `service`: the endpoint override, else `https://{prefix}.{region}.amazonaws.com`.
    public func endpoint(for service: AWSService) -> URL {
        if let endpointURL = configuration.endpointURL { return endpointURL }
        return URL(string: "https://\(service.endpointPrefix).\(configuration.region).amazonaws.com")!
    }

    /// Calls a JSON-protocol operation with `input` and returns the decoded output object.
    public func json(_ service: AWSService, operation: String, input: JSON) async throws -> JSON {
        guard case .json(_, let targetPrefix) = service.serviceProtocol else {
            preconditionFailure("\(service.signingName) does not speak the JSON protocol")
        }
        let response = try await send(
            service,
            operation: operation,
            method: "POST",
            path: "/",
            headers: [("content-type", service.serviceProtocol.contentType), ("x-amz-target", "\(targetPrefix).\(operation)")],
            body: Array(input.text.utf8)
        )
        if response.body.isEmpty { return .object([:]) }
        do {
            return try JSON(parsing: response.body)
        } catch {
            throw AWSResponseError(operation: "\(service.signingName) \(operation)", message: "body is not JSON: \(error)")
        }
    }

    /// Calls a Query-protocol operation (`Action`, `Version` and `parameters` form-encoded in the
    /// body) and returns the XML response's root element (`{Action}Response`).
    ///
    /// Parameters use the Query protocol's flattened names, e.g. `Parameters.member.1.ParameterKey`.
    public func query(_ service: AWSService, action: String, parameters: [(String, String)] = []) async throws -> XMLNode {
        guard case .query(let version) = service.serviceProtocol else {
            preconditionFailure("\(service.signingName) does not speak the Query protocol")
        }
        let form = ([("Action", action), ("Version", version)] + parameters)
            .map { "\(Canonical.encode($0.0))=\(Canonical.encode($0.1))" }
            .joined(separator: "&")
        let response = try await send(
            service,
            operation: action,
            method: "POST",
            path: "/",
            headers: [("content-type", service.serviceProtocol.contentType)],
            body: Array(form.utf8)
        )
        do {
            return try XMLNode.parse(response.body)
        } catch {
            throw AWSResponseError(operation: "\(service.signingName) \(action)", message: "\(error)")
        }
    }

    /// Sends one request to `path` below the endpoint of `service`, with retries, and returns the
    /// successful (2xx) response.
    ///
    /// - Parameters:
    ///   - path: The percent-encoded path below the endpoint, starting with `/`.
    ///   - query: Query parameters, encoded here.
    ///   - unsignedPayload: Sign with `UNSIGNED-PAYLOAD` instead of the body's hash (S3 only).
    public func send(
        _ service: AWSService,
        operation: String,
        method: String,
        path: String,
        query: [(String, String)] = [],
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        unsignedPayload: Bool = false
    ) async throws -> AWSHTTPResponse {
        try await send(
            service,
            operation: operation,
            method: method,
            url: makeURL(base: endpoint(for: service), path: path, query: query),
            headers: headers,
            body: body,
            unsignedPayload: unsignedPayload
        )
    }

    /// Sends one request to `url` (already complete and percent-encoded), with retries, and
    /// returns the successful (2xx) response; any other status throws ``AWSError``, and running
    /// out of attempts throws ``AWSRetriesExhaustedError``.
    public func send(
        _ service: AWSService,
        operation: String,
        method: String,
        url: URL,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        unsignedPayload: Bool = false
    ) async throws -> AWSHTTPResponse {
        var generator = SystemRandomNumberGenerator()
        let policy = configuration.retryPolicy
        var attempt = 0
        while true {
            attempt += 1
            let credentials = try await credentialCache.credentials()
            let signer = AWSSigner(credentials: credentials, service: service.signingName, region: configuration.region)
            let signed = signer.signHeaders(
                url: url,
                method: method,
                headers: headers,
                body: unsignedPayload ? .unsigned : .bytes(body),
                date: Date()
            )
            let request = AWSHTTPRequest(url: url, method: method, headers: signed, body: body)
            let failure: any Error
            do {
                let response = try await configuration.transport.send(request, timeout: configuration.timeout)
                if (200..<300).contains(response.status) { return response }
                let error = AWSErrorParser.parse(response, service: service)
                if !error.isRetryable { throw error }
                failure = error
            } catch let error as AWSTransportError {
                failure = error
            }
            if attempt >= policy.maxAttempts {
                if policy.maxAttempts == 1 { throw failure }
                throw AWSRetriesExhaustedError(attempts: attempt, lastError: failure)
            }
            try await Task.sleep(for: policy.delay(retry: attempt - 1, using: &generator))
        }
    }

    /// `base` + `path` + the encoded `query`.
    func makeURL(base: URL, path: String, query: [(String, String)]) -> URL {
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += path.hasPrefix("/") ? path : "/" + path
        if !query.isEmpty {
            text += "?" + query.map { "\(Canonical.encode($0.0))=\(Canonical.encode($0.1))" }.joined(separator: "&")
        }
        return URL(string: text)!
    }
}

/// Caches credentials from a provider and fetches new ones shortly before they expire.
actor CredentialCache {
    private let provider: any AWSCredentialProvider
    private var cached: AWSCredentials?

    init(provider: any AWSCredentialProvider) { self.provider = provider }

    func credentials() async throws -> AWSCredentials {
        if let cached, !cached.isExpiring() { return cached }
        let fresh = try await provider.credentials()
        cached = fresh
        return fresh
    }
}
