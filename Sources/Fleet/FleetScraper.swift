public import Collectors
public import InfraMonitorCore

/// A page a target served.
public struct FetchedPage: Sendable, Hashable {
    /// The body, decompressed.
    public var bytes: [UInt8]
    /// The response's `Content-Type`, which chooses the exposition format.
    public var contentType: String?

    public init(bytes: [UInt8], contentType: String? = nil) {
        self.bytes = bytes
        self.contentType = contentType
    }
}

/// Why one target's scrape failed.
public enum ScrapeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The connection was refused or reset (retried once).
    case connectionFailed(detail: String)
    /// The target did not answer within its scrape timeout.
    case timedOut(seconds: Double)
    /// The target answered with another status than 200.
    case httpStatus(code: Int)
    /// The body is larger than the limit.
    case bodyTooLarge(limit: Int)
    /// The page is not a valid exposition.
    case malformed(ExpositionError)
    /// The page lacks what the metric needs.
    case collector(CollectorError)
    /// A credentials file could not be read.
    case credentials(path: String, reason: String)
    /// Any other transport failure.
    case transport(detail: String)

    /// Whether one retry is worth it (refused or reset connections).
    public var isRetryable: Bool {
        if case .connectionFailed = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .connectionFailed(let detail): return "connection failed: \(detail)"
        case .timedOut(let seconds): return "no answer within the scrape timeout of \(seconds) s"
        case .httpStatus(let code): return "HTTP status \(code)"
        case .bodyTooLarge(let limit): return "the body is larger than \(limit) bytes"
        case .malformed(let error): return "malformed exposition: \(error)"
        case .collector(let error): return "\(error)"
        case .credentials(let path, let reason): return "cannot read credentials file \(path): \(reason)"
        case .transport(let detail): return detail
        }
    }
}

/// Fetches one target's page; ``HTTPTargetFetcher`` does it over HTTP, tests may inject others.
public protocol TargetFetcher: Sendable {
    /// GETs the target's metrics path with node_exporter's `collect[]` filter for `collectors`.
    func fetch(_ target: ScrapeTarget, collectors: [String]) async throws(ScrapeError) -> FetchedPage
}

/// How the fleet scraper behaves.
public struct FleetScrapeOptions: Sendable, Hashable {
    /// How many targets are scraped at once.
    public var concurrency: Int
    /// The fallback window for cpu and network when a target has no usable state, in seconds.
    public var sampleWindowSeconds: Double

    public init(concurrency: Int = 64, sampleWindowSeconds: Double = 1) {
        self.concurrency = max(1, concurrency)
        self.sampleWindowSeconds = sampleWindowSeconds
    }
}

/// How a counter metric's value was averaged for one target.
public enum RateWindow: String, Sendable, Hashable {
    /// Since the previous scrape, from the kept counter state.
    case sincePreviousScrape
    /// Over the sampling window (a new target, unusable state, or counters that went down).
    case samplingWindow
    /// Not a counter metric.
    case none
}

/// The outcome for one target of one metric.
public struct TargetScrapeResult: Sendable, Hashable {
    public var target: ScrapeTarget
    /// The host its samples carry (or would carry: the address's host when it failed before
    /// `node_uname_info` was read).
    public var host: String
    public var up: Bool
    /// The time of the (first) scrape, retry included, in seconds.
    public var scrapeSeconds: Double
    /// Why it failed; nil when up.
    public var error: ScrapeError?
    public var sampleCount: Int
    public var window: RateWindow
    /// The seconds a counter metric's rate was taken over (between the two scrapes' times); nil
    /// for memory and disk and for failures.
    public var rateSeconds: Double?

    public init(
        target: ScrapeTarget,
        host: String,
        up: Bool,
        scrapeSeconds: Double,
        error: ScrapeError? = nil,
        sampleCount: Int = 0,
        window: RateWindow = .none,
        rateSeconds: Double? = nil
    ) {
        self.target = target
        self.host = host
        self.up = up
        self.scrapeSeconds = scrapeSeconds
        self.error = error
        self.sampleCount = sampleCount
        self.window = window
        self.rateSeconds = rateSeconds
    }
}

/// The samples of one metric over the fleet and each target's outcome.
public struct FleetMetricResult: Sendable, Hashable {
    public var metric: Metric
    /// Every successful target's samples, in target order.
    public var samples: [Sample]
    /// One result per target, in target order.
    public var targets: [TargetScrapeResult]

