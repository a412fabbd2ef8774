public import InfraMonitorCore

/// Collects the four metrics from a node_exporter target with the same contract as
/// ``SystemCollector``: cpu and network are averages since the previous collection, whose counters
/// are the state; without usable state the target is scraped twice, a sampling window apart.
///
/// Fetching is injected (`scrape` returns the text exposition), so the library needs no HTTP client.
///
/// State format: the counter series kept, as Prometheus text, after a first line
/// `# infra-monitor node_exporter state v1 t=SECONDS.NANOSECONDS`.
public struct NodeExporterCollector: Sendable {
    /// The target, for error messages (e.g. `http://10.0.0.5:9100/metrics`).
    public let target: String
    public let hostName: String
    public let sampleWindowSeconds: Double
    private let scrape: @Sendable () async throws -> String
    private let sleep: @Sendable (Double) async throws -> Void
    private let clock: @Sendable () -> Double

    public init(
        target: String,
        hostName: String,
        sampleWindowSeconds: Double = 1,
        sleep: @escaping @Sendable (Double) async throws -> Void = SystemCollector.realSleep,
        clock: @escaping @Sendable () -> Double = SystemCollector.monotonicSeconds,
        scrape: @escaping @Sendable () async throws -> String
    ) {
        self.target = target
        self.hostName = hostName
        self.sampleWindowSeconds = sampleWindowSeconds
        self.scrape = scrape
        self.sleep = sleep
        self.clock = clock
    }

    /// Samples of one metric at `now`, and the state to keep for the next collection (nil for
    /// memory and disk).
    public func collect(
        _ metric: Metric,
        previousState: String?,
        now: Timestamp
    ) async throws(CollectorError) -> (
        samples: [Sample], state: String?
    ) {
        let current = NodeExporterScrape(text: try await fetch(), time: now)
        switch metric {
        case .memoryUsage, .diskUsage:
            return (try NodeExporterMapping.samples(metric, from: nil, to: current, host: hostName), nil)
        case .cpuUtilization, .networkTraffic:
            if let previous = previousState.flatMap(Self.decodeState), previous.time < now {
                do {
                    let samples = try NodeExporterMapping.samples(metric, from: previous, to: current, host: hostName)
                    if metric == .cpuUtilization || Self.sameDevices(previous, current) {
                        return (samples, Self.encodeState(current, metric))
                    }
                } catch {
                    if case .counterReset = error {} else { throw error }
                }
            }
            let start = clock()
            do { try await sleep(sampleWindowSeconds) } catch { throw .cancelled }
            let text = try await fetch()
            let measured = clock() - start
            let later = NodeExporterScrape(text: text, time: now.adding(secondsFraction: measured > 0 ? measured : sampleWindowSeconds))
            var samples = try NodeExporterMapping.samples(metric, from: current, to: later, host: hostName)
            for index in samples.indices { samples[index].timestamp = now }
            return (samples, Self.encodeState(later, metric))
        }
    }

    private func fetch() async throws(CollectorError) -> String {
        do {
            return try await scrape()
        } catch let error as CollectorError {
            throw error
        } catch {
            throw .scrapeFailed(target: target, reason: "\(error)")
        }
    }

    /// Whether every device of `later` was in `earlier` (a new device means a fresh window).
    static func sameDevices(_ earlier: NodeExporterScrape, _ later: NodeExporterScrape) -> Bool {
        var known = Set<String>()
        for sample in earlier.samples where sample.name == "node_network_receive_bytes_total" {
            if let device = sample.labels["device"] { known.insert(device) }
        }
        for sample in later.samples where sample.name == "node_network_receive_bytes_total" {
            if let device = sample.labels["device"], device != "lo", !known.contains(device) { return false }
        }
        return true
    }

    static let stateHeader = "# infra-monitor node_exporter state v1 t="

    static func encodeState(_ scrape: NodeExporterScrape, _ metric: Metric) -> String {
        let names: Set<String> =
            metric == .cpuUtilization
            ? ["node_cpu_seconds_total"] : ["node_network_receive_bytes_total", "node_network_transmit_bytes_total"]
        var nanos = String(scrape.time.nanoseconds)
        nanos = String(repeating: "0", count: 9 - nanos.count) + nanos
        var out = stateHeader + "\(scrape.time.seconds).\(nanos)\n"
        for sample in scrape.samples where names.contains(sample.name) {
            out += sample.name
            if !sample.labels.isEmpty {
                out += "{"
                var first = true
                for key in sample.labels.keys.sorted() {
                    if !first { out += "," }
                    first = false
                    out += key + "=\""
                    for character in sample.labels[key]! {
                        switch character {
                        case "\\": out += "\\\\"
                        case "\"": out += "\\\""
                        case "\n": out += "\\n"
                        default: out.append(character)
                        }
                    }
                    out += "\""
                }
                out += "}"
            }
            out += " " + String(sample.value) + "\n"
        }
        return out
    }

    static func decodeState(_ text: String) -> NodeExporterScrape? {
        guard text.hasPrefix(stateHeader), let lineEnd = text.firstIndex(of: "\n") else { return nil }
        let stamp = text[text.index(text.startIndex, offsetBy: stateHeader.count)..<lineEnd]
        let parts = stamp.split(separator: ".")
        guard parts.count == 2, let seconds = Int64(parts[0]), parts[1].count == 9, let nanos = Int32(parts[1]) else { return nil }
        return NodeExporterScrape(text: String(text[lineEnd...]), time: Timestamp(seconds: seconds, nanoseconds: nanos))
    }
}

/// The counter state of a node_exporter target as text, for collectors that keep it elsewhere
/// (the fleet scraper keeps one per target): the same format as ``NodeExporterCollector``'s.
public enum NodeExporterState {
    /// The series of `scrape` that `metric`'s next rate needs, with the scrape's time.
    public static func encode(_ scrape: NodeExporterScrape, metric: Metric) -> String {
        NodeExporterCollector.encodeState(scrape, metric)
    }

    /// The scrape kept by ``encode(_:metric:)``; nil when `text` is not such a state.
    public static func decode(_ text: String) -> NodeExporterScrape? { NodeExporterCollector.decodeState(text) }
}
