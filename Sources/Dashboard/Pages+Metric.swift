import Foundation
import Hummingbird
import InfraMonitorCore

/// A metric page's validated query: `range`, one `host`, a `label` set, and the `view`:
/// `hosts` (a chart per host) or `distribution` (the fleet's minimum, median and maximum per time).
struct MetricQuery: Sendable {
    var range = "24h"
    var host: String?
    var label: LabelMatcher?
    /// nil: `distribution` when more than ``MetricQuery/chartLimit`` hosts match, else `hosts`.
    var view: String?

    /// The most hosts drawn one chart each.
    static let chartLimit = 12

    static func parse(_ request: Request) throws(InvalidParameter) -> MetricQuery {
        var query = MetricQuery()
        // An unknown range falls back to 24h, as it always has: nothing the client sends is echoed.
        query.range = DashboardData.knownRange(formValue(request, "range"))
        query.host = try Parameters.text(formValue(request, "host"), name: "host")
        query.label = try Parameters.label(formValue(request, "label"), name: "label")
        let view = try Parameters.choice(formValue(request, "view"), name: "view", in: ["auto", "hosts", "distribution"], fallback: "auto")
        query.view = view == "auto" ? nil : view
        return query
    }

    /// The page's URL for `metric` with this query, changed by `change`, escaped for an attribute.
    func href(_ metric: String, _ change: (inout MetricQuery) -> Void = { _ in }) -> String {
        var query = self
        change(&query)
        var parts = ["range=" + query.range]
        if let host = query.host { parts.append("host=" + HTML.query(host)) }
        if let label = query.label { parts.append("label=" + HTML.query(label.text)) }
        if let view = query.view { parts.append("view=" + view) }
        return HTML.escape("/metric/\(HTML.query(metric))?" + parts.joined(separator: "&"))
    }
}

