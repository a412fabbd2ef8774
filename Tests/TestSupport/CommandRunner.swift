public import Foundation

/// What a finished process left.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs programs for end-to-end tests: the built `infra-monitor` and the system's own tools.
public enum CommandRunner {
    /// The `infra-monitor` executable built beside the test bundle (`swift build` puts both in
    /// the same folder).
    public static var infraMonitorPath: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0])
        var folder = bundle.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("infra-monitor").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/infra-monitor").path
    }

    /// The project folder (for `pipeline/state-machine.asl.json`).
    public static var projectRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// Runs `infra-monitor` with `arguments` in the project folder.
    public static func infraMonitor(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
        try await run(infraMonitorPath, arguments, environment: environment, currentDirectory: projectRoot)
    }

    /// Runs a program and collects its output.
    ///
    /// The wait happens on a thread of its own, never on one of Swift's cooperative threads: there
    /// are only as many of those as cores (two here), and a test that parked one for the length of
    /// a child process would stall every other test's timers and heartbeats meanwhile.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        currentDirectory: String? = nil,
        input: Data? = nil
    ) async throws -> ProcessResult {
        try await onOwnThread {
            try runBlocking(executable, arguments, environment: environment, currentDirectory: currentDirectory, input: input)
        }
    }

    /// Runs a shell command line (for the system's tools such as `free` and `df`).
    public static func shell(_ command: String) async throws -> ProcessResult {
        try await run("/bin/sh", ["-c", command])
    }

    /// A free TCP port on 127.0.0.1.
    public static func freePort() async throws -> Int {
        try await onOwnThread { try freePortBlocking() }
    }

    /// `run`, blocking the calling thread: only for places that cannot await (`defer`, test traits).
    public static func runBlocking(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        currentDirectory: String? = nil,
        input: Data? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "INFRA_MONITOR_DATA_DIR")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(input)
            try inputPipe.fileHandleForWriting.close()
        }
        let outData = LockedData()
        let errData = LockedData()
        // Each pipe is drained on a thread of its own, so a chatty child never fills a pipe and
        // blocks. Not on a Dispatch worker: on Linux Swift's executor runs on Dispatch's global
        // queues, their width set to the core count.
        let group = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            group.enter()
            Thread {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }.start()
        }
        process.waitUntilExit()
        group.wait()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: outData.get(), as: UTF8.self),
            stderr: String(decoding: errData.get(), as: UTF8.self)
        )
    }

    /// `shell`, blocking the calling thread: only for places that cannot await.
    public static func shellBlocking(_ command: String) throws -> ProcessResult {
        try runBlocking("/bin/sh", ["-c", command])
    }

    /// `freePort`'s blocking body, run on a thread of its own.
    private static func freePortBlocking() throws -> Int {
        let result = try runBlocking(
            "/usr/bin/env",
            ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]
        )
        guard let port = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestSupportError("cannot find a free port: \(result.stderr)")
        }
        return port
    }

    /// Runs `work` on a new thread and awaits its result.
    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result(catching: work)) }.start()
        }
    }
}

/// A test set-up problem, with what to do about it.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

private final class LockedData: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
