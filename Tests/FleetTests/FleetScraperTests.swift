import AsyncHTTPClient
import Collectors
import Compression
import Fleet
import Foundation
import InfraMonitorCore
import NIOConcurrencyHelpers
import TestSupport
import Testing

/// Collector state in memory, keyed like the real stores.
actor MemoryStateStore: CollectorStateStore {
    var values: [String: String] = [:]
    func load(host: String, name: String) async throws -> String? { values[host + "#" + name] }
    func save(host: String, name: String, value: String) async throws { values[host + "#" + name] = value }
    func keys() -> Set<String> { Set(values.keys) }
}

/// Collector state in memory that counts the batched reads and writes.
actor CountingStateStore: CollectorStateStore {
    var values: [String: String] = [:]
    var loads = 0
    var saves = 0
    var saved = 0
    func load(host: String, name: String) async throws -> String? { values[host + "#" + name] }
    func save(host: String, name: String, value: String) async throws { values[host + "#" + name] = value }
    func loadAll(hosts: [String], name: String) async throws -> [String: String] {
        loads += 1
        var found: [String: String] = [:]
        for host in hosts { found[host] = values[host + "#" + name] }
        return found
    }
    func saveAll(_ values: [String: String], name: String) async throws {
        saves += 1
        saved += values.count
        for (host, value) in values { self.values[host + "#" + name] = value }
    }
    func counts() -> (loads: Int, saves: Int, saved: Int) { (loads, saves, saved) }
}

/// How one synthetic target behaves.
enum Behaviour: Sendable {
    case normal(nodename: String?)
    /// Counters restart from zero at these requests (reboots).
    case rebootAt([Int])
    case slow(seconds: Double)
    case failing(status: Int)
    case malformed
    case gzip
    /// The first connection is closed without an answer; later requests are answered.
    case resetOnce
    case huge
}

/// The synthetic fleet: what each target served, request by request.
final class SyntheticFleet: Sendable {
    let behaviours: [Behaviour]
    private let served = NIOLockedValueBox([String: [[UInt8]]]())
    private let uris = NIOLockedValueBox([String: [String]]())
    private let encodings = NIOLockedValueBox([String: [String]]())
    private let indexByTarget = NIOLockedValueBox([String: Int]())

    init(behaviours: [Behaviour]) { self.behaviours = behaviours }

    func register(_ targets: [String]) { indexByTarget.withLockedValue { map in for (i, t) in targets.enumerated() { map[t] = i } } }
    func pages(_ target: String) -> [[UInt8]] { served.withLockedValue { $0[target] ?? [] } }
    func requestURIs(_ target: String) -> [String] { uris.withLockedValue { $0[target] ?? [] } }
    func acceptEncodings(_ target: String) -> [String] { encodings.withLockedValue { $0[target] ?? [] } }

    /// node_exporter-like series whose counters grow with the request number.
    static func page(target t: Int, request n: Int, nodename: String?, rebootAt: [Int] = []) -> String {
        let k = Double(rebootAt.last { $0 <= n }.map { n - $0 } ?? (n + 50))
        var out = "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n# TYPE node_cpu_seconds_total counter\n"
        for cpu in 0..<2 {
            let modes: [(String, Double)] = [
                ("idle", 1000 + k * Double(10 + t % 7) + Double(cpu)), ("iowait", 5 + k), ("irq", 0), ("nice", 1), ("softirq", 2 + k / 2),
                ("steal", 0), ("system", 50 + k * 2), ("user", 100 + Double(t) + k * Double(3 + t % 5)),
            ]
            for (mode, value) in modes { out += "node_cpu_seconds_total{cpu=\"\(cpu)\",mode=\"\(mode)\"} \(value)\n" }
        }
        out += "# TYPE node_memory_MemTotal_bytes gauge\nnode_memory_MemTotal_bytes 8e+09\n"
        out += "# TYPE node_memory_MemAvailable_bytes gauge\nnode_memory_MemAvailable_bytes \(8e9 - Double(t + 1) * 1e8)\n"
        for (name, values) in [
            ("size", [100e9, 1e9, 1000]), ("free", [40e9 - Double(t) * 1e9, 5e8, 500]), ("avail", [35e9 - Double(t) * 1e9, 5e8, 400]),
        ] {
            out += "node_filesystem_\(name)_bytes{device=\"/dev/vda1\",fstype=\"ext4\",mountpoint=\"/\"} \(values[0])\n"
            out += "node_filesystem_\(name)_bytes{device=\"tmpfs\",fstype=\"tmpfs\",mountpoint=\"/run\"} \(values[1])\n"
            out += "node_filesystem_\(name)_bytes{device=\"/dev/vda15\",fstype=\"vfat\",mountpoint=\"/boot\"} \(values[2])\n"
        }
        out += "node_filesystem_device_error{device=\"/dev/vda1\",fstype=\"ext4\",mountpoint=\"/\"} 0\n"
        for (device, rx, tx) in [("eth0", 1e6 + k * 1000 * Double(t + 1), 5e5 + k * 100 * Double(t + 1)), ("lo", k * 5, k * 5)] {
            out += "node_network_receive_bytes_total{device=\"\(device)\"} \(rx)\nnode_network_transmit_bytes_total{device=\"\(device)\"} \(tx)\n"
        }
        if let nodename {
            out += "node_uname_info{domainname=\"(none)\",machine=\"x86_64\",nodename=\"\(nodename)\",release=\"6.1.0\",sysname=\"Linux\"} 1\n"
        }
        return out
    }

