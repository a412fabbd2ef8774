import Foundation
import InfraJSON
import LambdaRuntime
import Testing

/// A failure the test handler throws on request.
struct TestFailure: Error, CustomStringConvertible {
    var description: String { "the event asked to fail" }
}

/// Doubles `n`, echoes the trace id, fails on `{"fail":true}`, and ends the loop on the fake's stop event.
struct DoublingHandler: LambdaHandler {
    func handle(_ event: JSON, context: LambdaContext) async throws -> JSON {
        if event["stop"]?.boolValue == true {
            withUnsafeCurrentTask { $0?.cancel() }
            return [:]
        }
        if event["fail"]?.boolValue == true { throw TestFailure() }
        var output: JSON = ["n": .number((event["n"]?.doubleValue ?? 0) * 2), "id": .string(context.requestID)]
        if let trace = ProcessInfo.processInfo.environment["_X_AMZN_TRACE_ID"] {
            output = ["n": output["n"]!, "id": output["id"]!, "trace": .string(trace)]
        }
        return output
    }
}

/// Runs the loop against a fake Runtime API serving `events`, then returns what the runtime posted.
func runLoop(_ events: [FakeRuntimeAPIServer.Event]) async throws -> [FakeRuntimeAPIServer.Post] {
    let server = try FakeRuntimeAPIServer(events: events)
    defer { server.stop() }
    let loop = LambdaRunLoop(api: try HTTPRuntimeAPI(address: server.address))
    let task = Task { try await loop.run(handler: DoublingHandler()) }
    try await task.value
    return try server.posts()
}

@Suite(.serialized) struct RunLoopTests {
    @Test func successIsPostedToTheResponseEndpointWithTheTraceIDExported() async throws {
        let posts = try await runLoop([.valid(id: "req-1", body: #"{"n":21}"#, traceID: "Root=1-5759e988-bd862e3fe1be46a994272793")])
        #expect(posts.map(\.path) == ["/2018-06-01/runtime/invocation/req-1/response"])
        let body = try JSON(parsing: posts[0].body)
        #expect(body == ["n": 42, "id": "req-1", "trace": "Root=1-5759e988-bd862e3fe1be46a994272793"])
    }

    @Test func handlerErrorIsPostedAsUnhandledAndTheLoopContinues() async throws {
        let posts = try await runLoop([
            .valid(id: "bad", body: #"{"fail":true}"#),
            .valid(id: "good", body: #"{"n":1}"#),
        ])
        #expect(
            posts.map(\.path) == [
                "/2018-06-01/runtime/invocation/bad/error", "/2018-06-01/runtime/invocation/good/response",
            ]
        )
        #expect(posts[0].headers["lambda-runtime-function-error-type"] == "Unhandled")
        #expect(try JSON(parsing: posts[0].body) == ["errorType": "TestFailure", "errorMessage": "the event asked to fail"])
        #expect(try JSON(parsing: posts[1].body)["n"] == 2)
    }

    @Test func malformedEventIsPostedAsAnInvocationErrorAndTheLoopContinues() async throws {
        let posts = try await runLoop([
            .valid(id: "broken", body: #"{"n": 1"#),
            .valid(id: "after", body: #"{"n":5}"#),
        ])
        #expect(
            posts.map(\.path) == [
                "/2018-06-01/runtime/invocation/broken/error", "/2018-06-01/runtime/invocation/after/response",
            ]
        )
        let report = try JSON(parsing: posts[0].body)
        #expect(report["errorType"] == "MalformedEvent")
        #expect(report["errorMessage"]?.stringValue?.hasPrefix("the event is not valid JSON") == true)
        #expect(try JSON(parsing: posts[1].body)["n"] == 10)
    }

    @Test func startupFailureIsPostedToInitError() async throws {
        let server = try FakeRuntimeAPIServer(events: [])
        defer { server.stop() }
        let loop = LambdaRunLoop(api: try HTTPRuntimeAPI(address: server.address))
        await #expect(throws: TestFailure.self) {
            try await loop.start { () throws -> any LambdaHandler in throw TestFailure() }
        }
        let posts = try server.posts()
        #expect(posts.map(\.path) == ["/2018-06-01/runtime/init/error"])
        #expect(posts.first?.headers["lambda-runtime-function-error-type"] == "Unhandled")
        #expect(try posts.first.map { try JSON(parsing: $0.body) } == ["errorType": "TestFailure", "errorMessage": "the event asked to fail"])
    }

    @Test(arguments: ["Lambda-Runtime-Aws-Request-Id", "Lambda-Runtime-Deadline-Ms", "Lambda-Runtime-Invoked-Function-Arn"])
    func missingRequiredHeaderStopsTheLoopWithATypedError(header: String) async throws {
        var event = FakeRuntimeAPIServer.Event.valid(id: "x", body: "{}")
        event.headers.removeValue(forKey: header)
        let server = try FakeRuntimeAPIServer(events: [event])
        defer { server.stop() }
        let loop = LambdaRunLoop(api: try HTTPRuntimeAPI(address: server.address))
        await #expect(throws: LambdaRuntimeError.missingHeader(header)) {
            try await loop.run(handler: DoublingHandler())
        }
        #expect(try server.posts().isEmpty)
    }

    @Test func nonNumericDeadlineIsATypedError() async throws {
        var event = FakeRuntimeAPIServer.Event.valid(id: "x", body: "{}")
        event.headers["Lambda-Runtime-Deadline-Ms"] = "soon"
        let server = try FakeRuntimeAPIServer(events: [event])
        defer { server.stop() }
        let loop = LambdaRunLoop(api: try HTTPRuntimeAPI(address: server.address))
        await #expect(throws: LambdaRuntimeError.invalidDeadline("soon")) {
            try await loop.run(handler: DoublingHandler())
        }
    }
}

@Suite struct RuntimeAPIAddressTests {
    @Test(arguments: [nil, "", "localhost", "localhost:", ":9001", "localhost:0", "localhost:70000", "localhost:port"] as [String?])
    func badAddressesAreRefused(address: String?) {
        #expect(throws: LambdaRuntimeError.badRuntimeAPIAddress(address)) { try HTTPRuntimeAPI(address: address) }
    }

    @Test func addressBecomesTheVersionedBaseURL() throws {
        #expect(try HTTPRuntimeAPI(address: "127.0.0.1:9001").baseURL == "http://127.0.0.1:9001/2018-06-01")
    }

    @Test func errorReportNamesTheErrorType() {
        #expect(ErrorReport(TestFailure()) == ErrorReport(errorType: "TestFailure", errorMessage: "the event asked to fail"))
    }
}
