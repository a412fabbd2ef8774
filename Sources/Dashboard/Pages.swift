import Foundation
import InfraJSON
import InfraMonitorCore

/// The server-rendered pages. Every value from the database goes through `HTML.escape`.
struct Pages: Sendable {
    let data: DashboardData
    let status: ServiceStatus

    func overview() async throws -> String {
        let latest = try await data.sources.series.latestSamples()
        let recent = try await data.sources.series.samples(metric: nil, host: nil, since: Timestamp.now().adding(seconds: -86_400))
        var trends: [String: [Double]] = [:]
        for sample in recent { trends[key(sample), default: []].append(sample.value) }
        let executions = try await data.sources.executions.list(limit: 1)
        let hosts = Set(latest.map(\.host))
        let alarms = latest.filter { DashboardData.alarm($0) != "ok" }.count
        var body = "<h1>Fleet overview</h1><div class=\"summary\">"
        body += "<div><span class=\"muted\">Hosts</span><b>\(hosts.count)</b></div>"
        body += "<div><span class=\"muted\">Series</span><b>\(latest.count)</b></div>"
        body += "<div><span class=\"muted\">In alarm</span><b>\(alarms)</b></div>"
        if let last = executions.first {
            body += "<div><span class=\"muted\">Last execution</span><b><a href=\"/executions/\(HTML.query(last.id))\">"
            body += "<span class=\"status \(last.status.rawValue)\">\(last.status.rawValue)</span></a></b>"
            body += "<span class=\"muted mono\">\(HTML.escape(last.startedAt.iso8601Milliseconds))</span></div>"
        }
        let next = await status.nextTick
        body += "<div><span class=\"muted\">Schedule</span><b class=\"mono\">\(HTML.escape(status.schedule))</b>"
        body += "<span class=\"muted mono\">next \(HTML.escape(next?.iso8601Milliseconds ?? "none"))</span></div></div>"
        if latest.isEmpty {
            body += "<p class=\"muted\">No samples yet: the first execution has not finished.</p>"
        }
        let order = Dictionary(uniqueKeysWithValues: Metric.allCases.enumerated().map { ($1.rawValue, $0) })
        for host in hosts.sorted() {
            let series = latest.filter { $0.host == host }.sorted {
                (order[$0.metric] ?? 9, $0.labelText) < (order[$1.metric] ?? 9, $1.labelText)
            }
            body += "<h2>\(HTML.escape(host))</h2><div class=\"grid\">"
            for sample in series {
                let level = DashboardData.alarm(sample)
                let color = ["ok": "#1f9d55", "warn": "#d98b00", "bad": "#d64545"][level] ?? "#2563eb"
                let labels = sample.labelText
                body += "<a class=\"card \(level)\" href=\"/metric/\(HTML.query(sample.metric))?host=\(HTML.query(sample.host))\">"
                body += "<div class=\"name\">\(HTML.escape(sample.metric))</div>"
                body += "<div class=\"host\">\(HTML.escape(sample.host))\(labels.isEmpty ? "" : " · " + HTML.escape(labels))</div>"
                body += "<div class=\"value\">\(HTML.escape(Charts.formatValue(sample.value, unit: sample.unit)))</div>"
                body += Charts.sparkline(trends[key(sample)] ?? [sample.value], color: color)
                body += "<div class=\"muted mono\">\(HTML.escape(sample.timestamp.iso8601Milliseconds))</div></a>"
            }
            body += "</div>"
        }
        return HTML.page(title: "Overview", active: "Overview", body: body)
    }

    func metric(name: String, host: String?, range requested: String?) async throws -> String {
        let range = DashboardData.knownRange(requested)
        let seconds = DashboardData.ranges.first { $0.0 == range }?.1 ?? 86_400
        let now = Timestamp.now()
        let samples = try await data.sources.series.samples(metric: name, host: host, since: now.adding(seconds: -seconds))
        let allHosts = Set(try await data.sources.series.latestSamples().filter { $0.metric == name }.map(\.host)).sorted()
        var body = "<h1>\(HTML.escape(name))</h1><div class=\"ranges\">"
        for (label, _) in DashboardData.ranges {
            let href = "/metric/\(HTML.query(name))?range=\(label)" + (host.map { h -> String in "&host=\(HTML.query(h))" } ?? "")
            body += "<a href=\"\(HTML.escape(href))\"\(label == range ? " class=\"active\"" : "")>\(label)</a>"
        }
        body +=
            "</div><div class=\"hosts\"><a href=\"/metric/\(HTML.query(name))?range=\(range)\"\(host == nil ? " class=\"active\"" : "")>all hosts</a>"
        for h in allHosts {
            let href = "/metric/\(HTML.query(name))?range=\(range)&host=\(HTML.query(h))"
            body += "<a href=\"\(HTML.escape(href))\"\(h == host ? " class=\"active\"" : "")>\(HTML.escape(h))</a>"
        }
        body += "</div>"
        let byHost = Dictionary(grouping: samples, by: \.host)
        if byHost.isEmpty { body += "<p class=\"muted\">No samples of \(HTML.escape(name)) in the last \(range).</p>" }
        for h in byHost.keys.sorted() {
            let series = Dictionary(grouping: byHost[h] ?? [], by: \.labelText)
            let lines = series.keys.sorted().map { labels in
                Charts.Line(
                    label: labels,
                    points: (series[labels] ?? []).map { s in (Double(s.timestamp.milliseconds) / 1000, s.value) }
                )
            }
            let unit = byHost[h]?.first?.unit ?? ""
            body += "<h2>\(HTML.escape(h)) <span class=\"muted\">· \(HTML.escape(unit)) · last \(range)</span></h2><div class=\"chart\">"
            body += Charts.timeSeries(
                lines: lines,
                from: Double(now.seconds - seconds),
                to: Double(now.seconds),
                unit: unit,
                title: "\(name) on \(h)"
            )
            body += "<div class=\"legend\">"
            for (index, line) in lines.enumerated() {
                let latest = line.points.last.map { Charts.formatValue($0.1, unit: unit) } ?? ""
                body += "<span><i style=\"background:\(Charts.palette[index % Charts.palette.count])\"></i>"
                body += "\(HTML.escape(line.label.isEmpty ? name : line.label)) — \(HTML.escape(latest))</span>"
            }
            body += "</div></div>"
        }
        return HTML.page(title: name, active: "Overview", body: body)
    }

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
