public import InfraMonitorCore

/// The target-health table in memory.
public actor InMemoryTargetHealthStore: TargetHealthStore {
    private var rows: [RowKey: TargetHealth] = [:]

    private struct RowKey: Hashable {
        var executionID: String
        var job: String
        var target: String
        var metric: String
    }

    public init() {}

    public func record(executionID: String, _ scrapes: [TargetHealth]) {
        for var scrape in scrapes {
            scrape.executionID = executionID
            rows[RowKey(executionID: executionID, job: scrape.job, target: scrape.target, metric: scrape.metric)] = scrape
        }
    }

    public func latestTargetHealth() -> [TargetHealth] {
        var newest: [String: TargetHealth] = [:]
        for row in rows.values {
            let key = row.job + "\u{0}" + row.target + "\u{0}" + row.metric
            if let kept = newest[key], (kept.scrapedAt, kept.executionID) >= (row.scrapedAt, row.executionID) { continue }
            newest[key] = row
        }
        return newest.values.sorted(by: Self.order)
    }

    public func targetHealth(executionID: String) -> [TargetHealth] {
        rows.values.filter { $0.executionID == executionID }.sorted(by: Self.order)
    }

    private static func order(_ a: TargetHealth, _ b: TargetHealth) -> Bool {
        (a.job, a.target, a.metric) < (b.job, b.target, b.metric)
    }
}