    func respond(_ request: ServedRequest) -> ServedResponse {
        guard let t = indexByTarget.withLockedValue({ $0[request.target] }) else { return ServedResponse(status: 404) }
        let n = served.withLockedValue { $0[request.target]?.count ?? 0 }
        let attempts = uris.withLockedValue { map -> Int in
            map[request.target, default: []].append(request.uri)
            return map[request.target]!.count
        }
        encodings.withLockedValue { $0[request.target, default: []].append(request.header("Accept-Encoding") ?? "") }
        var response = ServedResponse()
        var body = Self.page(target: t, request: n, nodename: "node-\(t)")
        switch behaviours[t] {
        case .normal(let nodename): body = Self.page(target: t, request: n, nodename: nodename)
        case .rebootAt(let at): body = Self.page(target: t, request: n, nodename: "node-\(t)", rebootAt: at)
        case .slow(let seconds): response.delay = seconds
        case .failing(let status): return ServedResponse(status: status, body: Array("boom\n".utf8))
        case .malformed: body = (try? Fixtures.text("malformed_page.prom")) ?? "broken{"
        case .gzip:
            if request.header("Accept-Encoding")?.contains("gzip") == true {
                served.withLockedValue { $0[request.target, default: []].append(Array(body.utf8)) }
                return ServedResponse(body: Gzip.compress(Array(body.utf8)), contentEncoding: "gzip")
            }
        case .resetOnce:
            if attempts == 1 { return ServedResponse(closeWithoutAnswer: true) }
        case .huge: body += String(repeating: "# padding comment line to make the body larger than the limit\n", count: 40_000)
        }
        served.withLockedValue { $0[request.target, default: []].append(Array(body.utf8)) }
        response.body = Array(body.utf8)
        return response
    }
}

func scrape(_ bytes: [UInt8], at time: Timestamp) throws -> NodeExporterScrape {
    NodeExporterScrape(samples: try ExpositionParser.parse(bytes).samples, time: time)
}

@Suite("the fleet scraper against synthetic loopback targets", .serialized)
struct FleetScraperTests {
    static let t0 = Timestamp(seconds: 1_800_000_000)

    /// 24 ordinary targets on 127.0.1.x and special ones on 127.0.2.x, plus a refused address.
    func makeFleet() async throws -> (SyntheticFleet, LoopbackFleet, [ScrapeTarget]) {
        var behaviours: [Behaviour] = (0..<24).map { $0 % 6 == 5 ? .normal(nodename: nil) : .normal(nodename: "node-\($0)") }
        behaviours += [.rebootAt([2, 6]), .slow(seconds: 3), .failing(status: 500), .malformed, .gzip, .resetOnce, .huge]
        let addresses = (0..<24).map { "127.0.1.\($0 + 1)" } + (0..<7).map { "127.0.2.\($0 + 1)" }
        let synthetic = SyntheticFleet(behaviours: behaviours)
        let servers = try await LoopbackFleet(addresses: addresses, respond: { synthetic.respond($0) })
        synthetic.register(servers.targets)
        var targets = servers.targets.enumerated().map { index, address in
            ScrapeTarget(job: "node", address: address, labels: ["job": "node", "instance": address, "rack": "r\(index % 3)"], timeoutSeconds: 1)
        }
        targets[0].labels["host"] = "relabeled-host"
        targets.append(
            ScrapeTarget(job: "node", address: "127.0.2.200:\(try closedPort(on: "127.0.2.200"))", labels: ["job": "node"], timeoutSeconds: 1)
        )
        return (synthetic, servers, targets)
    }

