import GRDB
public import InfraMonitorCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SQLiteStore: SeriesReader {
    public func latestSamples() async throws -> [SeriesSample] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT metric, host, labels, unit, value, MAX(timestamp) AS timestamp FROM metric_samples
                    GROUP BY metric, host, labels ORDER BY metric, host, labels
                    """
            ).map(Self.seriesSample(from:))
        }
    }

    public func samples(metric: String?, host: String?, since: Timestamp) async throws -> [SeriesSample] {
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
        return try await read { db in
            try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map(Self.seriesSample(from:))
        }
    }

    static func seriesSample(from row: Row) -> SeriesSample {
        let labels: String = row["labels"]
        let timestamp: String = row["timestamp"]
        return SeriesSample(
            metric: row["metric"],
            host: row["host"],
            labels: (try? JSONDecoder().decode([String: String].self, from: Data(labels.utf8))) ?? [:],
            unit: row["unit"],
            timestamp: Timestamp.parseRFC3339(timestamp) ?? Timestamp(seconds: 0),
            value: row["value"]
        )
    }
}