    public init(metric: Metric, samples: [Sample], targets: [TargetScrapeResult]) {
        self.metric = metric
        self.samples = samples
        self.targets = targets
    }

    /// The targets that failed.
    public var failedTargets: [TargetScrapeResult] { targets.filter { !$0.up } }

    /// ``FleetError/allTargetsFailed(metric:count:firstError:)`` when there were targets and every
    /// one failed (the metric fails then), else nil.
    public var error: FleetError? {
        guard !targets.isEmpty, targets.allSatisfy({ !$0.up }) else { return nil }
        return .allTargetsFailed(metric: metric.rawValue, count: targets.count, firstError: targets[0].error.map { "\($0)" } ?? "unknown")
    }
}

/// Scrapes node_exporter targets for one metric at a time and computes docs/design.md, "Metrics" per target.
///
/// Each target is asked only for its metric's collector and `uname` (node_exporter's
/// `collect[]`), concurrently up to ``FleetScrapeOptions/concurrency``; a refused or reset
/// connection is retried once. cpu and network are averages since the previous scrape of the
/// same target, whose counters are kept in the ``CollectorStateStore`` under the target's
/// ``ScrapeTarget/stateKey``; a new target, unreadable state, counters that went down (a reboot)
/// or a new network device fall back to two scrapes a sampling window apart. A failing target
/// is reported in its ``TargetScrapeResult`` and never stops the others.
public struct FleetScraper: Sendable {
    public let fetcher: any TargetFetcher
    public let stateStore: any CollectorStateStore
    public let options: FleetScrapeOptions
    private let sleep: @Sendable (Double) async throws -> Void
    private let clock: @Sendable () -> Double

    /// - Parameters:
    ///   - sleep: waits the sampling window; tests inject one that returns at once.
    ///   - clock: monotonic seconds, for scrape durations and the measured window.
    public init(
        fetcher: any TargetFetcher,
        stateStore: any CollectorStateStore,
        options: FleetScrapeOptions = FleetScrapeOptions(),
        sleep: @escaping @Sendable (Double) async throws -> Void = SystemCollector.realSleep,
        clock: @escaping @Sendable () -> Double = SystemCollector.monotonicSeconds
    ) {
        self.fetcher = fetcher
        self.stateStore = stateStore
        self.options = options
        self.sleep = sleep
        self.clock = clock
    }

    /// node_exporter collectors a metric needs, `uname` included for the host name.
    public static func collectors(for metric: Metric) -> [String] {
        switch metric {
        case .cpuUtilization: return ["cpu", "uname"]
        case .memoryUsage: return ["meminfo", "uname"]
        case .diskUsage: return ["filesystem", "uname"]
        case .networkTraffic: return ["netdev", "uname"]
        }
    }

    /// The series a metric reads.
    static func seriesNames(for metric: Metric) -> Set<String> {
        switch metric {
        case .cpuUtilization: return ["node_cpu_seconds_total"]
        case .memoryUsage: return ["node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes"]
        case .diskUsage:
            return ["node_filesystem_size_bytes", "node_filesystem_free_bytes", "node_filesystem_avail_bytes", "node_filesystem_device_error"]
        case .networkTraffic: return ["node_network_receive_bytes_total", "node_network_transmit_bytes_total"]
        }
    }

    /// The collector-state name of a counter metric.
    public static func stateName(for metric: Metric) -> String { "node_exporter_\(metric.rawValue)" }

