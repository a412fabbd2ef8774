import Foundation
import TestSupport

/// A `moto_server` on a free 127.0.0.1 port for one test, stopped by PID (SIGKILL + wait).
final class MotoServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The environment the CLI and boto3 need to talk to it with fake credentials.
    var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "eu-west-1",
            "AWS_DEFAULT_REGION": "eu-west-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        ]
    }

    init() async throws {
        port = try await CommandRunner.freePort()
        let which = try await CommandRunner.shell("command -v moto_server")
        let path = which.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !path.isEmpty else { throw TestSupportError("moto_server is not installed: pip install 'moto[server]'") }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<150 {
            let probe = try await CommandRunner.run(
                "/usr/bin/env",
                ["python3", "-c", "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', \(port))))"]
            )
            if probe.status == 0 { return }
            usleep(100_000)
        }
        stop()
        throw TestSupportError("moto_server did not listen on port \(port) within 15 s")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
