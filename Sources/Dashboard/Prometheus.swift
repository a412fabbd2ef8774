import Alarms
import Foundation
import InfraMonitorCore

/// `/metrics` in the Prometheus text exposition format (version 0.0.4).
enum Prometheus {
    /// The latest sample per series as gauges, then the service's own counters.
    static func exposition(
        latest: [SeriesSample],
        totals: ExecutionTotals,
        ticksSkipped: Int,
        requests: Int,
        targets: [TargetStatus] = [],
        alarms: [AlarmStateRecord] = []
    ) -> String {
        var out = ""
        for metric in Set(latest.map(\.metric)).sorted() {
            let name = "infra_monitoring_" + sanitize(metric)
            let unit = latest.first { $0.metric == metric }?.unit ?? ""
            out += "# HELP \(name) Latest sample of \(metric) (\(unit)).\n# TYPE \(name) gauge\n"
            for sample in latest where sample.metric == metric {
                var labels = [("host", sample.host)]
                labels += sample.labels.keys.sorted().map { (sanitize($0), sample.labels[$0] ?? "") }
                let text = labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
                out += "\(name){\(text)} \(number(sample.value))\n"
            }
        }
        out += targetGauges(targets)
        out += alarmStates(alarms)
        out += "# HELP infra_monitor_executions_total Pipeline executions by final status.\n"
        out += "# TYPE infra_monitor_executions_total counter\n"
        for status in [ExecutionStatus.succeeded, .failed, .aborted, .running] {
            out += "infra_monitor_executions_total{status=\"\(status.rawValue)\"} \(totals.countByStatus[status] ?? 0)\n"
        }
        let failures = (totals.countByStatus[.failed] ?? 0) + (totals.countByStatus[.aborted] ?? 0)
        out += "# HELP infra_monitor_execution_failures_total Executions that failed or were aborted.\n"
        out += "# TYPE infra_monitor_execution_failures_total counter\ninfra_monitor_execution_failures_total \(failures)\n"
        out += "# HELP infra_monitor_execution_duration_seconds_total Time spent in finished executions.\n"
        out += "# TYPE infra_monitor_execution_duration_seconds_total counter\n"
        out += "infra_monitor_execution_duration_seconds_total \(number(totals.durationSeconds))\n"
        out += "# HELP infra_monitor_scheduler_ticks_skipped_total Schedule ticks skipped because an execution was running.\n"
        out += "# TYPE infra_monitor_scheduler_ticks_skipped_total counter\ninfra_monitor_scheduler_ticks_skipped_total \(ticksSkipped)\n"
        out += "# HELP infra_monitor_http_requests_total HTTP requests served since start.\n"
        out += "# TYPE infra_monitor_http_requests_total counter\ninfra_monitor_http_requests_total \(requests)\n"
        return out
    }

    /// `infra_monitor_target_up` and `infra_monitor_target_scrape_seconds` of each target's newest
    /// execution, labelled `job`, `target` and `host` (the job keeps two jobs scraping one address apart).
    static func targetGauges(_ targets: [TargetStatus]) -> String {
        guard !targets.isEmpty else { return "" }
        func labels(_ t: TargetStatus) -> String { "job=\"\(escape(t.job))\",target=\"\(escape(t.target))\",host=\"\(escape(t.host))\"" }
        var out = "# HELP infra_monitor_target_up 1 when every branch of the newest execution scraped the target, else 0.\n"
        out += "# TYPE infra_monitor_target_up gauge\n"
        for t in targets { out += "infra_monitor_target_up{\(labels(t))} \(t.up ? 1 : 0)\n" }
        out += "# HELP infra_monitor_target_scrape_seconds The longest scrape of the target in the newest execution, in seconds.\n"
        out += "# TYPE infra_monitor_target_scrape_seconds gauge\n"
        for t in targets { out += "infra_monitor_target_scrape_seconds{\(labels(t))} \(number(t.scrapeSeconds))\n" }
        return out
    }

    /// `infra_monitor_alarm_state` as a state set: for each alarm instance one line per state, 1 for
    /// its current state and 0 for the others, labelled `alarm`, `state` and the series' labels
    /// (a series label named `alarm` or `state` becomes `exported_alarm`, `exported_state`, as
    /// Prometheus renames clashing labels).
    static func alarmStates(_ records: [AlarmStateRecord]) -> String {
        guard !records.isEmpty else { return "" }
        var out = "# HELP infra_monitor_alarm_state The state of each alarm instance: 1 for the current state, 0 for the others.\n"
        out += "# TYPE infra_monitor_alarm_state gauge\n"
        for record in records {
            let labels = record.instance.labels
            var series = ""
            for key in labels.keys.sorted() {
                var name = sanitize(key)
                if name == "alarm" || name == "state" { name = "exported_" + name }
                series += ",\(name)=\"\(escape(labels[key] ?? ""))\""
            }
            for state in AlarmState.allCases {
                let value = state == record.state ? 1 : 0
                out += "infra_monitor_alarm_state{alarm=\"\(escape(record.instance.alarmName))\",state=\"\(state.rawValue)\"\(series)} \(value)\n"
            }
        }
        return out
    }

    /// A metric or label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func sanitize(_ name: String) -> String {
        var out = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        if out.first?.isNumber ?? true { out = "_" + out }
        return out
    }

    /// A label value with `\`, `"` and newlines escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return "\(value)"
    }
}
