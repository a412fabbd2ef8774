import Alarms
import Foundation
import InfraJSON
import InfraMonitorCore

/// The server-rendered pages. Every value from the database goes through `HTML.escape`.
struct Pages: Sendable {
    let data: DashboardData
    let status: ServiceStatus

    func executions() async throws -> String {
        let list = try await data.sources.executions.list(limit: 200)
        let rows = list.map { e -> [String] in
            [
                "<a class=\"mono\" href=\"/executions/\(HTML.query(e.id))\">\(HTML.escape(e.id))</a>",
                "<span class=\"status \(e.status.rawValue)\">\(e.status.rawValue)</span>",
                "<span class=\"mono\">\(HTML.escape(e.scheduledTime.iso8601Milliseconds))</span>",
                "<span class=\"mono\">\(HTML.escape(e.startedAt.iso8601Milliseconds))</span>",
                e.durationMilliseconds.map { String(format: "%.2f s", Double($0) / 1000) } ?? "running",
                HTML.escape([e.error, e.cause].compactMap { $0 }.joined(separator: ": ")),
            ]
        }
        var body = "<h1>Executions</h1>"
        body += list.isEmpty ? "<p class=\"muted\">No executions yet.</p>" : ""
        body += HTML.table(headers: ["Execution", "Status", "Scheduled", "Started", "Duration", "Error"], rows: rows, id: "executions")
        return HTML.page(title: "Executions", active: "Executions", body: body)
    }

    func execution(id: String) async throws -> String? {
        guard let e = try await data.sources.executions.execution(id: id) else { return nil }
        let events = try await data.sources.executions.events(executionID: id)
        var body = "<h1>Execution <span class=\"mono\">\(HTML.escape(e.id))</span></h1><div class=\"summary\">"
        body += "<div><span class=\"muted\">Status</span><b><span class=\"status \(e.status.rawValue)\">\(e.status.rawValue)</span></b></div>"
        body += "<div><span class=\"muted\">Scheduled</span><b class=\"mono\">\(HTML.escape(e.scheduledTime.iso8601Milliseconds))</b></div>"
        body += "<div><span class=\"muted\">Duration</span><b>"
        body += (e.durationMilliseconds.map { String(format: "%.2f s", Double($0) / 1000) } ?? "running") + "</b></div></div>"
        if let error = e.error {
            body += "<div class=\"error\"><b>\(HTML.escape(error))</b> \(HTML.escape(e.cause ?? ""))</div>"
        }
        body += try await failedTargets(executionID: id, events: events)
        let start = Timestamp.parseRFC3339(events.first?.timestamp ?? "")
        let rows = events.map { event -> [String] in
            var offset: String?
            if let start, let at = Timestamp.parseRFC3339(event.timestamp) {
                offset = String(format: "+%.3f s", at.secondsSince(start))
            }
            let type = event.type.name
            return [
                String(event.id), "<span class=\"mono\">\(offset ?? "")</span>",
                event.type.isFailure ? "<b style=\"color:#d64545\">\(HTML.escape(type))</b>" : HTML.escape(type),
                HTML.escape(event.stateName ?? ""),
                "<pre>\(HTML.escape(String(event.details.text.prefix(600))))</pre>",
            ]
        }
        body += "<h2>Timeline</h2>"
        body += HTML.table(headers: ["#", "At", "Event", "State", "Details"], rows: rows, id: "timeline")
        return HTML.page(title: "Execution \(e.id)", active: "Executions", body: body)
    }

    /// The targets the execution's branches could not scrape (from its history, so for either
    /// backend), with the count of targets scraped when the backend keeps target health.
    func failedTargets(executionID: String, events: [ExecutionEvent]) async throws -> String {
        let failed = ExecutionFailedTarget.list(in: events)
        let scraped = try await data.sources.targetHealth?.targetHealth(executionID: executionID) ?? []
        guard !failed.isEmpty || !scraped.isEmpty else { return "" }
        var out = "<h2>Failed targets</h2>"
        if !scraped.isEmpty {
            let targets = TargetStatus.fold(scraped)
            out += "<p class=\"muted\">\(targets.filter(\.up).count) of \(targets.count) target(s) up in every branch; "
            out += "see <a href=\"/targets\">Targets</a>.</p>"
        }
        if failed.isEmpty {
            out += "<p class=\"muted\">Every target was scraped.</p>"
            return out
        }
        let rows = failed.map { f -> [String] in
            [HTML.escape(f.metric), "<span class=\"mono\">\(HTML.escape(f.target))</span>", HTML.escape(f.error)]
        }
        return out + HTML.table(headers: ["Metric", "Target", "Error"], rows: rows, id: "failed-targets")
    }

