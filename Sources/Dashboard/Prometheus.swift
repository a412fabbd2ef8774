import Foundation
import InfraMonitorCore

/// `/metrics` in the Prometheus text exposition format (version 0.0.4).
enum Prometheus {
    /// The latest sample per series as gauges, then the service's own counters.
    static func exposition(latest: [SeriesSample], totals: ExecutionTotals, ticksSkipped: Int, requests: Int) -> String {
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