    @Test("targets without counter state share one sampling window; the state is read and written once per metric")
    func oneSharedWindow() async throws {
        let addresses = (0..<40).map { "127.0.3.\($0 + 1)" }
        let synthetic = SyntheticFleet(behaviours: addresses.map { _ in .normal(nodename: nil) })
        let servers = try await LoopbackFleet(addresses: addresses, respond: { synthetic.respond($0) })
        synthetic.register(servers.targets)
        let targets = servers.targets.map { ScrapeTarget(job: "node", address: $0, labels: ["job": "node", "instance": $0, "rack": "r"]) }
        let client = HTTPTargetFetcher.makeClient()
        let store = CountingStateStore()
        let sleeps = NIOLockedValueBox(0)
        let scraper = FleetScraper(
            fetcher: HTTPTargetFetcher(client: client),
            stateStore: store,
            options: FleetScrapeOptions(concurrency: 4, sampleWindowSeconds: 0.2),
            sleep: { seconds in
                sleeps.withLockedValue { $0 += 1 }
                try await Task.sleep(for: .seconds(seconds))
            }
        )
        do {
            let now = Self.t0
            let first = await scraper.collect(.cpuUtilization, targets: targets, now: now)
            // One sleep for all 40 targets (4 at a time), not one per target or per group of 4: the
            // count proves it without timing the test (speed is the benchmarks' job).
            #expect(sleeps.withLockedValue { $0 } == 1)
            #expect(first.targets.allSatisfy { $0.up && $0.window == .samplingWindow && ($0.rateSeconds ?? 0) >= 0.2 })
            try verify(.cpuUtilization, first, now: now, synthetic)
            #expect(await store.counts() == (loads: 1, saves: 1, saved: 40))
            #expect(targets.allSatisfy { synthetic.requestURIs($0.address).count == 2 })
            let second = await scraper.collect(.cpuUtilization, targets: targets, now: now.adding(seconds: 60))
            #expect(second.targets.allSatisfy { $0.up && $0.window == .sincePreviousScrape })
            try verify(.cpuUtilization, second, now: now.adding(seconds: 60), synthetic)
            #expect(sleeps.withLockedValue { $0 } == 1, "no window when every target has its state")
            #expect(await store.counts() == (loads: 2, saves: 2, saved: 80))
            let memory = await scraper.collect(.memoryUsage, targets: targets, now: now)
            #expect(memory.samples.count == 40 && sleeps.withLockedValue { $0 } == 1)
            #expect(await store.counts() == (loads: 2, saves: 2, saved: 80), "memory keeps no counter state")
        } catch {
            Issue.record("\(error)")
        }
        try await client.shutdown()
        await servers.stop()
    }

