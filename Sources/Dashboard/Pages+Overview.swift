import Alarms
import Foundation
import Hummingbird
import InfraMonitorCore

/// The overview's validated query: `host` (part of a host name), `label` (`name=value`),
/// `sort` (``FleetOverview/sortKeys``), `order` (`natural` or `reverse`), `page` and `size`.
struct OverviewQuery: Sendable {
    var host: String?
    var label: LabelMatcher?
    var sort = "worst"
    var reverse = false
    var page = 1
    var size = 50

    static let maximumPage = 100_000

    /// The parameters of `request`, each checked.
    static func parse(_ request: Request) throws(InvalidParameter) -> OverviewQuery {
        var query = OverviewQuery()
        query.host = try Parameters.text(formValue(request, "host"), name: "host")
        query.label = try Parameters.label(formValue(request, "label"), name: "label")
        query.sort = try Parameters.choice(formValue(request, "sort"), name: "sort", in: FleetOverview.sortKeys, fallback: "worst")
        query.reverse =
            try Parameters.choice(formValue(request, "order"), name: "order", in: ["natural", "reverse"], fallback: "natural") == "reverse"
        query.page = try Parameters.integer(formValue(request, "page"), name: "page", in: 1...maximumPage, fallback: 1)
        let sizes = Paging.sizes.map(String.init)
        query.size = Int(try Parameters.choice(formValue(request, "size"), name: "size", in: sizes, fallback: "50")) ?? 50
        return query
    }

    /// The overview's URL with this query, changed by `change`, escaped for an attribute.
    func href(_ change: (inout OverviewQuery) -> Void = { _ in }) -> String {
        var query = self
        change(&query)
        var parts: [String] = []
        if let host = query.host { parts.append("host=" + HTML.query(host)) }
        if let label = query.label { parts.append("label=" + HTML.query(label.text)) }
        if query.sort != "worst" { parts.append("sort=" + HTML.query(query.sort)) }
        if query.reverse { parts.append("order=reverse") }
        if query.size != 50 { parts.append("size=\(query.size)") }
        if query.page != 1 { parts.append("page=\(query.page)") }
        return HTML.escape("/" + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&")))
    }
}

extension Pages {
    /// The fleet overview: one row per host with its four metrics, coloured by alarm state.
    func overview(_ query: OverviewQuery) async throws -> String {
        let latest = try await data.sources.series.latestSamples()
        let alarms = try await data.alarmIndex()
        let executions = try await data.sources.executions.list(limit: 1)
        let all = FleetOverview.rows(latest: latest, alarms: alarms, host: nil, label: nil)
        let rows = FleetOverview.sorted(
            query.host == nil && query.label == nil ? all : FleetOverview.rows(latest: latest, alarms: alarms, host: query.host, label: query.label),
            by: query.sort,
            ascending: query.reverse
        )
        let counts = Dictionary(grouping: alarms.states.map { $0.record.state }, by: \.self).mapValues(\.count)
        var body = "<h1>Fleet overview</h1><div class=\"summary\">"
        body += "<div><span class=\"muted\">Hosts</span><b>\(all.count)</b></div>"
        body += "<div><span class=\"muted\">Series</span><b>\(latest.count)</b></div>"
        body +=
            "<div class=\"alarm-ALARM\"><span class=\"muted\">In alarm</span><b><a href=\"/alarms?state=ALARM\">\(counts[.alarm] ?? 0)</a></b></div>"
        body += "<div class=\"alarm-INSUFFICIENT_DATA\"><span class=\"muted\">Insufficient data</span><b>"
        body += "<a href=\"/alarms?state=INSUFFICIENT_DATA\">\(counts[.insufficientData] ?? 0)</a></b></div>"
        if let health = data.sources.targetHealth {
            let targets = TargetStatus.fold(try await health.latestTargetHealth())
            let down = targets.filter { !$0.up }.count
            body += "<div\(down > 0 ? " class=\"alarm-ALARM\"" : "")><span class=\"muted\">Targets down</span><b>"
            body += "<a href=\"/targets?health=down\">\(down)</a> <small class=\"muted\">of \(targets.count)</small></b></div>"
        }
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
        body += filterForm(query)
        let paging = Paging(page: query.page, size: query.size, total: rows.count)
        let metrics = Metric.allCases.map(\.rawValue)
        var table = "<table id=\"hosts\"><thead><tr>"
        for (key, label) in [("host", "Host"), ("", "Labels")] + metrics.map({ ($0, $0) }) {
            guard !key.isEmpty else {
                table += "<th>\(label)</th>"
                continue
            }
            let active = query.sort == key
            let href = query.href {
                $0.sort = key
                $0.reverse = active ? !query.reverse : false
                $0.page = 1
            }
            let arrow = active ? (query.reverse ? " ▲" : " ▼") : ""
            table += "<th><a href=\"\(href)\"\(active ? " class=\"active\"" : "")>\(HTML.escape(label))\(arrow)</a></th>"
        }
        table += "</tr></thead><tbody>"
        for row in rows[paging.range] {
            let state = row.state
            table += "<tr class=\"\(AlarmIndex.cssClass(state))\"><td><a href=\"/metric/cpu_utilization?host=\(HTML.escape(HTML.query(row.host)))\">"
            table += "\(HTML.escape(row.host))</a>\(state.map { " <span class=\"state \($0.rawValue)\">\($0.rawValue)</span>" } ?? "")</td>"
            table += "<td class=\"mono\">\(HTML.escape(row.labelText))</td>"
            for metric in metrics {
                guard let cell = row.cells[metric] else {
                    table += "<td class=\"muted\">–</td>"
                    continue
                }
                let href = "/metric/\(HTML.query(metric))?host=\(HTML.query(row.host))"
                table += "<td class=\"cell \(AlarmIndex.cssClass(cell.state))\"><a href=\"\(HTML.escape(href))\">"
                table += HTML.escape(Charts.formatValue(cell.value, unit: cell.unit)) + "</a>"
                if cell.series > 1 { table += " <span class=\"muted\">max of \(cell.series)</span>" }
                table += "</td>"
            }
            table += "</tr>"
        }
        table += "</tbody></table>"
        body += paging.navigation { page in query.href { $0.page = page } }
        body += table
        return HTML.page(title: "Overview", active: "Overview", body: body)
    }

    private func filterForm(_ query: OverviewQuery) -> String {
        var form = "<form class=\"filters\" method=\"get\" action=\"/\">"
        form += "<label>Host <input name=\"host\" value=\"\(HTML.escape(query.host ?? ""))\" placeholder=\"part of a name\"></label>"
        form += "<label>Label <input name=\"label\" value=\"\(HTML.escape(query.label?.text ?? ""))\" placeholder=\"rack=r1\"></label>"
        form += "<label>Sort <select name=\"sort\">"
        for key in FleetOverview.sortKeys {
            form += "<option value=\"\(key)\"\(key == query.sort ? " selected" : "")>\(key)</option>"
        }
        form += "</select></label><label>Rows <select name=\"size\">"
        for size in Paging.sizes {
            form += "<option value=\"\(size)\"\(size == query.size ? " selected" : "")>\(size)</option>"
        }
        return form + "</select></label><button type=\"submit\">Filter</button></form>"
    }
}
