import Alarms
import Foundation
import Hummingbird
import InfraMonitorCore

/// The targets page's validated query: `q` (part of a job, target, host or label value),
/// `health` (`up` or `down`), `page` and `size`.
struct TargetsQuery: Sendable {
    var text: String?
    var health: String?
    var page = 1
    var size = 100

    static func parse(_ request: Request) throws(InvalidParameter) -> TargetsQuery {
        var query = TargetsQuery()
        query.text = try Parameters.text(formValue(request, "q"), name: "q")
        let health = try Parameters.choice(formValue(request, "health"), name: "health", in: ["all", "up", "down"], fallback: "all")
        query.health = health == "all" ? nil : health
        query.page = try Parameters.integer(formValue(request, "page"), name: "page", in: 1...OverviewQuery.maximumPage, fallback: 1)
        let sizes = Paging.sizes.map(String.init)
        query.size = Int(try Parameters.choice(formValue(request, "size"), name: "size", in: sizes, fallback: "100")) ?? 100
        return query
    }

    func matches(_ target: DiscoveredTarget) -> Bool {
        guard let text else { return true }
        return ([target.job, target.target, target.host] + target.labels.values).contains { $0.localizedCaseInsensitiveContains(text) }
    }

    func matches(_ target: TargetStatus) -> Bool {
        if let health, (health == "up") != target.up { return false }
        guard let text else { return true }
        return ([target.job, target.target, target.host] + target.labels.values).contains { $0.localizedCaseInsensitiveContains(text) }
    }

    func href(page: Int) -> String {
        var parts: [String] = []
        if let text { parts.append("q=" + HTML.query(text)) }
        if let health { parts.append("health=" + health) }
        if size != 100 { parts.append("size=\(size)") }
        parts.append("page=\(page)")
        return HTML.escape("/targets?" + parts.joined(separator: "&"))
    }
}

/// The alarms page's validated query: `alarm` (one alarm's name), `state`, `page`.
struct AlarmsQuery: Sendable {
    var alarm: String?
    var state: AlarmState?
    var page = 1

    static let pageSize = 100
    /// History entries shown, newest first.
    static let historyLimit = 200

    static func parse(_ request: Request) throws(InvalidParameter) -> AlarmsQuery {
        var query = AlarmsQuery()
        query.alarm = try Parameters.text(formValue(request, "alarm"), name: "alarm")
        let states = AlarmState.allCases.map(\.rawValue)
        let state = try Parameters.choice(formValue(request, "state"), name: "state", in: ["all"] + states, fallback: "all")
        query.state = AlarmState(rawValue: state)
        query.page = try Parameters.integer(formValue(request, "page"), name: "page", in: 1...OverviewQuery.maximumPage, fallback: 1)
        return query
    }

    func href(page: Int) -> String {
        var parts: [String] = []
        if let alarm { parts.append("alarm=" + HTML.query(alarm)) }
        if let state { parts.append("state=" + state.rawValue) }
        parts.append("page=\(page)")
        return HTML.escape("/alarms?" + parts.joined(separator: "&"))
    }
}

