public import InfraMonitorCore

/// One scrape of a node_exporter target: its samples and when it was taken.
public struct NodeExporterScrape: Sendable, Hashable {
    public var samples: [PrometheusSample]
    public var time: Timestamp

    public init(samples: [PrometheusSample], time: Timestamp) {
        self.samples = samples
        self.time = time
    }

    /// Parses the text exposition of a scrape.
    public init(text: String, time: Timestamp) {
        self.init(samples: PrometheusText.parse(text), time: time)
    }
}

/// The four metrics of docs/design.md, "Metrics" computed from node_exporter series instead of procfs.
///
/// memory and disk need one scrape; cpu and network are rates between two scrapes of the same
/// target. Samples carry the time of the later scrape.
public enum NodeExporterMapping {
    /// Samples of `metric`; `earlier` is required for cpu and network.
    /// - Throws: ``CollectorError/missingSeries(name:detail:)`` when a needed series is absent,
    ///   ``CollectorError/counterReset(detail:)`` when cpu counters went backwards.
    public static func samples(
        _ metric: Metric,
        from earlier: NodeExporterScrape?,
        to later: NodeExporterScrape,
        host: String
    ) throws(CollectorError) -> [Sample] {
        switch metric {
        case .memoryUsage: return try memoryUsage(later, host: host)
        case .diskUsage: return try diskUsage(later, host: host)
        case .cpuUtilization, .networkTraffic:
            guard let earlier else {
                throw .missingSeries(name: "an earlier scrape", detail: "\(metric.rawValue) is a rate between two scrapes")
            }
            return metric == .cpuUtilization
                ? try cpuUtilization(from: earlier, to: later, host: host) : try networkTraffic(from: earlier, to: later, host: host)
        }
    }

    /// 100 × (MemTotal − MemAvailable) / MemTotal.
    public static func memoryUsage(_ scrape: NodeExporterScrape, host: String) throws(CollectorError) -> [Sample] {
        var total: Double?
        var available: Double?
        for sample in scrape.samples {
            if sample.name == "node_memory_MemTotal_bytes" { total = sample.value }
            if sample.name == "node_memory_MemAvailable_bytes" { available = sample.value }
        }
        guard let total, total > 0 else { throw .missingSeries(name: "node_memory_MemTotal_bytes", detail: "meminfo collector") }
        guard let available else { throw .missingSeries(name: "node_memory_MemAvailable_bytes", detail: "meminfo collector") }
        return [make(.memoryUsage, host, scrape.time, 100 * max(0, total - available) / total)]
    }

    /// Per mount point, 100 × used / (used + avail) with used = size − free, for the file systems
    /// ``FileSystemFilter`` keeps, skipping zero-size ones and those node_exporter could not measure.
    public static func diskUsage(_ scrape: NodeExporterScrape, host: String) throws(CollectorError) -> [Sample] {
        struct Sizes {
            var size: Double?
            var free: Double?
            var avail: Double?
            var error = false
            var type = ""
        }
        var order: [String] = []
        var byMountPoint: [String: Sizes] = [:]
        var sawFilesystem = false
        for sample in scrape.samples where sample.name.hasPrefix("node_filesystem_") {
            guard let mountPoint = sample.labels["mountpoint"] else { continue }
            sawFilesystem = true
            if byMountPoint[mountPoint] == nil {
                order.append(mountPoint)
                byMountPoint[mountPoint] = Sizes()
            }
            byMountPoint[mountPoint]!.type = sample.labels["fstype"] ?? byMountPoint[mountPoint]!.type
            switch sample.name {
            case "node_filesystem_size_bytes": byMountPoint[mountPoint]!.size = sample.value
            case "node_filesystem_free_bytes": byMountPoint[mountPoint]!.free = sample.value
            case "node_filesystem_avail_bytes": byMountPoint[mountPoint]!.avail = sample.value
            case "node_filesystem_device_error": if sample.value != 0 { byMountPoint[mountPoint]!.error = true }
            default: break
            }
        }
        guard sawFilesystem else { throw .missingSeries(name: "node_filesystem_size_bytes", detail: "filesystem collector") }
        var result: [Sample] = []
        for mountPoint in order {
            let sizes = byMountPoint[mountPoint]!
            guard !sizes.error, FileSystemFilter.includes(mountPoint: mountPoint, type: sizes.type), let size = sizes.size,
                let free = sizes.free, let avail = sizes.avail, size > 0
            else { continue }
            let used = max(0, size - free)
            guard used + avail > 0 else { continue }
            result.append(make(.diskUsage, host, scrape.time, 100 * used / (used + avail), ["mountpoint": mountPoint]))
        }
        return result
    }

