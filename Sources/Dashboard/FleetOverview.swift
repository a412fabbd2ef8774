import Alarms
import Foundation
import InfraMonitorCore

/// The overview at fleet size: one row per host with its four metrics, filtered by host and
/// label, sorted worst first (alarm state, then value) or by a column, and paged — all on the
/// server, from the newest sample of every series.
struct FleetOverview: Sendable {
    /// One metric of one host: the worst of its series (several file systems, several interfaces).
    struct Cell: Sendable {
        let metric: String
        /// The highest value among the host's series of the metric.
        let value: Double
        let unit: String
        /// How many series the host has of the metric.
        let series: Int
        /// The worst alarm state among the instances watching those series.
        let state: AlarmState?
        let timestamp: Timestamp
    }

    /// One host.
    struct Row: Sendable {
        let host: String
        /// The labels every series of the host carries (the target's labels, such as `rack`).
        let labels: [String: String]
        let cells: [String: Cell]

        /// The worst alarm state of the row's cells.
        var state: AlarmState? { cells.values.map(\.state).max { AlarmIndex.severity($0) < AlarmIndex.severity($1) } ?? nil }
        /// The highest percentage of the row (cpu, memory, disk), for ordering rows of the same state.
        var worstPercent: Double { cells.values.filter { $0.unit == "Percent" }.map(\.value).max() ?? -1 }

        var labelText: String { labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ", ") }
    }

    /// The columns a table can be sorted by: `worst` (the default), `host`, or one metric.
    static let sortKeys = ["worst", "host"] + Metric.allCases.map(\.rawValue)

    /// The rows of `latest`, filtered: `host` is a case-insensitive part of the host name, `label` a matcher.
    static func rows(latest: [SeriesSample], alarms: AlarmIndex, host: String?, label: LabelMatcher?) -> [Row] {
        let byHost = Dictionary(grouping: latest, by: \.host)
        var rows: [Row] = []
        rows.reserveCapacity(byHost.count)
        for (name, samples) in byHost {
            if let host, !name.localizedCaseInsensitiveContains(host) { continue }
            if let label, !samples.contains(where: { label.matches(host: name, labels: $0.labels) }) { continue }
            var common = samples[0].labels
            for sample in samples.dropFirst() where !common.isEmpty {
                common = common.filter { sample.labels[$0.key] == $0.value }
            }
            var cells: [String: Cell] = [:]
            for (metric, series) in Dictionary(grouping: samples, by: \.metric) {
                let top = series.max { $0.value < $1.value } ?? series[0]
                let state = series.map { alarms.worst(of: $0) }.max { AlarmIndex.severity($0) < AlarmIndex.severity($1) } ?? nil
                cells[metric] = Cell(metric: metric, value: top.value, unit: top.unit, series: series.count, state: state, timestamp: top.timestamp)
            }
            rows.append(Row(host: name, labels: common, cells: cells))
        }
        return rows
    }

    /// `rows` in the order of `sort`: `worst` puts the worst alarm state first, then the highest
    /// percentage; a metric column orders by that metric's alarm state, then its value, highest
    /// first; `host` by name. `ascending` reverses the order. Ties are broken by host name.
    static func sorted(_ rows: [Row], by sort: String, ascending: Bool) -> [Row] {
        func before(_ a: Row, _ b: Row) -> Bool {
            switch sort {
            case "host":
                return a.host < b.host
            case "worst":
                let (sa, sb) = (AlarmIndex.severity(a.state), AlarmIndex.severity(b.state))
                if sa != sb { return sa > sb }
                if a.worstPercent != b.worstPercent { return a.worstPercent > b.worstPercent }
                return a.host < b.host
            default:
                let (ca, cb) = (a.cells[sort], b.cells[sort])
                let (sa, sb) = (AlarmIndex.severity(ca?.state), AlarmIndex.severity(cb?.state))
                if sa != sb { return sa > sb }
                let (va, vb) = (ca?.value ?? -.infinity, cb?.value ?? -.infinity)
                if va != vb { return va > vb }
                return a.host < b.host
            }
        }
        let ordered = rows.sorted(by: before)
        return ascending ? ordered.reversed() : ordered
    }
}
