import Foundation
import InfraJSON
import TestSupport
import Testing

/// `run` over `scrape_configs`: a real prometheus-node-exporter on 127.0.0.1 and a target where
/// nothing listens, relabeled as an operator would.
@Suite("Fleet from the config", .serialized)
struct FleetCommandLineTests {
    static var nodeExporter: String {
        ProcessInfo.processInfo.environment["INFRA_MONITOR_NODE_EXPORTER"] ?? "/usr/bin/prometheus-node-exporter"
    }

    @Test func aRunScrapesEveryTargetListsTheFailedOneAndStoresTheRelabeledHost() async throws {
        let port = try await CommandRunner.freePort()
        let exporter = Process()
        exporter.executableURL = URL(fileURLWithPath: Self.nodeExporter)
        exporter.arguments = ["--web.listen-address=127.0.0.1:\(port)"]
        exporter.standardOutput = FileHandle.nullDevice
        exporter.standardError = FileHandle.nullDevice
        try exporter.run()
        defer {
            kill(exporter.processIdentifier, SIGKILL)
            exporter.waitUntilExit()
        }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await CommandRunner.run("/usr/bin/curl", ["-sf", "-o", "/dev/null", "http://127.0.0.1:\(port)/metrics"]))?.status == 0
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready, "node_exporter answers on 127.0.0.1:\(port)")
        let closed = try await CommandRunner.freePort()
        let dataDir = try Fixtures.temporaryDirectory("fleet-run")
        try """
        scrape_configs:
          - job_name: node
            scrape_timeout: 5s
            static_configs:
              - targets: ["127.0.0.1:\(port)", "127.0.0.1:\(closed)"]
                labels: {rack: r1}
            relabel_configs:
              - source_labels: [__address__]
                regex: "127.0.0.1:\(port)"
                target_label: host
                replacement: fleet-node-1
        """.write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)

        let run = try await CommandRunner.infraMonitor(["run", "--data-dir", dataDir])
        #expect(run.status == 0, "one failing target never fails the execution: \(run.stderr)")

        let hosts = try await CommandRunner.infraMonitor([
            "query", "--format", "csv", "SELECT DISTINCT host, metric, labels FROM metrics ORDER BY metric", "--data-dir", dataDir,
        ])
        #expect(hosts.stdout.contains("fleet-node-1,memory_usage"), "\(hosts.stdout)")
        #expect(hosts.stdout.contains("rack"), "target labels become sample labels: \(hosts.stdout)")
        #expect(!hosts.stdout.contains("\(closed)"))
        let outbox = try await CommandRunner.infraMonitor(["notifications", "--format", "json", "--data-dir", dataDir])
        let message = try JSON(parsing: String(outbox.stdout.split(separator: "\n").first ?? ""))["message"]
        #expect(message?["status"] == "SUCCEEDED")
        let failed = message?["failed_targets"]?.arrayValue ?? []
        #expect(failed.count == 1, "\(outbox.stdout)")
        #expect(failed.first?["target"]?.stringValue == "127.0.0.1:\(closed)")
    }
}
