import Alarms
import InfraMonitorCore

/// The alarm instances' states by the series they watch, for the overview's colours: an instance
/// watches the series of its definition's metric whose labels (`host` included) are its labels.
struct AlarmIndex: Sendable {
    /// Every stored instance, with the metric of its definition (nil when the definition left the config).
    let states: [(record: AlarmStateRecord, metric: String?)]
    private let bySeries: [String: [AlarmState]]
    /// The hosts some instance watches (every instance's labels hold its series' `host`): a sample
    /// of another host needs no key built.
    private let hosts: Set<String>

    init(definitions: [AlarmDefinition], states: [AlarmStateRecord]) {
        let metricOf = Dictionary(definitions.map { ($0.alarmName, $0.metricName) }, uniquingKeysWith: { first, _ in first })
        self.states = states.map { ($0, metricOf[$0.instance.alarmName]) }
        var bySeries: [String: [AlarmState]] = [:]
        for (record, metric) in self.states {
            guard let metric else { continue }
            bySeries[Self.key(metric: metric, labels: record.instance.labels), default: []].append(record.state)
        }
        self.bySeries = bySeries
        hosts = Set(states.compactMap { $0.instance.labels["host"] })
    }

    /// The worst state of the instances watching `sample`'s series: ALARM, then INSUFFICIENT_DATA, then OK.
    func worst(of sample: SeriesSample) -> AlarmState? {
        guard hosts.contains(sample.host) else { return nil }
        var labels = sample.labels
        labels["host"] = sample.host
        return bySeries[Self.key(metric: sample.metric, labels: labels)]?.max { Self.severity($0) < Self.severity($1) }
    }

    /// How bad a state is, for sorting: none −1, OK 0, INSUFFICIENT_DATA 1, ALARM 2.
    static func severity(_ state: AlarmState?) -> Int {
        switch state {
        case nil: return -1
        case .ok: return 0
        case .insufficientData: return 1
        case .alarm: return 2
        }
    }

    /// The CSS class of a state: `alarm-ALARM`, `alarm-OK`, `alarm-INSUFFICIENT_DATA`, or `alarm-none`.
    static func cssClass(_ state: AlarmState?) -> String { "alarm-" + (state?.rawValue ?? "none") }

    private static func key(metric: String, labels: [String: String]) -> String {
        metric + "\u{1F}" + labels.keys.sorted().map { $0 + "=" + (labels[$0] ?? "") }.joined(separator: "\u{1F}")
    }
}
