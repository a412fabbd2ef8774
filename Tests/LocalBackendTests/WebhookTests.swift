import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend
import TestSupport
import Testing

/// Webhook delivery: bounded in time, never following redirects, and never logging the URL's path.
@Suite(.serialized) struct WebhookTests {
    /// Starts the fixture receiver in `mode`; returns the process and its port.
    static func receiver(_ mode: String, file: String? = nil) async throws -> (Process, Int) {
        let port = try await CommandRunner.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", Fixtures.path("webhook_server.py"), String(port), mode] + (file.map { [$0] } ?? [])
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        server.standardInput = FileHandle.nullDevice
        try server.run()
        for _ in 0..<100 {
            if (try? await CommandRunner.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/"]))?.status == 0 { break }
            usleep(50_000)
        }
        return (server, port)
    }

    static func stop(_ server: Process) {
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
    }

    static func notifier(url: String, folder: String) throws -> (OutboxNotifier, SQLiteStore) {
        let store = try SQLiteStore(path: folder + "/db.sqlite")
        var notifier = OutboxNotifier(store: store, settings: Settings.Notifications(webhookURL: url), logs: FileLogSink(folder: folder + "/logs"))
        notifier.webhookDeadline = .seconds(2)
        return (notifier, store)
    }

    static let message = PipelineNotification(subject: "InfraMonitor: Pipeline Failure", message: ["execution_id": "e", "status": "FAILED"])

    @Test func aSecretInTheWebhookPathNeverReachesTheLogs() async throws {
        let (server, port) = try await Self.receiver("500")
        defer { Self.stop(server) }
        let folder = try Fixtures.temporaryDirectory("webhook-path")
        let (notifier, store) = try Self.notifier(url: "http://127.0.0.1:\(port)/services/T0/B0/SECRETPATHPART", folder: folder)
        try await notifier.publish(Self.message)
        let status = try await store.recent(limit: 1).first?.deliveries["webhook"]
        #expect(status == "failed: HTTP 500")
        let log = try String(contentsOfFile: folder + "/logs/data-collector.jsonl", encoding: .utf8)
        #expect(log.contains("webhook delivery failed"))
        #expect(log.contains("127.0.0.1"))
        #expect(!log.contains("SECRETPATHPART"), "\(log)")
    }

    /// Measured on the command itself, in its own process: the time a run takes with a webhook that
    /// never answers (182 s before the deadline existed) is bounded by the 15 s delivery deadline.
    @Test func aWebhookThatNeverAnswersHoldsTheRunOnlyUntilTheDeadline() async throws {
        let (server, port) = try await Self.receiver("hang")
        defer { Self.stop(server) }
        let dataDir = try Fixtures.temporaryDirectory("webhook-hang")
        try "notifications:\n  webhook_url: http://127.0.0.1:\(port)/hook\n".write(
            toFile: dataDir + "/config.yaml",
            atomically: true,
            encoding: .utf8
        )
        let started = Date()
        let run = try await CommandRunner.infraMonitor(["run", "--data-dir", dataDir])
        let elapsed = Date().timeIntervalSince(started)
        #expect(run.status == 0, "a failed delivery never fails the execution: \(run.stderr)")
        #expect(elapsed < 25, "15 s deadline plus the run itself: \(elapsed) s")
        let outbox = try await CommandRunner.infraMonitor(["notifications", "--format", "json", "--data-dir", dataDir]).stdout
        #expect(outbox.contains("\"webhook_status\":\"failed:"), "\(outbox)")
    }

    @Test func aRedirectIsRefusedNotFollowedWithAnEmptyBody() async throws {
        let (server, port) = try await Self.receiver("307")
        defer { Self.stop(server) }
        let folder = try Fixtures.temporaryDirectory("webhook-307")
        let (notifier, store) = try Self.notifier(url: "http://127.0.0.1:\(port)/hook", folder: folder)
        try await notifier.publish(Self.message)
        let status = try await store.recent(limit: 1).first?.deliveries["webhook"] ?? ""
        #expect(status.hasPrefix("failed: HTTP 307 redirect refused"), "\(status)")
    }
}
