public import AsyncHTTPClient
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The transport over AsyncHTTPClient used for real and moto endpoints.
public struct HTTPClientTransport: AWSHTTPTransport {
    /// The client requests go through; its lifetime belongs to whoever made it.
    public let client: HTTPClient

    /// A transport over `client` (the shared singleton by default).
    public init(client: HTTPClient = .shared) { self.client = client }

    public func send(_ request: AWSHTTPRequest, timeout: Duration) async throws -> AWSHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty || ["PUT", "POST"].contains(request.method) {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let seconds = Int64(timeout.components.seconds)
        let nanos = seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        do {
            let response = try await client.execute(outgoing, timeout: .nanoseconds(nanos))
            let buffer = try await response.body.collect(upTo: 256 * 1024 * 1024)
            return AWSHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer.readableBytesView)
            )
        } catch let error as AWSTransportError {
            throw error
        } catch {
            throw AWSTransportError(url: request.url.absoluteString, reason: String(describing: error))
        }
    }
}
