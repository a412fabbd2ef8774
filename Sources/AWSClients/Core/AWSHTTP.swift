#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// An HTTP request as the request layer builds it, before and after signing.
public struct AWSHTTPRequest: Sendable {
    /// The full URL, path and query percent-encoded.
    public var url: URL
    /// The method, e.g. `POST`.
    public var method: String
    /// The headers, in order; names in any case.
    public var headers: [(String, String)]
    /// The body bytes.
    public var body: [UInt8]

    /// A request from its parts.
    public init(url: URL, method: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }
}

/// An HTTP response: status, headers and the whole body.
public struct AWSHTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The headers, in order.
    public var headers: [(String, String)]
    /// The body bytes.
    public var body: [UInt8]

    /// A response from its parts.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0.lowercased() == lower }?.1
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Sends one HTTP request and returns its response; throws only when no response arrived
/// (connection refused or dropped, timeout). The request layer retries and signs around it;
/// tests may put a fake where no real endpoint exists.
public protocol AWSHTTPTransport: Sendable {
    /// Sends `request`, giving up after `timeout`.
    func send(_ request: AWSHTTPRequest, timeout: Duration) async throws -> AWSHTTPResponse
}

/// A failure to get any response from the endpoint.
public struct AWSTransportError: Error, Sendable, CustomStringConvertible {
    /// The URL that was called.
    public var url: String
    /// What went wrong underneath (connection refused, reset, timeout).
    public var reason: String
    /// An error for `url`.
    public init(url: String, reason: String) {
        self.url = url
        self.reason = reason
    }
    public var description: String { "no response from \(url): \(reason); check the endpoint URL and the network" }
}
