import AWSClients
import AWSSigner
import Foundation
import TestSupport

/// A server process the tests start on 127.0.0.1 and always stop by PID.
final class LocalServer: @unchecked Sendable {
    let process: Process
    let port: Int

    /// Starts `executable` with `arguments` (stdout/stderr to /dev/null) and waits until `readyPath` answers HTTP.
    init(executable: String, arguments: [String], port: Int, environment: [String: String] = [:], readyPath: String) async throws {
        self.port = port
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let transport = HTTPClientTransport()
        let url = URL(string: "http://127.0.0.1:\(port)\(readyPath)")!
        for _ in 0..<300 {
            if !process.isRunning { break }
            if (try? await transport.send(AWSHTTPRequest(url: url, method: "GET"), timeout: .seconds(1))) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw TestSupportError("\(executable) did not start listening on port \(port); is it installed?")
    }

    /// The server's base URL.
    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// SIGKILL and wait.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }
}

/// `moto_server` on a free port.
enum MotoServer {
    /// Runs `body` with a fresh moto server, stopping it afterwards whatever happens.
    static func with<T>(environment: [String: String] = [:], _ body: (LocalServer) async throws -> T) async throws -> T {
        let port = try await CommandRunner.freePort()
        let server = try await LocalServer(
            executable: "/usr/bin/env",
            arguments: ["moto_server", "-H", "127.0.0.1", "-p", String(port)],
            port: port,
            environment: environment,
            readyPath: "/moto-api/"
        )
        defer { server.stop() }
        return try await body(server)
    }

    /// A client configuration for `server` with fixed test credentials.
    static func configuration(
        _ server: LocalServer,
        accessKey: String = "AKIDMOTOTEST",
        secret: String = "moto-secret",
        retryPolicy: AWSRetryPolicy = .standard
    ) -> AWSClientConfiguration {
        AWSClientConfiguration(
            region: "eu-west-1",
            credentialProvider: StaticCredentialProvider(AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret)),
            endpointURL: server.endpoint,
            retryPolicy: retryPolicy,
            timeout: .seconds(30)
        )
    }
}