    /// Scrapes every target for `metric` at `now`.
    ///
    /// Two passes: every target is scraped once (memory and disk are done then, and so are cpu and
    /// network for targets whose kept counters are usable); then, when some counter targets had no
    /// usable state, one sampling window is waited for all of them together and they are scraped a
    /// second time. The counter state of every target is read in one call before the first pass
    /// and written in one call after the last (one transaction in the SQLite store).
    public func collect(_ metric: Metric, targets: [ScrapeTarget], now: Timestamp) async -> FleetMetricResult {
        let counter = metric == .cpuUtilization || metric == .networkTraffic
        let name = Self.stateName(for: metric)
        let kept: [String: String] = counter ? (try? await stateStore.loadAll(hosts: targets.map(\.stateKey), name: name)) ?? [:] : [:]
        var outcomes = await boundedMap(targets.count) { index in
            await self.firstPass(metric, target: targets[index], kept: kept[targets[index].stateKey], now: now)
        }
        let pending = outcomes.indices.filter { outcomes[$0].pending != nil }
        if !pending.isEmpty {
            var cancelled = false
            do {
                try await sleep(options.sampleWindowSeconds)
            } catch {
                cancelled = true
            }
            if cancelled {
                for index in pending {
                    outcomes[index] = Self.failure(outcomes[index], error: .collector(.cancelled))
                }
            } else {
                let firstOutcomes = outcomes
                let second = await boundedMap(pending.count) { position in
                    let index = pending[position]
                    return await self.secondPass(metric, target: targets[index], first: firstOutcomes[index], now: now)
                }
                for (position, index) in pending.enumerated() { outcomes[index] = second[position] }
            }
        }
        var samples: [Sample] = []
        var results: [TargetScrapeResult] = []
        var states: [String: String] = [:]
        results.reserveCapacity(targets.count)
        for outcome in outcomes {
            samples += outcome.samples
            results.append(outcome.result)
            if let state = outcome.state { states[outcome.result.target.stateKey] = state }
        }
        if !states.isEmpty { try? await stateStore.saveAll(states, name: name) }
        return FleetMetricResult(metric: metric, samples: samples, targets: results)
    }

