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
