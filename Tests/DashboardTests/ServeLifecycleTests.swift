import Foundation
import TestSupport
import Testing

/// Restarts and signals: state comes from the executions table, and nothing is left half-written.
@Suite(.serialized)
struct ServeLifecycleTests {
    @Test func anExecutionLeftRunningIsMarkedAbortedAtTheNextStartAndTheMissedTickRuns() async throws {
        let dir = try ServeEndToEndTests.dataDirectory(host: "web-2")
        let first = try await CommandRunner.infraMonitor(["run", "--data-dir", dir, "--scheduled-time", "2026-01-01T00:00:00Z"])
        #expect(first.status == 0, "\(first.stderr)")
        let sql = """
            INSERT INTO executions (id, status, scheduled_time, started_at, input)
            VALUES ('killed-mid-way', 'RUNNING', '2026-01-01T03:00:00.000Z', '2026-01-01T03:00:00.000Z', '{}');
            """
        let inserted = try await CommandRunner.run("/usr/bin/sqlite3", [dir + "/infra-monitor.sqlite", sql])
        #expect(inserted.status == 0, "\(inserted.stderr)")
        let server = try await ServeProcess(dataDirectory: dir, token: nil, arguments: ["--schedule", "rate(3 hours)"])
        defer { server.stop() }
        try await server.waitUntilReady()
        let aborted = try await server.get("/api/executions/killed-mid-way").body
        #expect(aborted.contains("\"status\":\"ABORTED\""), "\(aborted)")
        // 2026-01-01T03:00 was the newest tick recorded; later ticks were missed, so one execution runs at start.
        let executions = try await server.waitForExecutions(2)
        #expect(try ServeEndToEndTests.executionIDs(executions).count == 3)
        #expect(server.log.contains("a tick was missed since the last execution; running once now"))
    }

    @Test func sigtermStopsTheServerWithNothingLeftRunning() async throws {
        let dir = try ServeEndToEndTests.dataDirectory(host: "web-3")
        let server = try await ServeProcess(dataDirectory: dir, token: nil, arguments: ["--tick-seconds", "1"])
        defer { server.stop() }
        try await server.waitUntilReady()
        _ = try await server.waitForExecutions(2)
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .exit)
        #expect(server.process.terminationStatus == 0, "\(server.log)")
        let running = try await CommandRunner.run(
            "/usr/bin/sqlite3",
            [dir + "/infra-monitor.sqlite", "SELECT COUNT(*) FROM executions WHERE status <> 'SUCCEEDED'"]
        )
        #expect(running.stdout == "0\n", "\(server.log)")
    }
}