extension Pages {
    /// One metric over time: for one host, a label set or the whole fleet; a chart per host, or
    /// the fleet's distribution (minimum, median and maximum of every series at each time).
    func metric(name: String, query: MetricQuery) async throws -> String {
        let seconds = DashboardData.ranges.first { $0.0 == query.range }?.1 ?? 86_400
        let now = Timestamp.now()
        var samples = try await data.sources.series.samples(metric: name, host: query.host, since: now.adding(seconds: -seconds))
        if let label = query.label { samples = samples.filter { label.matches(host: $0.host, labels: $0.labels) } }
        let byHost = Dictionary(grouping: samples, by: \.host)
        let view = query.view ?? (byHost.count > MetricQuery.chartLimit ? "distribution" : "hosts")
        var body = "<h1>\(HTML.escape(name))</h1><div class=\"ranges\">"
        for (label, _) in DashboardData.ranges {
            body += "<a href=\"\(query.href(name) { $0.range = label })\"\(label == query.range ? " class=\"active\"" : "")>\(label)</a>"
        }
        body += "</div><div class=\"hosts\">"
        body += "<a href=\"\(query.href(name) { $0.view = "hosts" })\"\(view == "hosts" ? " class=\"active\"" : "")>per host</a>"
        body +=
            "<a href=\"\(query.href(name) { $0.view = "distribution" })\"\(view == "distribution" ? " class=\"active\"" : "")>fleet distribution</a>"
        if query.host != nil || query.label != nil {
            let everyHost = query.href(name) {
                $0.host = nil
                $0.label = nil
            }
            body += "<a href=\"\(everyHost)\">all hosts</a>"
        }
        body += "</div><form class=\"filters\" method=\"get\" action=\"/metric/\(HTML.query(name))\">"
        body += "<input type=\"hidden\" name=\"range\" value=\"\(query.range)\">"
        body += "<label>Host <input name=\"host\" value=\"\(HTML.escape(query.host ?? ""))\" placeholder=\"exact name\"></label>"
        body += "<label>Label <input name=\"label\" value=\"\(HTML.escape(query.label?.text ?? ""))\" placeholder=\"rack=r1\"></label>"
        body += "<label>View <select name=\"view\">"
        for option in ["auto", "hosts", "distribution"] {
            body += "<option value=\"\(option)\"\((query.view ?? "auto") == option ? " selected" : "")>\(option)</option>"
        }
        body += "</select></label><button type=\"submit\">Show</button></form>"
        let scope = [query.host.map { "host \($0)" }, query.label.map(\.text)].compactMap { $0 }.joined(separator: ", ")
        if byHost.isEmpty {
            body +=
                "<p class=\"muted\">No samples of \(HTML.escape(name))\(scope.isEmpty ? "" : " for " + HTML.escape(scope)) in the last \(query.range).</p>"
        }
        let unit = samples.first?.unit ?? ""
        let from = Double(now.seconds - seconds)
        let to = Double(now.seconds)
        if view == "distribution", !byHost.isEmpty {
            let lines = Self.distribution(samples)
            let title = "\(name) over \(byHost.count) host(s)\(scope.isEmpty ? "" : " · " + scope)"
            body += "<h2>\(HTML.escape(title)) <span class=\"muted\">· \(HTML.escape(unit)) · last \(query.range)</span></h2><div class=\"chart\">"
            body += Charts.timeSeries(lines: lines, from: from, to: to, unit: unit, title: title)
            body += legend(lines, unit: unit, name: name) + "</div>"
        } else {
            let hosts = byHost.keys.sorted()
            if hosts.count > MetricQuery.chartLimit {
                body += "<p class=\"muted\">Showing \(MetricQuery.chartLimit) of \(hosts.count) hosts: filter by host or label, "
                body += "or see the <a href=\"\(query.href(name) { $0.view = "distribution" })\">fleet distribution</a>.</p>"
            }
            for h in hosts.prefix(MetricQuery.chartLimit) {
                let series = Dictionary(grouping: byHost[h] ?? [], by: \.labelText)
                let lines = series.keys.sorted().map { labels in
                    Charts.Line(label: labels, points: (series[labels] ?? []).map { s in (Double(s.timestamp.milliseconds) / 1000, s.value) })
                }
                body += "<h2>\(HTML.escape(h)) <span class=\"muted\">· \(HTML.escape(unit)) · last \(query.range)</span></h2><div class=\"chart\">"
                body += Charts.timeSeries(lines: lines, from: from, to: to, unit: unit, title: "\(name) on \(h)")
                body += legend(lines, unit: unit, name: name) + "</div>"
            }
        }
        return HTML.page(title: name, active: "Overview", body: body)
    }

    /// The minimum, median and maximum of every series' sample at each time.
    static func distribution(_ samples: [SeriesSample]) -> [Charts.Line] {
        let byTime = Dictionary(grouping: samples) { $0.timestamp.milliseconds }
        var minimum: [(Double, Double)] = []
        var median: [(Double, Double)] = []
        var maximum: [(Double, Double)] = []
        for time in byTime.keys.sorted() {
            let values = (byTime[time] ?? []).map(\.value).sorted()
            guard let low = values.first, let high = values.last else { continue }
            let middle = values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
            let t = Double(time) / 1000
            minimum.append((t, low))
            median.append((t, middle))
            maximum.append((t, high))
        }
        return [
            Charts.Line(label: "maximum", points: maximum), Charts.Line(label: "median", points: median),
            Charts.Line(label: "minimum", points: minimum),
        ]
    }

    private func legend(_ lines: [Charts.Line], unit: String, name: String) -> String {
        var out = "<div class=\"legend\">"
        for (index, line) in lines.enumerated() {
            let latest = line.points.last.map { Charts.formatValue($0.1, unit: unit) } ?? ""
            out += "<span><i class=\"swatch-\(index % Charts.palette.count)\"></i>"
            out += "\(HTML.escape(line.label.isEmpty ? name : line.label)) — \(HTML.escape(latest))</span>"
        }
        return out + "</div>"
    }
}
