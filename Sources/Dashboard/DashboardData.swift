import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend

/// The reads behind the pages and the JSON API, over the embedded database.
struct DashboardData: Sendable {
    let store: SQLiteStore
    let queries: QueryEngine
    let settings: DashboardSettings

    /// The ranges a metric page offers, in seconds.
    static let ranges: [(String, Int64)] = [("3h", 3 * 3600), ("24h", 86_400), ("7d", 7 * 86_400), ("30d", 30 * 86_400), ("90d", 90 * 86_400)]

    /// Alarm level of a value: `ok`, `warn` (≥ 75 %) or `bad` (≥ 90 %); only percentages have thresholds.
    static func alarm(_ sample: SeriesSample) -> String {
        guard sample.unit == "Percent" else { return "ok" }
        if sample.value >= 90 { return "bad" }
        if sample.value >= 75 { return "warn" }
        return "ok"
    }

    /// `mountpoint=/` or `device=eth0, direction=rx` from the labels' JSON text.
    static func labelText(_ labels: String) -> String {
        labelPairs(labels).map { pair -> String in "\(pair.0)=\(pair.1)" }.joined(separator: ", ")
    }

    static func labelPairs(_ labels: String) -> [(String, String)] {
        guard case .object(let members)? = try? JSON(parsing: labels) else { return [] }
        return members.keys.sorted().map { ($0, members[$0]?.stringValue ?? "") }
    }

    static func sampleJSON(_ s: SeriesSample) -> JSON {
        var labels: [String: JSON] = [:]
        for (key, value) in labelPairs(s.labels) { labels[key] = .string(value) }
        return [
            "metric": .string(s.metric), "host": .string(s.host), "labels": .object(labels), "unit": .string(s.unit),
            "timestamp": .string(s.timestamp), "value": .number(s.value), "alarm": .string(alarm(s)),
        ]
    }

    static func executionJSON(_ e: ExecutionSummary) -> JSON {
        [
            "id": .string(e.id), "status": .string(e.status.rawValue), "scheduled_time": .string(e.scheduledTime.iso8601Milliseconds),
            "started_at": .string(e.startedAt.iso8601Milliseconds), "finished_at": e.finishedAt.map { .string($0.iso8601Milliseconds) } ?? .null,
            "duration_ms": e.durationMilliseconds.map { .number(Double($0)) } ?? .null, "error": e.error.map { .string($0) } ?? .null,
            "cause": e.cause.map { .string($0) } ?? .null,
        ]
    }

    static func eventJSON(_ e: ExecutionEvent) -> JSON {
        [
            "id": .number(Double(e.id)), "previous_id": .number(Double(e.previousID)), "type": .string(e.type),
            "timestamp": .string(e.timestamp), "state_name": e.stateName.map { .string($0) } ?? .null,
            "details": (try? JSON(parsing: e.details)) ?? .string(e.details),
        ]
    }

    static func outboxJSON(_ m: OutboxMessage) -> JSON {
        [
            "id": .number(Double(m.id)), "created_at": .string(m.createdAt), "execution_id": m.executionID.map { .string($0) } ?? .null,
            "subject": .string(m.subject), "message": .string(m.message), "webhook_status": m.webhookStatus.map { .string($0) } ?? .null,
            "email_status": m.emailStatus.map { .string($0) } ?? .null,
        ]
    }

    /// Runs read-only SQL with the dashboard's row and time limits.
    func query(_ sql: String) throws -> QueryResult {
        try queries.run(sql, rowLimit: settings.queryRowLimit, timeLimitSeconds: settings.queryTimeLimitSeconds)
    }

    static func csv(_ result: QueryResult) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var out = result.columns.map(field).joined(separator: ",") + "\r\n"
        for row in result.rows { out += row.map { field($0.text) }.joined(separator: ",") + "\r\n" }
        return out
    }
}