extension Pages {
    /// The scrape targets, as Prometheus's targets page lists them: final labels, host, health of
    /// the newest execution's scrapes, their time and longest duration, and the error.
    func targets(_ query: TargetsQuery) async throws -> String {
        var body = "<h1>Targets</h1>"
        guard let store = data.sources.targetHealth else {
            body += "<p class=\"muted\">This backend keeps no target health.</p>"
            return HTML.page(title: "Targets", active: "Targets", body: body)
        }
        let all = TargetStatus.fold(try await store.latestTargetHealth())
        let shown = all.filter(query.matches)
        let down = all.filter { !$0.up }.count
        let unscraped = (await data.sources.discovered?.unscraped(besides: all) ?? []).filter { query.health == nil && query.matches($0) }
        body += "<p class=\"muted\">Each target's scrapes in its newest execution (one per metric branch): "
        body += "\(all.count) target(s), \(down) down"
        body += unscraped.isEmpty ? ".</p>" : "; \(unscraped.count) discovered target(s) not scraped yet (UNKNOWN).</p>"
        for problem in await data.sources.discovered?.problems ?? [] {
            body += "<p class=\"health-down\" data-discovery-problem>Discovery: \(HTML.escape(problem))</p>"
        }
        body += "<form class=\"filters\" method=\"get\" action=\"/targets\">"
        body += "<label>Search <input name=\"q\" value=\"\(HTML.escape(query.text ?? ""))\" placeholder=\"job, address, host or label\"></label>"
        body += "<label>Health <select name=\"health\">"
        for option in ["all", "up", "down"] {
            body += "<option value=\"\(option)\"\((query.health ?? "all") == option ? " selected" : "")>\(option)</option>"
        }
        body += "</select></label><button type=\"submit\">Filter</button></form>"
        if all.isEmpty && unscraped.isEmpty {
            body += "<p class=\"muted\">No target has been scraped yet (no <span class=\"mono\">scrape_configs</span>, or no execution).</p>"
        }
        let paging = Paging(page: query.page, size: query.size, total: shown.count + unscraped.count)
        let scrapedRange = paging.range.clamped(to: 0..<shown.count)
        let unscrapedRange = (paging.range.clamped(to: shown.count..<(shown.count + unscraped.count))).map { $0 - shown.count }
        let unknownRows = unscrapedRange.map { index -> [String] in
            let t = unscraped[index]
            return [
                HTML.escape(t.job), "<span class=\"mono\">\(HTML.escape(t.target))</span>", HTML.escape(t.host),
                "<span class=\"mono\">\(HTML.escape(t.labels.keys.sorted().map { "\($0)=\"\(t.labels[$0] ?? "")\"" }.joined(separator: " ")))</span>",
                "<span class=\"muted\">UNKNOWN</span>", "-", "-", "",
            ]
        }
        let rows = shown[scrapedRange].map { t -> [String] in
            [
                HTML.escape(t.job), "<span class=\"mono\">\(HTML.escape(t.target))</span>", HTML.escape(t.host),
                "<span class=\"mono\">\(HTML.escape(t.labels.keys.sorted().map { "\($0)=\"\(t.labels[$0] ?? "")\"" }.joined(separator: " ")))</span>",
                t.up ? "<span class=\"health-up\">UP</span>" : "<span class=\"health-down\">DOWN</span>",
                "<a class=\"mono\" href=\"/executions/\(HTML.escape(HTML.query(t.executionID)))\">\(HTML.escape(t.lastScrape.iso8601Milliseconds))</a>",
                String(format: "%.3f s", t.scrapeSeconds), HTML.escape(t.error ?? ""),
            ]
        }
        body += paging.navigation(href: query.href(page:))
        body += HTML.table(
            headers: ["Job", "Target", "Host", "Labels", "State", "Last scrape", "Duration", "Error"],
            rows: rows + unknownRows,
            id: "targets"
        )
        return HTML.page(title: "Targets", active: "Targets", body: body)
    }

    /// Every alarm instance with its state, reason and since when; then the history, newest first.
    func alarms(_ query: AlarmsQuery) async throws -> String {
        var body = "<h1>Alarms</h1>"
        guard let store = data.sources.alarms else {
            body += "<p class=\"muted\">No alarm store.</p>"
            return HTML.page(title: "Alarms", active: "Alarms", body: body)
        }
        let index = try await data.alarmIndex()
        let instances = index.states.filter { entry in
            (query.alarm == nil || entry.record.instance.alarmName == query.alarm) && (query.state == nil || entry.record.state == query.state)
        }.sorted {
            (-AlarmIndex.severity($0.record.state), $0.record.instance.id) < (-AlarmIndex.severity($1.record.state), $1.record.instance.id)
        }
        body +=
            "<form class=\"filters\" method=\"get\" action=\"/alarms\"><label>Alarm <select name=\"alarm\"><option value=\"\">every alarm</option>"
        let names = Set(index.states.map { $0.record.instance.alarmName }).union(data.sources.alarmDefinitions.map(\.alarmName)).sorted()
        for name in names {
            body += "<option value=\"\(HTML.escape(name))\"\(name == query.alarm ? " selected" : "")>\(HTML.escape(name))</option>"
        }
        body += "</select></label><label>State <select name=\"state\"><option value=\"all\">every state</option>"
        for state in AlarmState.allCases {
            body += "<option value=\"\(state.rawValue)\"\(state == query.state ? " selected" : "")>\(state.rawValue)</option>"
        }
        body += "</select></label><button type=\"submit\">Filter</button></form>"
        if index.states.isEmpty {
            body += "<p class=\"muted\">No alarm has been evaluated yet (no <span class=\"mono\">alarms</span> in the config, or no execution).</p>"
        }
        let paging = Paging(page: query.page, size: AlarmsQuery.pageSize, total: instances.count)
        let rows = instances[paging.range].map { entry -> [String] in
            let instance = entry.record.instance
            let labels = instance.labels.keys.sorted().map { "\($0)=\"\(instance.labels[$0] ?? "")\"" }.joined(separator: " ")
            return [
                "<a href=\"/alarms?alarm=\(HTML.escape(HTML.query(instance.alarmName)))\">\(HTML.escape(instance.alarmName))</a>",
                "<span class=\"mono\">\(HTML.escape(labels))</span>", HTML.escape(entry.metric ?? "(not in the config)"),
                "<span class=\"state \(entry.record.state.rawValue)\">\(entry.record.state.rawValue)</span>",
                "<span class=\"mono\">\(HTML.escape(entry.record.since.iso8601Milliseconds))</span>", HTML.escape(entry.record.reason),
            ]
        }
        body += "<h2>Instances</h2>" + paging.navigation(href: query.href(page:))
        body += HTML.table(headers: ["Alarm", "Series", "Metric", "State", "Since", "Reason"], rows: rows, id: "alarm-instances")
        let history = try await store.history(alarmName: query.alarm, limit: AlarmsQuery.historyLimit)
        let historyRows = history.map { entry -> [String] in
            let labels = entry.instance.labels.keys.sorted().map { "\($0)=\"\(entry.instance.labels[$0] ?? "")\"" }.joined(separator: " ")
            return [
                "<span class=\"mono\">\(HTML.escape(entry.time.iso8601Milliseconds))</span>", HTML.escape(entry.instance.alarmName),
                "<span class=\"mono\">\(HTML.escape(labels))</span>",
                "<span class=\"state \(entry.oldState.rawValue)\">\(entry.oldState.rawValue)</span> → "
                    + "<span class=\"state \(entry.newState.rawValue)\">\(entry.newState.rawValue)</span>",
                HTML.escape(entry.reason),
            ]
        }
        body += "<h2>History <span class=\"muted\">· newest first, at most \(AlarmsQuery.historyLimit)</span></h2>"
        body += HTML.table(headers: ["Time", "Alarm", "Series", "Change", "Reason"], rows: historyRows, id: "alarm-history")
        return HTML.page(title: "Alarms", active: "Alarms", body: body)
    }
}
