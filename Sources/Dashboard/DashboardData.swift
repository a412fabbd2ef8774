public import Alarms
import Foundation
import InfraJSON
public import InfraMonitorCore

/// What the dashboard reads, as ports: the series, the executions with their history, the
/// notifications and read-only SQL. Both backends provide them, so `serve --backend aws` shows a
/// deployment as `serve` shows this machine.
public struct DashboardSources: Sendable {
    public var series: any SeriesReader
    public var executions: any ExecutionHistory
    public var notifications: any NotificationLog
    public var query: any SampleQuery
    /// Each fleet target's scrapes, where the backend keeps them (the targets page, `/metrics`).
    public var targetHealth: (any TargetHealthStore)?
    /// The alarm instances' states and history (the overview's colours, the alarms page, `/metrics`).
    public var alarms: (any AlarmStateStore)?
    /// The config's alarms, which tell the metric each instance watches.
    public var alarmDefinitions: [AlarmDefinition] = []
    /// The targets `serve` discovered last (its file_sd watcher), listed as UNKNOWN until scraped.
    public var discovered: DiscoveredTargets?

    public init(series: any SeriesReader, executions: any ExecutionHistory, notifications: any NotificationLog, query: any SampleQuery) {
        self.series = series
        self.executions = executions
        self.notifications = notifications
        self.query = query
    }

    /// The read models of `backend`.
    public init(backend: Backend) {
        self.init(series: backend.series, executions: backend.executions, notifications: backend.notifications, query: backend.query)
        targetHealth = backend.targetHealth
    }
}

/// How many queries may run at once; one more is answered "busy" at once instead of queueing, so
/// that slow queries never hold back `/healthz` or the pages.
actor QueryGate {
    let capacity: Int
    private var running = 0

    init(capacity: Int) { self.capacity = capacity }

    /// Takes a place, or returns false when every place is taken.
    func enter() -> Bool {
        guard running < capacity else { return false }
        running += 1
        return true
    }

    func leave() { running -= 1 }
}

/// Every query place is taken.
struct QueryCapacityReached: Error, CustomStringConvertible {
    let capacity: Int
    var description: String { "\(capacity) queries are running already; try again when one has finished" }
}

/// The reads behind the pages and the JSON API.
struct DashboardData: Sendable {
    let sources: DashboardSources
    let settings: DashboardSettings
    let gate: QueryGate

    init(sources: DashboardSources, settings: DashboardSettings) {
        self.sources = sources
        self.settings = settings
        gate = QueryGate(capacity: settings.queryCapacity)
    }

    /// The ranges a metric page offers, in seconds.
    static let ranges: [(String, Int64)] = [("3h", 3 * 3600), ("24h", 86_400), ("7d", 7 * 86_400), ("30d", 30 * 86_400), ("90d", 90 * 86_400)]

    /// `range` when it is one of ``ranges``, else `24h`: nothing the client sends is echoed unchecked.
    static func knownRange(_ range: String?) -> String {
        ranges.contains { $0.0 == range } ? range ?? "24h" : "24h"
    }

    /// The alarm instances now, indexed by the series they watch.
    func alarmIndex() async throws -> AlarmIndex {
        guard let alarms = sources.alarms else { return AlarmIndex(definitions: sources.alarmDefinitions, states: []) }
        return AlarmIndex(definitions: sources.alarmDefinitions, states: try await alarms.allStates())
    }

    /// A sample with the worst state of the alarm instances that watch its series (`null` when none does).
    static func sampleJSON(_ s: SeriesSample, alarms: AlarmIndex) -> JSON {
        [
            "metric": .string(s.metric), "host": .string(s.host), "labels": .object(s.labels.mapValues(JSON.string)),
            "unit": .string(s.unit), "timestamp": .string(s.timestamp.iso8601Milliseconds), "value": .number(s.value),
            "alarm_state": alarms.worst(of: s).map { .string($0.rawValue) } ?? .null,
        ]
    }

    static func sampleJSON(_ s: SeriesSample) -> JSON {
        [
            "metric": .string(s.metric), "host": .string(s.host), "labels": .object(s.labels.mapValues(JSON.string)),
            "unit": .string(s.unit), "timestamp": .string(s.timestamp.iso8601Milliseconds), "value": .number(s.value),
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
            "id": .number(Double(e.id)), "previous_id": .number(Double(e.previousID)), "type": .string(e.type.name),
            "timestamp": .string(e.timestamp), "state_name": e.stateName.map { .string($0) } ?? .null, "details": e.details,
        ]
    }

    static func notificationJSON(_ m: NotificationRecord) -> JSON {
        [
            "id": .number(Double(m.id)), "created_at": .string(m.createdAt), "execution_id": m.executionID.map { .string($0) } ?? .null,
            "subject": .string(m.subject), "message": .string(m.message.text),
            "webhook_status": m.deliveries["webhook"].map { .string($0) } ?? .null,
            "email_status": m.deliveries["email"].map { .string($0) } ?? .null,
        ]
    }

    /// Runs read-only SQL with the dashboard's row and time limits, if a query place is free.
    /// - Throws: ``QueryCapacityReached`` when ``DashboardSettings/queryCapacity`` queries run already.
    func query(_ sql: String) async throws -> QueryTable {
        guard await gate.enter() else { throw QueryCapacityReached(capacity: settings.queryCapacity) }
        do {
            let result = try await sources.query.run(sql, rowLimit: settings.queryRowLimit, timeLimitSeconds: settings.queryTimeLimitSeconds)
            await gate.leave()
            return result
        } catch {
            await gate.leave()
            throw error
        }
    }

    /// A cell as the pages and CSV show it.
    static func cellText(_ cell: JSON) -> String {
        switch cell {
        case .null: return ""
        case .string(let text): return text
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
            return value.description
        default: return cell.text
        }
    }

    static func csv(_ result: QueryTable) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var out = result.columns.map(field).joined(separator: ",") + "\r\n"
        for row in result.rows { out += row.map { field(cellText($0)) }.joined(separator: ",") + "\r\n" }
        return out
    }
}