    /// `body` for `0..<count`, at most ``FleetScrapeOptions/concurrency`` at once; results in order.
    private func boundedMap<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) async -> T) async -> [T] {
        var results = [T?](repeating: nil, count: count)
        await withTaskGroup(of: (Int, T).self) { group in
            var next = 0
            while next < min(options.concurrency, count) {
                let index = next
                group.addTask { (index, await body(index)) }
                next += 1
            }
            for await (index, result) in group {
                results[index] = result
                if next < count {
                    let index = next
                    group.addTask { (index, await body(index)) }
                    next += 1
                }
            }
        }
        return results.map { $0! }
    }

    /// A counter target's first scrape, waiting for the shared sampling window: kept as its
    /// encoded counter state (a few KB), not as samples, since every target of the fleet waits.
    struct PendingRate: Sendable {
        var first: String
        /// ``FleetScraper``'s clock when the first page had arrived.
        var firstClock: Double
    }

    struct TargetOutcome: Sendable {
        var samples: [Sample]
        var result: TargetScrapeResult
        /// The counter state to keep, when there is one.
        var state: String?
        /// Set when the target needs its second scrape.
        var pending: PendingRate?
    }

    static func failure(_ outcome: TargetOutcome, error: ScrapeError) -> TargetOutcome {
        var result = outcome.result
        result.up = false
        result.error = error
        result.sampleCount = 0
        result.window = .none
        result.rateSeconds = nil
        return TargetOutcome(samples: [], result: result)
    }

    /// One target's first scrape: fetch (with one retry), parse, and compute what needs no
    /// sampling window.
    func firstPass(_ metric: Metric, target: ScrapeTarget, kept: String?, now: Timestamp) async -> TargetOutcome {
        let start = clock()
        var host = target.host(nodename: nil)
        var scrapeSeconds = 0.0
        do throws(ScrapeError) {
            let page = try await fetchPage(target, metric: metric)
            let arrived = clock()
            scrapeSeconds = arrived - start
            host = target.host(nodename: Self.nodename(page))
            let current = NodeExporterScrape(samples: page.samples(named: Self.seriesNames(for: metric)), time: now)
            var result = TargetScrapeResult(target: target, host: host, up: true, scrapeSeconds: scrapeSeconds)
            switch metric {
            case .memoryUsage, .diskUsage:
                let samples: [Sample]
                do {
                    samples =
                        metric == .memoryUsage
                        ? try NodeExporterMapping.memoryUsage(current, host: host) : try NodeExporterMapping.diskUsage(current, host: host)
                } catch {
                    throw ScrapeError.collector(error)
                }
                return Self.finished(samples, result: result, target: target)
            case .cpuUtilization, .networkTraffic:
                if let previous = kept.flatMap(NodeExporterState.decode), previous.time < now, Self.usable(previous, current, metric),
                    let samples = try? NodeExporterMapping.samples(metric, from: previous, to: current, host: host)
                {
                    result.window = .sincePreviousScrape
                    result.rateSeconds = now.secondsSince(previous.time)
                    var outcome = Self.finished(samples, result: result, target: target)
                    outcome.state = NodeExporterState.encode(current, metric: metric)
                    return outcome
                }
                let first = NodeExporterState.encode(current, metric: metric)
                return TargetOutcome(samples: [], result: result, pending: PendingRate(first: first, firstClock: arrived))
            }
        } catch {
            if scrapeSeconds == 0 { scrapeSeconds = clock() - start }
            return TargetOutcome(
                samples: [],
                result: TargetScrapeResult(target: target, host: host, up: false, scrapeSeconds: scrapeSeconds, error: error)
            )
        }
    }

    /// A counter target's second scrape after the shared sampling window: the rate between its
    /// two scrapes, over the time measured between them.
    func secondPass(_ metric: Metric, target: ScrapeTarget, first: TargetOutcome, now: Timestamp) async -> TargetOutcome {
        guard let pending = first.pending else { return first }
        do throws(ScrapeError) {
            guard let earlier = NodeExporterState.decode(pending.first) else {
                throw .collector(.malformed(path: target.address, detail: "the first scrape's counters could not be kept"))
            }
            let second = try await fetchPage(target, metric: metric)
            let measured = clock() - pending.firstClock
            let elapsed = measured > 0 ? measured : max(options.sampleWindowSeconds, 1e-3)
            let later = NodeExporterScrape(samples: second.samples(named: Self.seriesNames(for: metric)), time: now.advanced(bySeconds: elapsed))
            var samples: [Sample]
            do {
                samples = try NodeExporterMapping.samples(metric, from: earlier, to: later, host: first.result.host)
            } catch {
                throw .collector(error)
            }
            for index in samples.indices { samples[index].timestamp = now }
            var result = first.result
            result.window = .samplingWindow
            result.rateSeconds = later.time.secondsSince(now)
            var outcome = Self.finished(samples, result: result, target: target)
            outcome.state = NodeExporterState.encode(later, metric: metric)
            return outcome
        } catch {
            return Self.failure(first, error: error)
        }
    }

    /// A successful outcome: the target's labels added to its samples.
    static func finished(_ samples: [Sample], result: TargetScrapeResult, target: ScrapeTarget) -> TargetOutcome {
        var samples = samples
        let extra = target.sampleLabels
        if !extra.isEmpty {
            for index in samples.indices {
                samples[index].labels.merge(extra) { metricLabel, _ in metricLabel }
            }
        }
        var result = result
        result.sampleCount = samples.count
        return TargetOutcome(samples: samples, result: result)
    }

    /// Whether the kept counters can be the start of the rate: none went down, and (network) no
    /// device is new.
    static func usable(_ previous: NodeExporterScrape, _ current: NodeExporterScrape, _ metric: Metric) -> Bool {
        var before: [String: Double] = [:]
        for sample in previous.samples { before[key(sample)] = sample.value }
        var sawAll = true
        for sample in current.samples {
            if metric == .networkTraffic && sample.labels["device"] == "lo" { continue }
            guard let old = before[key(sample)] else {
                sawAll = false
                continue
            }
            if sample.value < old { return false }
        }
        return metric == .cpuUtilization || sawAll
    }

    private static func key(_ sample: PrometheusSample) -> String {
        sample.name + "|" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// `nodename` of `node_uname_info`, if the page has it.
    static func nodename(_ page: ExpositionPage) -> String? {
        page.samples(named: ["node_uname_info"]).first?.labels["nodename"]
    }

    /// Fetches with one retry on a refused or reset connection, then parses strictly.
    func fetchPage(_ target: ScrapeTarget, metric: Metric) async throws(ScrapeError) -> ExpositionPage {
        let collectors = Self.collectors(for: metric)
        let fetched: FetchedPage
        do {
            fetched = try await fetcher.fetch(target, collectors: collectors)
        } catch  where error.isRetryable {
            fetched = try await fetcher.fetch(target, collectors: collectors)
        }
        do {
            return try ExpositionParser.parse(fetched.bytes, format: ExpositionFormat(contentType: fetched.contentType))
        } catch {
            throw .malformed(error)
        }
    }
}

extension Timestamp {
    /// The instant `seconds` (non-negative, fractional) later.
    func advanced(bySeconds seconds: Double) -> Timestamp {
        let whole = seconds.rounded(.down)
        var nanos = Int64(nanoseconds) + Int64(((seconds - whole) * 1e9).rounded())
        var secs = self.seconds + Int64(whole)
        if nanos >= 1_000_000_000 {
            nanos -= 1_000_000_000
            secs += 1
        }
        return Timestamp(seconds: secs, nanoseconds: Int32(nanos))
    }
}
