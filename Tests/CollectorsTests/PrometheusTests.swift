import Foundation
import InfraMonitorCore
import TestSupport
import Testing

@testable import Collectors

@Suite("Prometheus text and the node_exporter mapping")
struct PrometheusTests {
    @Test("the parser reads names, labels with escapes, special values and timestamps")
    func parser() {
        let text = """
            # HELP x_total A counter.
            # TYPE x_total counter
            x_total 1027 1395066363000
            http_requests_total{method="post",code="200",} 3e+02
              metric_without_labels{} -Inf
            escaped{path="C:\\\\dir\\\\",quote="say \\"hi\\"",nl="a\\nb"} NaN
            le_bucket{le="+Inf"} +Inf\r
            broken{a="1" 2
            nolabel_value
            bad_value{} abc

            """
        let samples = PrometheusText.parse(text)
        #expect(samples.map(\.name) == ["x_total", "http_requests_total", "metric_without_labels", "escaped", "le_bucket"])
        #expect(samples[0].value == 1027 && samples[0].timestampMilliseconds == 1_395_066_363_000)
        #expect(samples[1].labels == ["method": "post", "code": "200"] && samples[1].value == 300)
        #expect(samples[2].value == -.infinity && samples[2].labels.isEmpty)
        #expect(samples[3].labels == ["path": "C:\\dir\\", "quote": "say \"hi\"", "nl": "a\nb"] && samples[3].value.isNaN)
        #expect(samples[4].value == .infinity && samples[4].labels == ["le": "+Inf"])
    }

    @Test("the fixture scrape parses completely")
    func fixtureParses() throws {
        let text = try Fixtures.text("node_exporter_1.prom")
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(PrometheusText.parse(text).count == lines.count)
    }

    func scrapes() throws -> (NodeExporterScrape, NodeExporterScrape) {
        (
            NodeExporterScrape(text: try Fixtures.text("node_exporter_1.prom"), time: t0),
            NodeExporterScrape(text: try Fixtures.text("node_exporter_2.prom"), time: t0.adding(seconds: 10))
        )
    }

    @Test("memory and disk from one scrape")
    func memoryAndDisk() throws {
        let (_, later) = try scrapes()
        let memory = try NodeExporterMapping.memoryUsage(later, host: "n1")
        #expect(memory.map(\.value) == [25])
        #expect(memory.first?.metric == "memory_usage" && memory.first?.host == "n1" && memory.first?.timestamp == later.time)
        let disk = try NodeExporterMapping.diskUsage(later, host: "n1")
        #expect(disk.map(\.labels) == [["mountpoint": "/"], ["mountpoint": "/boot"]])
        #expect(abs(disk[0].value - 100 * 60.0 / 95.0) < 1e-9)
        #expect(disk[1].value == 50)
    }

    @Test("cpu and network from two scrapes")
    func cpuAndNetwork() throws {
        let (earlier, later) = try scrapes()
        let cpu = try NodeExporterMapping.samples(.cpuUtilization, from: earlier, to: later, host: "n1")
        #expect(cpu.count == 1)
        #expect(abs(cpu[0].value - 55) < 1e-9)
        let network = try NodeExporterMapping.samples(.networkTraffic, from: earlier, to: later, host: "n1")
        #expect(network.count == 2)
        #expect(value(network, ["device": "eth0", "direction": "rx"]) == 100_000)
        #expect(value(network, ["device": "eth0", "direction": "tx"]) == 5_000)
        #expect(network.allSatisfy { $0.unit == "Bytes/Second" && $0.timestamp == later.time })
    }

    @Test("missing series and reversed scrapes are errors")
    func errors() throws {
        let (earlier, later) = try scrapes()
        let empty = NodeExporterScrape(samples: [], time: t0)
        for metric in [Metric.memoryUsage, .diskUsage] {
            #expect(throws: CollectorError.self) { try NodeExporterMapping.samples(metric, from: nil, to: empty, host: "n1") }
        }
        #expect(throws: CollectorError.self) { try NodeExporterMapping.samples(.cpuUtilization, from: nil, to: later, host: "n1") }
        #expect(throws: CollectorError.self) { try NodeExporterMapping.cpuUtilization(from: later, to: earlier, host: "n1") }
        #expect(throws: CollectorError.self) { try NodeExporterMapping.networkTraffic(from: later, to: earlier, host: "n1") }
    }

    @Test("NodeExporterCollector: state between collections, and two scrapes a window apart on the first run")
    func collectorWithState() async throws {
        let first = try Fixtures.text("node_exporter_1.prom")
        let second = try Fixtures.text("node_exporter_2.prom")
        let procs = try ProcSwitch("proc1")  // only for its fake sleep and clock
        let scrapes = ScrapeQueue([first, second])
        let collector = NodeExporterCollector(
            target: "fixture",
            hostName: "n1",
            sampleWindowSeconds: 10,
            sleep: procs.sleep(switchingTo: nil),
            clock: procs.clock,
            scrape: { try scrapes.next() }
        )
        let (cpu, cpuState) = try await collector.collect(.cpuUtilization, previousState: nil, now: t0)
        #expect(abs(try #require(cpu.first).value - 55) < 1e-9)
        #expect(procs.sleepCalls == [10])
        let state = try #require(cpuState)
        #expect(state.hasPrefix("# infra-monitor node_exporter state v1 t=1795000010.000000000\n"))

        // With the state of scrape 1 at t0, scrape 2 at t0+10 needs no window.
        let stateless = NodeExporterCollector(target: "fixture", hostName: "n1", sleep: noSleep, scrape: { second })
        let firstState = NodeExporterCollector.encodeState(NodeExporterScrape(text: first, time: t0), .networkTraffic)
        let (network, _) = try await stateless.collect(.networkTraffic, previousState: firstState, now: t0.adding(seconds: 10))
        #expect(value(network, ["device": "eth0", "direction": "rx"]) == 100_000)
        let (memory, memoryState) = try await stateless.collect(.memoryUsage, previousState: nil, now: t0)
        #expect(memory.map(\.value) == [25] && memoryState == nil)

        let failing = NodeExporterCollector(
            target: "http://127.0.0.1:1/metrics",
            hostName: "n1",
            sleep: noSleep,
            scrape: { throw ScrapeQueue.Empty() }
        )
        await #expect(throws: CollectorError.self) { try await failing.collect(.memoryUsage, previousState: nil, now: t0) }
    }
}

/// Scrape texts handed out in order.
final class ScrapeQueue: @unchecked Sendable {
    struct Empty: Error {}
    private var texts: [String]
    private let lock = NSLock()
    init(_ texts: [String]) { self.texts = texts }
    func next() throws -> String {
        try lock.withLock {
            guard !texts.isEmpty else { throw Empty() }
            return texts.removeFirst()
        }
    }
}
