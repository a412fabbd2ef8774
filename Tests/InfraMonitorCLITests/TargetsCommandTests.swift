import Foundation
import InfraJSON
import TestSupport
import Testing

/// `infra-monitor targets` and `executions show` over a real fleet: two prometheus-node-exporter
/// processes on their own loopback addresses (127.0.3.7 and 127.0.3.8) and a third address where
/// nothing listens, scraped by one `run`.
@Suite("targets over a real fleet", .serialized)
struct TargetsCommandTests {
    static var nodeExporter: String {
        ProcessInfo.processInfo.environment["INFRA_MONITOR_NODE_EXPORTER"] ?? "/usr/bin/prometheus-node-exporter"
    }

    /// Starts node_exporter on `address`; returns it once it answers.
    static func startExporter(_ address: String) async throws -> Process {
        let exporter = Process()
        exporter.executableURL = URL(fileURLWithPath: nodeExporter)
        exporter.arguments = ["--web.listen-address=\(address)"]
        exporter.standardOutput = FileHandle.nullDevice
        exporter.standardError = FileHandle.nullDevice
        try exporter.run()
        for _ in 0..<100 {
            if (try? await CommandRunner.run("/usr/bin/curl", ["-sf", "-o", "/dev/null", "http://\(address)/metrics"]))?.status == 0 {
                return exporter
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(exporter.processIdentifier, SIGKILL)
        exporter.waitUntilExit()
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "node_exporter did not answer on \(address)"])
    }

    static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test func targetsListsDiscoveredTargetsWithTheirLastScrapeAndExecutionsShowListsTheFailedOne() async throws {
        let first = "127.0.3.7:\(try await CommandRunner.freePort())"
        let second = "127.0.3.8:\(try await CommandRunner.freePort())"
        let closed = "127.0.3.9:\(try await CommandRunner.freePort())"
        let a = try await Self.startExporter(first)
        defer { Self.stop(a) }
        let b = try await Self.startExporter(second)
        defer { Self.stop(b) }
        let dataDir = try Fixtures.temporaryDirectory("targets-command")
        try """
        scrape_configs:
          - job_name: node
            scrape_timeout: 5s
            static_configs:
              - targets: ["\(first)", "\(second)", "\(closed)"]
                labels: {rack: r1}
            relabel_configs:
              - source_labels: [__address__]
                regex: "\(first)"
                target_label: host
                replacement: fleet-a
        """.write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)

        let before = try await CommandRunner.infraMonitor(["targets", "--format", "json", "--data-dir", dataDir])
        #expect(before.status == 0, "\(before.stderr)")
        let unknown = try JSON(parsing: before.stdout)["targets"]?.arrayValue ?? []
        #expect(unknown.map { $0["state"]?.stringValue } == ["UNKNOWN", "UNKNOWN", "UNKNOWN"], "nothing scraped yet: \(before.stdout)")

        let run = try await CommandRunner.infraMonitor(["run", "--data-dir", dataDir])
        #expect(run.status == 0, "one failing target never fails the execution: \(run.stderr)")

        let after = try await CommandRunner.infraMonitor(["targets", "--format", "json", "--data-dir", dataDir])
        #expect(after.status == 0, "\(after.stderr)")
        let targets = try JSON(parsing: after.stdout)["targets"]?.arrayValue ?? []
        let byAddress = Dictionary(uniqueKeysWithValues: targets.compactMap { t in t["target"]?.stringValue.map { ($0, t) } })
        #expect(byAddress.count == 3, "\(after.stdout)")
        let up = try #require(byAddress[first])
        #expect(up["state"]?.stringValue == "UP")
        #expect(up["host"]?.stringValue == "fleet-a", "the relabeled host")
        #expect(up["labels"]?["rack"]?.stringValue == "r1", "the final labels")
        let seconds = try #require(up["scrape_seconds"]?.doubleValue)
        #expect(seconds > 0 && seconds < 5, "a scrape within its timeout: \(seconds) s")
        #expect(up["last_scrape"]?.stringValue != nil)
        #expect(byAddress[second]?["state"]?.stringValue == "UP")
        #expect(byAddress[second]?["host"]?.stringValue != "127.0.3.8", "node_uname_info's nodename names the host")
        let down = try #require(byAddress[closed])
        #expect(down["state"]?.stringValue == "DOWN")
        #expect(down["error"]?.stringValue?.contains("connection") == true, "\(down)")

        let table = try await CommandRunner.infraMonitor(["targets", "--data-dir", dataDir])
        #expect(table.stdout.contains("(3 targets, 1 down, 0 dropped by relabeling)"), "\(table.stdout)")
        #expect(table.stdout.contains("fleet-a") && table.stdout.contains("DOWN"))

        let execution = try #require(up["execution_id"]?.stringValue)
        let show = try await CommandRunner.infraMonitor(["executions", "show", execution, "--data-dir", dataDir])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("failed targets"), "\(show.stdout)")
        #expect(show.stdout.contains(closed))
        #expect(!show.stdout.contains(first), "only the failed target is listed")
    }

    @Test func targetsWithoutScrapeConfigsSaysHowToAddThem() async throws {
        let dataDir = try Fixtures.temporaryDirectory("targets-none")
        let result = try await CommandRunner.infraMonitor(["targets", "--data-dir", dataDir])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("the config has no scrape_configs"))
    }
}
