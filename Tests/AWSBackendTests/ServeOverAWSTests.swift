import AWSBackend
import Foundation
import InfraMonitorCore
import TestSupport
import Testing

/// `serve --backend aws` shows a deployment: records from DynamoDB, executions, notifications.
@Suite(.serialized) struct ServeOverAWSTests {
    @Test func serveOverAWSRendersTheRecordsAndExecutionsOfARun() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let dataDir = try Fixtures.temporaryDirectory("aws-serve")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        try "host: aws-host-1\n".write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)
        let aws = ["--backend", "aws", "--endpoint-url", moto.endpoint, "--data-dir", dataDir]

        let run = try await CommandRunner.infraMonitor(
            ["run", "--create-resources", "--execution-id", "served-1", "--scheduled-time", "2026-11-25T18:00:00Z"] + aws,
            environment: MotoServer.environment
        )
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let records = try await DynamoDBMetricTable(dynamoDB: AWSServices(client: moto.client).dynamoDB).records(
            metricID: nil,
            from: nil,
            to: nil,
            limit: nil
        )
        let memory = try #require(records.first { $0.metric == "memory_usage" })

        let port = try await CommandRunner.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: CommandRunner.infraMonitorPath)
        server.arguments = ["serve", "--port", String(port), "--schedule", "cron(0 0 1 1 ? 2099)"] + aws
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in MotoServer.environment { environment[key] = value }
        server.environment = environment
        server.currentDirectoryURL = URL(fileURLWithPath: CommandRunner.projectRoot)
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let base = "http://127.0.0.1:\(port)"
        var ready = false
        for _ in 0..<150 where !ready {
            ready = (try? await CommandRunner.run("/usr/bin/curl", ["-sf", "--max-time", "2", base + "/healthz"]))?.status == 0
            if !ready { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(ready, "serve --backend aws answers /healthz")

        let overview = try await CommandRunner.run("/usr/bin/curl", ["-sf", "--max-time", "30", base + "/"])
        #expect(overview.status == 0)
        #expect(overview.stdout.contains("aws-host-1"))
        #expect(overview.stdout.contains("memory_usage"))
        #expect(overview.stdout.contains("/executions/served-1"))

        let series = try await CommandRunner.run("/usr/bin/curl", ["-sf", "--max-time", "30", base + "/api/series?range=90d&metric=memory_usage"])
        #expect(series.stdout.contains(memory.timestampText), "the series is DynamoDB's record: \(series.stdout)")

        let executions = try await CommandRunner.run("/usr/bin/curl", ["-sf", "--max-time", "30", base + "/executions"])
        #expect(executions.stdout.contains("served-1"))
        #expect(executions.stdout.contains("SUCCEEDED"))
    }
}
