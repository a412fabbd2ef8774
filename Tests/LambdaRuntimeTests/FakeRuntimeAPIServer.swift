import Foundation
import InfraJSON
import TestSupport

/// The fake Runtime API (`Fixtures/fake_runtime_api.py`) as a running process: it serves a queue
/// of events, then a stop event, and records every POST the runtime makes.
final class FakeRuntimeAPIServer {
    /// One event to serve: response headers and body.
    struct Event {
        var headers: [String: String]
        var body: String

        /// An event with the three required headers.
        static func valid(id: String, body: String, traceID: String? = nil) -> Event {
            var headers = [
                "Lambda-Runtime-Aws-Request-Id": id,
                "Lambda-Runtime-Deadline-Ms": "4102444800000",
                "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:eu-west-1:000000000000:function:test",
            ]
            if let traceID { headers["Lambda-Runtime-Trace-Id"] = traceID }
            return Event(headers: headers, body: body)
        }
    }

    /// One POST the runtime made.
    struct Post: Hashable {
        var path: String
        var headers: [String: String]
        var body: String
    }

    let folder: String
    let process: Process
    /// `host:port`, as `AWS_LAMBDA_RUNTIME_API` gives it.
    let address: String

    init(events: [Event]) throws {
        folder = try Fixtures.temporaryDirectory("fake-runtime-api")
        let list: JSON = .array(
            events.map { event in
                ["headers": .object(event.headers.mapValues { .string($0) }), "body": .string(event.body)]
            }
        )
        try list.text.write(toFile: folder + "/events.json", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Fixtures.path("fake_runtime_api.py"), folder + "/events.json", folder + "/record.jsonl",
            folder + "/port",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port: String?
        for _ in 0..<500 {
            if let text = try? String(contentsOfFile: folder + "/port", encoding: .utf8) {
                port = text
                break
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw TestSupportError("the fake Runtime API did not start; check that python3 runs Fixtures/fake_runtime_api.py")
        }
        address = "127.0.0.1:\(port)"
    }

    /// The POSTs recorded so far, in order, leaving out the answer to the stop event.
    func posts() throws -> [Post] {
        guard let text = try? String(contentsOfFile: folder + "/record.jsonl", encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            let json = try JSON(parsing: String(line))
            return Post(
                path: json["path"]?.stringValue ?? "",
                headers: (json["headers"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
                body: json["body"]?.stringValue ?? ""
            )
        }.filter { !$0.path.contains("/invocation/stop/") }
    }

    /// Stops the server (SIGKILL, then waits) and removes its folder.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