    /// 100 × (Δtotal − Δidle − Δiowait) / Δtotal of `node_cpu_seconds_total` summed over cpus.
    public static func cpuUtilization(
        from earlier: NodeExporterScrape,
        to later: NodeExporterScrape,
        host: String
    ) throws(CollectorError)
        -> [Sample]
    {
        let before = try cpuTotals(earlier)
        let after = try cpuTotals(later)
        let total = after.total - before.total
        let idle = (after.idle - before.idle) + (after.iowait - before.iowait)
        guard total >= 0, after.idle >= before.idle, after.iowait >= before.iowait else {
            throw .counterReset(detail: "node_cpu_seconds_total decreased")
        }
        let value = total > 0 ? min(100, max(0, 100 * (total - idle) / total)) : 0
        return [make(.cpuUtilization, host, later.time, value)]
    }

    /// Bytes per second per device (except `lo`) and direction from
    /// `node_network_receive_bytes_total` and `node_network_transmit_bytes_total`; devices new in
    /// the later scrape or whose counters went backwards are left out.
    public static func networkTraffic(
        from earlier: NodeExporterScrape,
        to later: NodeExporterScrape,
        host: String
    ) throws(CollectorError)
        -> [Sample]
    {
        let seconds = later.time.secondsSince(earlier.time)
        guard seconds > 0 else { throw .counterReset(detail: "the later scrape is not later") }
        let before = try networkCounters(earlier)
        let after = try networkCounters(later)
        var result: [Sample] = []
        for (device, counters) in after.order.map({ ($0, after.values[$0]!) }) {
            guard let previous = before.values[device], let rx = counters.rx, let tx = counters.tx, let rx0 = previous.rx,
                let tx0 = previous.tx, rx >= rx0, tx >= tx0
            else { continue }
            result.append(make(.networkTraffic, host, later.time, (rx - rx0) / seconds, ["device": device, "direction": "rx"]))
            result.append(make(.networkTraffic, host, later.time, (tx - tx0) / seconds, ["device": device, "direction": "tx"]))
        }
        return result
    }

    /// Sum over cpus of all modes, of `idle` and of `iowait`, in seconds.
    static func cpuTotals(_ scrape: NodeExporterScrape) throws(CollectorError) -> (total: Double, idle: Double, iowait: Double) {
        var total = 0.0
        var idle = 0.0
        var iowait = 0.0
        var found = false
        for sample in scrape.samples where sample.name == "node_cpu_seconds_total" {
            found = true
            total += sample.value
            switch sample.labels["mode"] {
            case "idle": idle += sample.value
            case "iowait": iowait += sample.value
            default: break
            }
        }
        guard found else { throw .missingSeries(name: "node_cpu_seconds_total", detail: "cpu collector") }
        return (total, idle, iowait)
    }

    static func networkCounters(
        _ scrape: NodeExporterScrape
    ) throws(CollectorError) -> (
        order: [String], values: [String: (rx: Double?, tx: Double?)]
    ) {
        var order: [String] = []
        var values: [String: (rx: Double?, tx: Double?)] = [:]
        var found = false
        for sample in scrape.samples {
            let isReceive = sample.name == "node_network_receive_bytes_total"
            guard isReceive || sample.name == "node_network_transmit_bytes_total" else { continue }
            found = true
            guard let device = sample.labels["device"], device != "lo" else { continue }
            if values[device] == nil {
                order.append(device)
                values[device] = (nil, nil)
            }
            if isReceive { values[device]!.rx = sample.value } else { values[device]!.tx = sample.value }
        }
        guard found else { throw .missingSeries(name: "node_network_receive_bytes_total", detail: "netdev collector") }
        return (order, values)
    }

    private static func make(_ metric: Metric, _ host: String, _ time: Timestamp, _ value: Double, _ labels: [String: String] = [:]) -> Sample {
        Sample(metric: metric.rawValue, host: host, timestamp: time, value: value, unit: metric.unit, labels: labels)
    }
}