    @Test("cpu and network: sampling window first, then since the previous scrape; reboots, failures, gzip, retry, limits")
    func counters() async throws {
        let (synthetic, servers, targets) = try await makeFleet()
        let client = HTTPTargetFetcher.makeClient(maxBodyBytes: 1 << 20)
        let store = MemoryStateStore()
        let scraper = FleetScraper(
            fetcher: HTTPTargetFetcher(client: client, maxBodyBytes: 1 << 20),
            stateStore: store,
            options: FleetScrapeOptions(concurrency: 8, sampleWindowSeconds: 0.05)
        )
        do {
            for metric in [Metric.cpuUtilization, .networkTraffic] {
                let now1 = Self.t0
                let first = await scraper.collect(metric, targets: targets, now: now1)
                #expect(first.targets.count == targets.count && first.error == nil)
                #expect(
                    first.targets.filter(\.up).count == 27,
                    "\(first.failedTargets.map { "\($0.target.address): \(String(describing: $0.error))" })"
                )
                try verify(metric, first, now: now1, synthetic)
                let now2 = Self.t0.adding(seconds: 60)
                let second = await scraper.collect(metric, targets: targets, now: now2)
                #expect(second.targets.filter(\.up).count == 27)
                try verify(metric, second, now: now2, synthetic)
                // The first round samples; the second uses the kept state, except after the reboot.
                #expect(first.targets.filter(\.up).allSatisfy { $0.window == .samplingWindow })
                #expect(second.targets.filter { $0.up && $0.window == .samplingWindow }.map(\.target.address) == [targets[24].address])
                let firstRate = try #require(first.targets[0].rateSeconds)
                #expect(abs(try #require(second.targets[0].rateSeconds) - (60 - firstRate)) < 1e-6)
                // The measured window is at least the configured 0.05 s; how much longer depends on the
                // machine's load (the whole suite runs in parallel on two cores), so only a bound that
                // keeps the second window positive is checked.
                #expect(firstRate >= 0.05 && firstRate < 60)
            }
            // Hosts: relabeled, uname, address.
            let memory = await scraper.collect(.memoryUsage, targets: targets, now: Self.t0)
            #expect(memory.targets[0].host == "relabeled-host" && memory.targets[1].host == "node-1" && memory.targets[5].host == "127.0.1.6")
            #expect(memory.samples.first { $0.host == "node-1" }?.labels == ["job": "node", "instance": targets[1].address, "rack": "r1"])
            #expect(memory.samples.first { $0.host == "node-1" }?.value == 100 * 2e8 / 8e9)
            // Failures, each with its reason; the others are unaffected.
            let failed = Dictionary(uniqueKeysWithValues: memory.failedTargets.map { ($0.target.address, $0.error!) })
            #expect(failed.count == 5)
            #expect(memory.failedTargetList.map(\.target) == [25, 26, 27, 30, 31].map { targets[$0].address })
            #expect(memory.failedTargetList[1] == FailedTarget(target: targets[26].address, host: "127.0.2.3", error: "HTTP status 500"))
            if case .timedOut? = failed[targets[25].address] {} else { Issue.record("slow: \(String(describing: failed[targets[25].address]))") }
            #expect(failed[targets[26].address] == .httpStatus(code: 500))
            if case .malformed(let error)? = failed[targets[27].address] { #expect(error.line == 4) } else { Issue.record("malformed") }
            #expect(failed[targets[30].address] == .bodyTooLarge(limit: 1 << 20))
            if case .connectionFailed? = failed[targets[31].address] {
            } else {
                Issue.record("refused: \(String(describing: failed[targets[31].address]))")
            }
            #expect(memory.targets[25].scrapeSeconds >= 0.9 && memory.targets[25].scrapeSeconds < 2.5)
            // gzip was asked for and used; the reset connection was retried.
            #expect(synthetic.acceptEncodings(targets[28].address).allSatisfy { $0.contains("gzip") })
            #expect(memory.targets[28].up && memory.targets[29].up)
            // Disk: the tmpfs /run is skipped.
            let disk = await scraper.collect(.diskUsage, targets: Array(targets[1...2]), now: Self.t0)
            #expect(disk.samples.map { $0.labels["mountpoint"]! } == ["/", "/boot", "/", "/boot"])
            #expect(disk.samples[0].value == 100 * 61e9 / 95e9 && disk.samples[1].value == 100 * 500 / 900)
            // Only the metric's collector and uname were asked for.
            let uris = synthetic.requestURIs(targets[1].address)
            #expect(uris.contains("/metrics?collect%5B%5D=cpu&collect%5B%5D=uname"))
            #expect(uris.contains("/metrics?collect%5B%5D=meminfo&collect%5B%5D=uname"))
            #expect(uris.contains("/metrics?collect%5B%5D=filesystem&collect%5B%5D=uname"))
            #expect(uris.contains("/metrics?collect%5B%5D=netdev&collect%5B%5D=uname"))
            // State per target and metric.
            #expect(await store.keys().contains(targets[3].stateKey + "#node_exporter_cpu_utilization"))
            // Every target failing fails the metric.
            let failing = await scraper.collect(.memoryUsage, targets: [targets[26], targets[31]], now: Self.t0)
            #expect(failing.error == .allTargetsFailed(metric: "memory_usage", count: 2, firstError: "HTTP status 500"))
        }
        try await client.shutdown()
        await servers.stop()
    }
}

/// Every up target's samples equal docs/design.md, "Metrics" computed from the last two pages it served, taken
/// `rateSeconds` apart.
func verify(_ metric: Metric, _ result: FleetMetricResult, now: Timestamp, _ synthetic: SyntheticFleet) throws {
    for target in result.targets where target.up {
        let pages = synthetic.pages(target.target.address)
        let rate = try #require(target.rateSeconds)
        let expected = try NodeExporterMapping.samples(
            metric,
            from: try scrape(pages[pages.count - 2], at: now.advancedForTest(-rate)),
            to: try scrape(pages[pages.count - 1], at: now),
            host: target.host
        )
        let samples = result.samples.filter { $0.host == target.host && $0.labels["instance"] == target.target.labels["instance"] }
        #expect(samples.count == expected.count && !samples.isEmpty, "\(metric) \(target.target.address)")
        for (sample, wanted) in zip(samples, expected) {
            #expect(sample.labels.filter { ["device", "direction"].contains($0.key) } == wanted.labels)
            #expect(abs(sample.value - wanted.value) <= 1e-7 * max(1, abs(wanted.value)), "\(metric) \(target.target.address) \(target.window)")
        }
        #expect(samples.allSatisfy { $0.timestamp == now && $0.labels["rack"] != nil && $0.labels["job"] == "node" })
    }
}

extension Timestamp {
    func advancedForTest(_ seconds: Double) -> Timestamp {
        let total = Int64(self.seconds) * 1_000_000_000 + Int64(nanoseconds) + Int64((seconds * 1e9).rounded())
        let (q, r) = total.quotientAndRemainder(dividingBy: 1_000_000_000)
        return r < 0 ? Timestamp(seconds: q - 1, nanoseconds: Int32(r + 1_000_000_000)) : Timestamp(seconds: q, nanoseconds: Int32(r))
    }
}
