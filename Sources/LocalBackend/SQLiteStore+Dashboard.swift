import Foundation
import GRDB
import InfraMonitorCore

/// One sample of one series (metric, host, labels), as the dashboard draws it.
public struct SeriesSample: Sendable, Hashable {
    public var metric: String
    public var host: String
    /// The labels as sorted JSON text, such as `{"mountpoint":"/"}`; `{}` when none.
    public var labels: String
    public var unit: String
    public var timestamp: String
    public var value: Double
}

/// Executions per status and their total duration, for `/metrics`.
public struct ExecutionTotals: Sendable, Hashable {
    public var countByStatus: [String: Int]
    /// Sum of (finished − started) over finished executions, in seconds.
    public var durationSeconds: Double
    /// The newest scheduled time of any execution, if there is one.
    public var latestScheduledTime: Timestamp?
}

extension SQLiteStore {
    /// The newest sample of every series (metric, host, labels), ordered by metric, host, labels.
    public func latestSamples() throws -> [SeriesSample] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT metric, host, labels, unit, value, MAX(timestamp) AS timestamp FROM metric_samples
                    GROUP BY metric, host, labels ORDER BY metric, host, labels
                    """
            ).map(Self.seriesSample(from:))
        }
    }

    /// Samples at or after `since`, optionally of one metric and one host, in time order.
    public func samples(metric: String?, host: String?, since: Timestamp) throws -> [SeriesSample] {
        var sql = "SELECT metric, host, labels, unit, value, timestamp FROM metric_samples WHERE timestamp >= ?"
        var arguments: StatementArguments = [since.iso8601Milliseconds]
        if let metric {
            sql += " AND metric = ?"
            _ = arguments.append(contentsOf: [metric])
        }
        if let host {
            sql += " AND host = ?"
            _ = arguments.append(contentsOf: [host])
        }
        sql += " ORDER BY timestamp LIMIT 200000"
        let finalSQL = sql
        let finalArguments = arguments
        return try read { db in
            try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map(Self.seriesSample(from:))
        }
    }

    /// Counts of executions per status, their total duration and the newest scheduled time.
    public func executionTotals() throws -> ExecutionTotals {
        try read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM executions GROUP BY status") {
                counts[row["status"]] = row["n"]
            }
            let duration =
                try Double.fetchOne(
                    db,
                    sql: """
                        SELECT COALESCE(SUM((julianday(finished_at) - julianday(started_at)) * 86400.0), 0)
                        FROM executions WHERE finished_at IS NOT NULL
                        """
                ) ?? 0
            let latest = try String.fetchOne(db, sql: "SELECT MAX(scheduled_time) FROM executions")
            return ExecutionTotals(
                countByStatus: counts,
                durationSeconds: duration,
                latestScheduledTime: latest.flatMap { Timestamp.parseRFC3339($0) }
            )
        }
    }

    static func seriesSample(from row: Row) -> SeriesSample {
        SeriesSample(
            metric: row["metric"],
            host: row["host"],
            labels: row["labels"],
            unit: row["unit"],
            timestamp: row["timestamp"],
            value: row["value"]
        )
    }
}

extension QueryEngine {
    /// Runs one read statement as ``run(_:rowLimit:)`` does, interrupting it after `timeLimitSeconds`.
    /// - Throws: ``LocalBackendError/readOnlyQuery(_:)`` for anything but a read,
    ///   ``LocalBackendError/query(reason:)`` for SQL errors and for a query stopped at the time limit.
    public func run(_ sql: String, rowLimit: Int, timeLimitSeconds: Double) throws -> QueryResult {
        let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        let firstWord = trimmed.prefix { $0.isLetter }.uppercased()
        guard ["SELECT", "WITH", "VALUES", "EXPLAIN"].contains(firstWord) else {
            throw LocalBackendError.readOnlyQuery("\(firstWord.isEmpty ? "this statement" : firstWord) is not a read")
        }
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw LocalBackendError.query(reason: "no database at \(databasePath) yet; run `infra-monitor run` first")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        } catch {
            throw LocalBackendError.query(reason: SQLiteStore.describe(error))
        }
        let timer = DispatchWorkItem { queue.interrupt() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimitSeconds, execute: timer)
        defer { timer.cancel() }
        do {
            return try queue.read { db in
                let statement = try db.makeStatement(sql: trimmed)
                guard statement.isReadonly else {
                    throw LocalBackendError.readOnlyQuery("the statement would change the database")
                }
                let columns = statement.columnNames
                var rows: [[QueryCell]] = []
                let cursor = try Row.fetchCursor(statement)
                while rows.count < rowLimit, let row = try cursor.next() {
                    rows.append((0..<columns.count).map { Self.cell(row[$0] as DatabaseValue) })
                }
                return QueryResult(columns: columns, rows: rows)
            }
        } catch let error as LocalBackendError {
            throw error
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_INTERRUPT {
                throw LocalBackendError.query(reason: "the query ran longer than \(timeLimitSeconds) s and was stopped; narrow it")
            }
            if error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_AUTH {
                throw LocalBackendError.readOnlyQuery(error.message ?? "the statement would write")
            }
            throw LocalBackendError.query(reason: error.message ?? "\(error.resultCode)")
        }
    }

    private static func cell(_ value: DatabaseValue) -> QueryCell {
        switch value.storage {
        case .null: return .null
        case .int64(let v): return .integer(v)
        case .double(let v): return .real(v)
        case .string(let v): return .text(v)
        case .blob(let d): return .blob(d.count)
        }
    }
}
