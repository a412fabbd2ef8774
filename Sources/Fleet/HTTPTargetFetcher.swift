public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOSSL

/// Fetches node_exporter pages over HTTP(S) with AsyncHTTPClient: the target's scrape timeout,
/// gzip, a body-size limit, basic auth or an `Authorization` header (credentials files read at
/// every scrape, as Prometheus does), and the job's TLS settings. Each scrape is a connection of
/// its own (`Connection: close`).
public struct HTTPTargetFetcher: TargetFetcher {
    /// The client; its lifetime belongs to whoever made it (see ``makeClient(maxBodyBytes:)``).
    public let client: HTTPClient
    /// The largest body accepted, after decompression.
    public let maxBodyBytes: Int

    public init(client: HTTPClient, maxBodyBytes: Int = 16 << 20) {
        self.client = client
        self.maxBodyBytes = maxBodyBytes
    }

    /// A client suited to scraping: gzip decompression limited to `maxBodyBytes`, no redirects,
    /// a 1 s connect timeout. Shut it down when done.
    public static func makeClient(maxBodyBytes: Int = 16 << 20) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .enabled(limit: .size(maxBodyBytes))
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(1))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 2)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// The scrape URL: the target's URL with `collect[]=NAME` for each collector.
    public static func url(for target: ScrapeTarget, collectors: [String]) -> String {
        guard !collectors.isEmpty else { return target.url }
        let query = collectors.map { "collect%5B%5D=\($0)" }.joined(separator: "&")
        return target.url + (target.metricsPath.contains("?") ? "&" : "?") + query
    }

    public func fetch(_ target: ScrapeTarget, collectors: [String]) async throws(ScrapeError) -> FetchedPage {
        var request = HTTPClientRequest(url: Self.url(for: target, collectors: collectors))
        request.method = .GET
        request.headers.add(name: "Accept", value: "text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1")
        request.headers.add(name: "Accept-Encoding", value: "gzip")
        request.headers.add(name: "User-Agent", value: "infra-monitor")
        // One connection per scrape: an execution scrapes each target a few times and then the
        // process ends, so idle keep-alive connections to a thousand targets would only hold memory.
        request.headers.add(name: "Connection", value: "close")
        request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: String(target.timeoutSeconds))
        if let basic = target.basicAuth {
            var password = basic.password ?? ""
            if let file = basic.passwordFile { password = try Self.readSecret(file) }
            let token = Data("\(basic.username):\(password)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(token)")
        } else if let authorization = target.authorization {
            var credentials = authorization.credentials ?? ""
            if let file = authorization.credentialsFile { credentials = try Self.readSecret(file) }
            request.headers.add(name: "Authorization", value: "\(authorization.type) \(credentials)")
        }
        if target.scheme == .https {
            var tls = TLSConfiguration.makeClientConfiguration()
            if target.tls.insecureSkipVerify { tls.certificateVerification = .none }
            if let caFile = target.tls.caFile { tls.trustRoots = .file(caFile) }
            request.tlsConfiguration = tls
        }
        let timeout = TimeAmount.nanoseconds(Int64(max(0.001, target.timeoutSeconds) * 1e9))
        do {
            let response = try await client.execute(request, timeout: timeout)
            guard response.status == .ok else {
                _ = try? await response.body.collect(upTo: 64 * 1024)
                throw ScrapeError.httpStatus(code: Int(response.status.code))
            }
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: maxBodyBytes)
            } catch is NIOTooManyBytesError {
                throw ScrapeError.bodyTooLarge(limit: maxBodyBytes)
            }
            return FetchedPage(bytes: Array(buffer: body), contentType: response.headers.first(name: "Content-Type"))
        } catch let error as ScrapeError {
            throw error
        } catch {
            throw Self.classify(error, timeout: target.timeoutSeconds, limit: maxBodyBytes)
        }
    }

    /// Maps AsyncHTTPClient and NIO errors to ``ScrapeError``.
    static func classify(_ error: any Error, timeout: Double, limit: Int) -> ScrapeError {
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return .timedOut(seconds: timeout)
            case .remoteConnectionClosed: return .connectionFailed(detail: "the connection was closed by the target")
            default: break
            }
        }
        let text = String(describing: error)
        if text.contains("decompression") || text.contains("Decompression") || text.contains("limit") {
            return .bodyTooLarge(limit: limit)
        }
        let lowered = text.lowercased()
        if lowered.contains("refused") || lowered.contains("reset") || lowered.contains("econnrefused") || lowered.contains("econnreset") {
            return .connectionFailed(detail: text)
        }
        if lowered.contains("timeout") || lowered.contains("timed out") || lowered.contains("deadline") {
            return .timedOut(seconds: timeout)
        }
        return .transport(detail: text)
    }

    /// A credentials file's contents without the final newline.
    static func readSecret(_ path: String) throws(ScrapeError) -> String {
        do {
            var text = try String(contentsOfFile: path, encoding: .utf8)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        } catch {
            throw .credentials(path: path, reason: error.localizedDescription)
        }
    }
}
