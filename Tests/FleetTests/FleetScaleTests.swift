import AsyncHTTPClient
import Fleet
import Foundation
import InfraMonitorCore
import InfraMonitorTesting
import TestSupport
import Testing

/// Peak resident memory of this process (server and scraper together), in MiB.
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Opt-in (`FLEET_SCALE_TARGETS=10,100,1000`): time and memory of scraping many loopback targets
/// serving the 100 KB node_exporter page filtered by `collect[]`, each metric in steady state
/// (counter state present) after a first round over the sampling window. Results go to stdout
/// and to `$FLEET_SCALE_OUTPUT` (JSON) when set.
@Suite("fleet scale", .serialized)
struct FleetScaleTests {
    @Test("10, 100, 1,000 loopback targets", .enabled(if: ProcessInfo.processInfo.environment["FLEET_SCALE_TARGETS"] != nil))
    func scale() async throws {
        let counts = (ProcessInfo.processInfo.environment["FLEET_SCALE_TARGETS"] ?? "10").split(separator: ",").compactMap { Int($0) }
        let filter = NodeExporterCollectPages(
            fullPage: try String(contentsOfFile: Fixtures.path("../../CollectorsTests/Fixtures/node_exporter_100k.prom"), encoding: .utf8)
        )
        var report: [[String: Double]] = []
        for count in counts {
            let addresses = (0..<count).map { "127.0.\(20 + $0 / 250).\($0 % 250 + 1)" }
            let servers = try await LoopbackFleet(addresses: addresses, threads: 1) { request in
                ServedResponse(body: filter.page(for: request.uri))
            }
            let targets = servers.targets.map { ScrapeTarget(job: "node", address: $0, labels: ["job": "node", "instance": $0]) }
            let client = HTTPTargetFetcher.makeClient()
            let scraper = FleetScraper(
                fetcher: HTTPTargetFetcher(client: client),
                stateStore: MemoryStateStore(),
                options: FleetScrapeOptions(concurrency: 64, sampleWindowSeconds: 0.2)
            )
            var row: [String: Double] = ["targets": Double(count)]
            let start = Date()
            for metric in Metric.allCases {
                let result = await scraper.collect(metric, targets: targets, now: .now())
                #expect(result.failedTargets.isEmpty, "\(result.failedTargets.first.map { "\($0.error!)" } ?? "")")
            }
            row["first_round_all_metrics_s"] = Date().timeIntervalSince(start)
            let steady = Date()
            for metric in Metric.allCases {
                let one = Date()
                let result = await scraper.collect(metric, targets: targets, now: .now())
                row["\(metric.rawValue)_s"] = Date().timeIntervalSince(one)
                #expect(result.failedTargets.isEmpty && result.samples.count >= count)
            }
            row["steady_all_metrics_s"] = Date().timeIntervalSince(steady)
            row["peak_rss_mib"] = peakResidentMiB()
            report.append(row)
            print("fleet scale:", row.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.3f", $0.value))" }.joined(separator: " "))
            try await client.shutdown()
            await servers.stop()
        }
        if let output = ProcessInfo.processInfo.environment["FLEET_SCALE_OUTPUT"] {
            try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]).write(to: URL(fileURLWithPath: output))
        }
    }
}
