public import AsyncHTTPClient
import InfraJSON
import NIOCore
import NIOHTTP1

/// The Runtime API over HTTP at `http://$AWS_LAMBDA_RUNTIME_API/2018-06-01`.
public struct HTTPRuntimeAPI: RuntimeAPI {
    /// `http://host:port/2018-06-01`.
    public let baseURL: String
    let client: HTTPClient

    /// The version path every Runtime API URL starts with.
    public static let versionPath = "/2018-06-01"
    /// The longest event or response body accepted (Lambda's synchronous payload limit is 6 MB).
    static let maximumBody = 8 * 1024 * 1024
    /// Posting a response or an error must not hang the function for ever.
    static let postTimeout: TimeAmount = .seconds(30)

    /// A client of the Runtime API at `address` (`host:port`, as `AWS_LAMBDA_RUNTIME_API` gives it).
    /// - Throws: ``LambdaRuntimeError/badRuntimeAPIAddress(_:)``.
    public init(address: String?, client: HTTPClient = .shared) throws(LambdaRuntimeError) {
        guard let address, let colon = address.lastIndex(of: ":"), !address[..<colon].isEmpty,
            let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port)
        else {
            throw .badRuntimeAPIAddress(address)
        }
        self.baseURL = "http://\(address)\(Self.versionPath)"
        self.client = client
    }

    public func next() async throws -> Invocation {
        let request = HTTPClientRequest(url: baseURL + "/runtime/invocation/next")
        // A long poll: the Runtime API answers when an event arrives, which may be much later.
        let response = try await client.execute(request, timeout: .hours(24 * 365))
        let body = try await response.body.collect(upTo: Self.maximumBody)
        guard response.status == .ok else {
            throw LambdaRuntimeError.unexpectedStatus(
                request: "GET /runtime/invocation/next",
                status: Int(response.status.code),
                body: String(buffer: body)
            )
        }
        let metadata = try InvocationMetadata { response.headers.first(name: $0) }
        return Invocation(metadata: metadata, event: Array(buffer: body))
    }

    public func respond(requestID: String, body: [UInt8]) async throws {
        try await post("/runtime/invocation/\(requestID)/response", body: body, headers: [:])
    }

    public func fail(requestID: String, error: ErrorReport) async throws {
        try await post(
            "/runtime/invocation/\(requestID)/error",
            body: Self.errorBody(error),
            headers: ["lambda-runtime-function-error-type": "Unhandled"]
        )
    }

    public func initFailed(error: ErrorReport) async throws {
        try await post(
            "/runtime/init/error",
            body: Self.errorBody(error),
            headers: ["lambda-runtime-function-error-type": "Unhandled"]
        )
    }

    /// `{"errorType":…,"errorMessage":…}`.
    static func errorBody(_ error: ErrorReport) -> [UInt8] {
        let json: JSON = ["errorType": .string(error.errorType), "errorMessage": .string(error.errorMessage)]
        return Array(json.text.utf8)
    }

    func post(_ path: String, body: [UInt8], headers: [String: String]) async throws {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: Self.postTimeout)
        let answer = try await response.body.collect(upTo: 64 * 1024)
        guard response.status == .accepted else {
            throw LambdaRuntimeError.unexpectedStatus(
                request: "POST \(path)",
                status: Int(response.status.code),
                body: String(buffer: answer)
            )
        }
    }
}
