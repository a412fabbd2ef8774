import Foundation
import TestSupport

/// A running `infra-monitor serve` on a free loopback port, stopped by PID (SIGKILL + wait).
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let dataDirectory: String
    let token: String?

    /// Starts `serve` over `dataDirectory` with `arguments` added; output goes to files in the data directory.
    init(dataDirectory: String, token: String?, arguments: [String]) async throws {
        self.dataDirectory = dataDirectory
        self.token = token
        port = try await CommandRunner.freePort()
        process.executableURL = URL(fileURLWithPath: CommandRunner.infraMonitorPath)
        var all = ["serve", "--data-dir", dataDirectory, "--port", String(port)] + arguments
        if let token { all += ["--token", token] }
        process.arguments = all
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "INFRA_MONITOR_DATA_DIR")
        environment.removeValue(forKey: "INFRA_MONITOR_TOKEN")
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: CommandRunner.projectRoot)
        _ = FileManager.default.createFile(atPath: dataDirectory + "/serve.out", contents: nil)
        _ = FileManager.default.createFile(atPath: dataDirectory + "/serve.err", contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: dataDirectory + "/serve.out")
        process.standardError = FileHandle(forWritingAtPath: dataDirectory + "/serve.err")
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// What the server wrote on stderr so far (for failure messages).
    var log: String { (try? String(contentsOfFile: dataDirectory + "/serve.err", encoding: .utf8)) ?? "" }

    /// GET (or another method) through curl: the status code and the body.
    func request(_ path: String, bearer: String? = nil, method: String = "GET") async throws -> (status: Int, body: String) {
        var arguments = ["-s", "-X", method, "-w", "\n%{http_code}", "--max-time", "30"]
        if let bearer { arguments += ["-H", "Authorization: Bearer \(bearer)"] }
        arguments.append(baseURL + path)
        let result = try await CommandRunner.run("/usr/bin/curl", arguments)
        let text = result.stdout
        guard let newline = text.lastIndex(of: "\n") else { return (0, text) }
        return (Int(text[text.index(after: newline)...]) ?? 0, String(text[..<newline]))
    }

    /// A request with the server's own token.
    func get(_ path: String) async throws -> (status: Int, body: String) {
        try await request(path, bearer: token)
    }

    /// Waits until `/healthz` answers.
    func waitUntilReady() async throws {
        for _ in 0..<300 {
            if process.isRunning == false { throw TestSupportError("serve exited early: \(log)") }
            if await (try? get("/healthz"))?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestSupportError("serve did not answer /healthz: \(log)")
    }

    /// Waits until at least `count` executions have finished; returns the API's answer.
    func waitForExecutions(_ count: Int) async throws -> String {
        for _ in 0..<900 {
            let (status, body) = try await get("/api/executions")
            let finished =
                body.components(separatedBy: "\"status\":\"SUCCEEDED\"").count - 1
                + body.components(separatedBy: "\"status\":\"FAILED\"").count - 1
            if status == 200 && finished >= count && !body.contains("\"RUNNING\"") { return body }
            try await Task.sleep(for: .milliseconds(300))
        }
        throw TestSupportError("fewer than \(count) executions finished: \(log)")
    }

    /// SIGKILL and wait.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// Headless Chromium: the DOM after load, and screenshots.
enum Browser {
    static let executable = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func arguments(profile: String) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(profile)", "--virtual-time-budget=3000"]
    }

    static func dumpDOM(_ url: String, profile: String) async throws -> String {
        guard let executable else { throw TestSupportError("chromium is not installed; apt-get install chromium") }
        return try await CommandRunner.run(executable, arguments(profile: profile) + ["--dump-dom", url]).stdout
    }

    static func screenshot(_ url: String, to file: String, profile: String, height: Int = 900) async throws {
        guard let executable else { throw TestSupportError("chromium is not installed; apt-get install chromium") }
        _ = try await CommandRunner.run(executable, arguments(profile: profile) + ["--screenshot=\(file)", "--window-size=1280,\(height)", url])
    }
}
