import Foundation
import InfraJSON
import StateMachine
import Testing

/// Runs every conformance case moto can run (Pass, Choice, Parallel, Map, Succeed and Fail states)
/// on `moto_server` with Step Functions execution enabled, through `Fixtures/moto_check.py`, and
/// compares status and output with this interpreter. Known moto deviations are listed in
/// `Fixtures/moto-deviations.json`; each must still deviate, every other case must agree.
@Suite struct MotoConformanceTests {
    @Test func motoAgreesWithTheInterpreterExceptKnownDeviations() async throws {
        let cases = ConformanceCase.all().filter(\.runsOnMoto)
        #expect(cases.count >= 100)
        let folder = NSTemporaryDirectory() + "moto-conformance-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let casesFile = folder + "/cases.json"
        let payload = JSON.array(
            cases.map { ["name": .string($0.description), "definition": $0.definition, "input": $0.input, "bucket": $0.json["bucket"] ?? [:]] }
        )
        try Data(payload.text.utf8).write(to: URL(fileURLWithPath: casesFile))

        let port = try Self.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let script = TestSupport.fixturesDirectory.appendingPathComponent("moto_check.py").path
        let (status, stdout, stderr) = try await Self.run(["python3", script, String(port), casesFile])
        try #require(status == 0, "moto_check.py failed: \(stderr)")
        let results = try #require(try JSON(parsing: stdout).arrayValue)
        #expect(results.count == cases.count)

        let deviationsFixture = try TestSupport.fixture("moto-deviations.json")
        let deviations = deviationsFixture["deviations"]?.objectValue ?? [:]
        var sawUnquotedString = false
        for (testCase, moto) in zip(cases, results) {
            #expect(moto["name"]?.stringValue == testCase.description)
            let ours = try await testCase.run(sleeps: SleepRecorder())
            var motoOutput = moto["output"]
            if moto["outputNotJSON"] == .bool(true) {
                sawUnquotedString = true
                motoOutput = moto["output"]?.stringValue.map(JSON.string)
            }
            let agrees: Bool
            switch ours {
            case .succeeded(let output):
                agrees = moto["status"] == "SUCCEEDED" && motoOutput == output
            case .failed(let error, _):
                agrees = moto["status"] == "FAILED" && moto["error"]?.stringValue == error
            }
            if let deviation = deviations[testCase.description] {
                #expect(!agrees, "\(testCase) is listed as a moto deviation (\(deviation["reason"]?.stringValue ?? "")) but now agrees")
            } else {
                #expect(agrees, "\(testCase): ours \(ours), moto \(moto.text)")
            }
        }
        #expect(sawUnquotedString == (deviationsFixture["stringOutputUnquoted"] == .bool(true)))
        let names = Set(cases.map(\.description))
        for listed in deviations.keys { #expect(names.contains(listed), "moto-deviations.json lists the unknown case \(listed)") }
    }

    /// Runs a program to its end on a thread of its own: the check takes about a minute, and a
    /// cooperative thread parked that long would stall the timers of the tests beside it.
    private static func run(_ arguments: [String]) async throws -> (Int32, String, String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try runBlocking(arguments) }) }.start()
        }
    }

    private static func runBlocking(_ arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("moto-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("moto-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    private static func freePort() throws -> Int {
        let (status, stdout, stderr) = try runBlocking([
            "python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])",
        ])
        guard status == 0, let port = Int(stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw MotoSetupError(message: "cannot find a free port: \(stderr)")
        }
        return port
    }
}

/// A problem starting the moto check, with what went wrong.
struct MotoSetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
