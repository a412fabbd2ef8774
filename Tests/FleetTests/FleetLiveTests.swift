import AsyncHTTPClient
import Collectors
import Fleet
import Foundation
import InfraMonitorCore
import NIOConcurrencyHelpers
import TestSupport
import Testing

/// A fetcher that keeps every page the inner one fetched, per target.
final class RecordingFetcher: TargetFetcher {
    let inner: any TargetFetcher
    private let pages = NIOLockedValueBox([String: [[UInt8]]]())

    init(_ inner: any TargetFetcher) { self.inner = inner }

    func fetch(_ target: ScrapeTarget, collectors: [String]) async throws(ScrapeError) -> FetchedPage {
        let page = try await inner.fetch(target, collectors: collectors)
        pages.withLockedValue { $0[target.address, default: []].append(page.bytes) }
        return page
    }

    func served(_ address: String) -> [[UInt8]] { pages.withLockedValue { $0[address] ?? [] } }
}

@Suite("the fleet scraper against a real prometheus-node-exporter", .serialized)
struct FleetLiveTests {
    static var binary: String {
        ProcessInfo.processInfo.environment["INFRA_MONITOR_NODE_EXPORTER"] ?? "/usr/bin/prometheus-node-exporter"
    }

    @Test("each metric, first over the window then since the previous scrape, equals docs/design.md (Metrics) over what it served")
    func live() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("prometheus-node-exporter not found at \(Self.binary): run scripts/install-test-deps.sh")
            return
        }
        let port = try closedPort(on: "127.0.0.1")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo",
            "--collector.filesystem", "--collector.netdev", "--collector.uname",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
        }
        let client = HTTPTargetFetcher.makeClient()
        let target = ScrapeTarget(job: "node", address: "127.0.0.1:\(port)", labels: ["job": "node", "instance": "127.0.0.1:\(port)"])
        let fetcher = RecordingFetcher(HTTPTargetFetcher(client: client))
        // Wait until it answers.
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await HTTPTargetFetcher(client: client).fetch(target, collectors: ["uname"])) != nil
            if !ready { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(ready, "node_exporter did not answer on port \(port)")
        let scraper = FleetScraper(fetcher: fetcher, stateStore: MemoryStateStore(), options: FleetScrapeOptions(sampleWindowSeconds: 0.3))
        var now = Timestamp.now()
        for metric in Metric.allCases {
            for round in 0..<2 {
                let result = await scraper.collect(metric, targets: [target], now: now)
                let outcome = try #require(result.targets.first)
                #expect(outcome.up, "\(metric): \(String(describing: outcome.error))")
                #expect(outcome.host == HostName.system())
                let pages = fetcher.served(target.address)
                let expected: [Sample]
                switch metric {
                case .memoryUsage, .diskUsage:
                    expected = try NodeExporterMapping.samples(metric, from: nil, to: try scrape(pages[pages.count - 1], at: now), host: outcome.host)
                case .cpuUtilization, .networkTraffic:
                    #expect(outcome.window == (round == 0 ? .samplingWindow : .sincePreviousScrape))
                    let rate = try #require(outcome.rateSeconds)
                    expected = try NodeExporterMapping.samples(
                        metric,
                        from: try scrape(pages[pages.count - 2], at: now.advancedForTest(-rate)),
                        to: try scrape(pages[pages.count - 1], at: now),
                        host: outcome.host
                    )
                }
                #expect(!result.samples.isEmpty || metric == .networkTraffic)
                #expect(result.samples.count == expected.count)
                for (sample, wanted) in zip(result.samples, expected) {
                    #expect(abs(sample.value - wanted.value) <= 1e-7 * max(1, abs(wanted.value)), "\(metric) round \(round)")
                    #expect(sample.labels.filter { !["job", "instance"].contains($0.key) } == wanted.labels)
                }
                if metric == .diskUsage {
                    #expect(result.samples.allSatisfy { FileSystemFilter.includes(mountPoint: $0.labels["mountpoint"] ?? "", type: "ext4") })
                }
                try await Task.sleep(nanoseconds: 300_000_000)
                now = Timestamp.now()
            }
        }
        try await client.shutdown()
    }
}