    func notifications() async throws -> String {
        let messages = try await data.sources.notifications.recent(limit: 200)
        let rows = messages.map { m -> [String] in
            [
                String(m.id), "<span class=\"mono\">\(HTML.escape(m.createdAt))</span>",
                m.executionID.map { "<a class=\"mono\" href=\"/executions/\(HTML.query($0))\">\(HTML.escape($0))</a>" } ?? "",
                HTML.escape(m.subject), Self.messageSummary(m.message),
                HTML.escape(
                    m.deliveries.keys.sorted().map { "\($0): \(m.deliveries[$0] ?? "")" }.joined(separator: "; ")
                ),
            ]
        }
        var body = "<h1>Notifications</h1><p class=\"muted\">The outbox: every message the pipeline published, newest first.</p>"
        body += HTML.table(headers: ["#", "Created", "Execution", "Subject", "Message", "Delivery"], rows: rows, id: "outbox")
        return HTML.page(title: "Notifications", active: "Notifications", body: body)
    }

    func query(sql: String?) async -> String {
        let text = sql ?? "SELECT metric, host, COUNT(*) AS samples, ROUND(AVG(value), 2) AS mean FROM metrics GROUP BY metric, host"
        var body = "<h1>Query</h1><p class=\"muted\">Read-only SQL over <span class=\"mono\">metrics</span> and "
        body += "<span class=\"mono\">infra_metrics</span>; at most \(data.settings.queryRowLimit) rows and "
        body += "\(Int(data.settings.queryTimeLimitSeconds)) s.</p>"
        body += "<form method=\"get\" action=\"/query\"><textarea name=\"sql\">\(HTML.escape(text))</textarea>"
        body +=
            "<button type=\"submit\">Run</button><button type=\"submit\" formaction=\"/api/query\" name=\"format\" value=\"csv\">CSV</button></form>"
        if let sql {
            do {
                let result = try await data.query(sql)
                body += "<p class=\"muted\">\(result.rows.count) row(s)</p>"
                body += HTML.table(
                    headers: result.columns,
                    rows: result.rows.map { $0.map { HTML.escape(DashboardData.cellText($0)) } },
                    id: "result"
                )
            } catch {
                body += "<div class=\"error\">\(HTML.escape(String(describing: error)))</div>"
            }
        }
        return HTML.page(title: "Query", active: "Query", body: body)
    }

    /// Status, duration and sample counts of a notification body, with the whole JSON folded below.
    static func messageSummary(_ message: JSON) -> String {
        var out = ""
        if case .object(let body) = message {
            if let status = body["status"]?.stringValue {
                out += "<span class=\"status \(HTML.escape(status))\">\(HTML.escape(status))</span> "
            }
            if let duration = body["duration_ms"]?.doubleValue { out += String(format: "%.0f ms", duration) }
            if case .object(let samples)? = body["samples"] {
                let counts = samples.keys.sorted().map { key -> String in "\(key) \(Int(samples[key]?.doubleValue ?? 0))" }
                out += "<div class=\"muted\">samples: \(HTML.escape(counts.joined(separator: ", ")))</div>"
            }
            if let error = body["error"]?.stringValue {
                out += "<div class=\"error\">\(HTML.escape(error)): \(HTML.escape(body["cause"]?.stringValue ?? ""))</div>"
            }
        }
        return out + "<details><summary class=\"muted\">message JSON</summary><pre>\(HTML.escape(message.text))</pre></details>"
    }

    private func key(_ s: SeriesSample) -> String { s.metric + "\u{1F}" + s.host + "\u{1F}" + s.labelText }
}
