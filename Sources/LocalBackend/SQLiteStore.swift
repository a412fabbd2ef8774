import GRDB
public import InfraMonitorCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The embedded database: `infra_metrics` (DynamoDB's InfraMetrics), `metrics` (Athena's table),
/// executions and their history (Step Functions), the notification outbox (SNS) and collector state.
///
/// One SQLite file in WAL mode, so that readers (`query`, `serve`) never block the pipeline.
public final class SQLiteStore: Sendable {
    /// The connection pool; exposed for read-only tools in this package.
    let pool: DatabasePool
    /// The database file.
    public let path: String

    /// Opens (creating and migrating when needed) the database at `path`.
    /// - Throws: ``LocalBackendError/database(path:reason:)`` with SQLite's reason.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "infra-monitor"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw LocalBackendError.database(path: path, reason: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("Create pipeline tables") { db in
            try db.execute(
                sql: """
                    CREATE TABLE infra_metrics (
                        metric_id TEXT NOT NULL, timestamp TEXT NOT NULL, metric TEXT NOT NULL, host TEXT NOT NULL,
                        labels TEXT NOT NULL, unit TEXT NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL,
                        min REAL NOT NULL, max REAL NOT NULL, mean REAL NOT NULL, last REAL NOT NULL,
                        source TEXT NOT NULL, expires_at INTEGER NOT NULL,
                        PRIMARY KEY (metric_id, timestamp)
                    ) WITHOUT ROWID;
                    CREATE INDEX infra_metrics_expires_at ON infra_metrics(expires_at);
                    CREATE TABLE metric_samples (
                        source TEXT NOT NULL, metric TEXT NOT NULL, host TEXT NOT NULL, timestamp TEXT NOT NULL,
                        value REAL NOT NULL, unit TEXT NOT NULL, labels TEXT NOT NULL,
                        year TEXT NOT NULL, month TEXT NOT NULL, day TEXT NOT NULL
                    );
                    CREATE INDEX metric_samples_source ON metric_samples(source);
                    CREATE INDEX metric_samples_series ON metric_samples(metric, host, timestamp);
                    CREATE VIEW metrics AS
                        SELECT metric, host, timestamp, value, unit, labels, year, month, day FROM metric_samples;
                    CREATE TABLE executions (
                        id TEXT PRIMARY KEY, status TEXT NOT NULL, scheduled_time TEXT NOT NULL,
                        started_at TEXT NOT NULL, finished_at TEXT, error TEXT, cause TEXT,
                        input TEXT NOT NULL, output TEXT
                    );
                    CREATE TABLE execution_events (
                        execution_id TEXT NOT NULL REFERENCES executions(id), event_id INTEGER NOT NULL,
                        previous_event_id INTEGER NOT NULL, type TEXT NOT NULL, timestamp TEXT NOT NULL,
                        state_name TEXT, details TEXT NOT NULL,
                        PRIMARY KEY (execution_id, event_id)
                    );
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, execution_id TEXT,
                        subject TEXT NOT NULL, message TEXT NOT NULL,
                        webhook_status TEXT, email_status TEXT
                    );
                    CREATE TABLE collector_state (
                        host TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL,
                        PRIMARY KEY (host, name)
                    );
                    """
            )
        }
        migrator.registerMigration("Create alarm tables") { db in
            try db.execute(
                sql: """
                    CREATE TABLE alarm_states (
                        instance_id TEXT PRIMARY KEY, alarm_name TEXT NOT NULL, labels TEXT NOT NULL, fan_out_labels TEXT NOT NULL,
                        state TEXT NOT NULL, reason TEXT NOT NULL, since TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE alarm_history (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, alarm_name TEXT NOT NULL,
                        labels TEXT NOT NULL, fan_out_labels TEXT NOT NULL, time TEXT NOT NULL,
                        old_state TEXT NOT NULL, new_state TEXT NOT NULL, reason TEXT NOT NULL
                    );
                    CREATE INDEX alarm_history_alarm_time ON alarm_history(alarm_name, time);
                    CREATE INDEX alarm_history_time ON alarm_history(time);
                    """
            )
        }
        registerTargetHealthMigration(&migrator)
        registerBatchMigrations(&migrator)
        return migrator
    }

    /// Runs `body` in a write transaction on GRDB's writer (off the cooperative thread pool),
    /// mapping SQLite errors to ``LocalBackendError``.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw LocalBackendError.database(path: path, reason: Self.describe(error))
        }
    }

    /// Runs `body` on a read-only snapshot, off the cooperative thread pool.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw LocalBackendError.database(path: path, reason: Self.describe(error))
        }
    }

    /// Deletes records whose `expires_at` has passed, as DynamoDB's TTL would; returns how many.
    @discardableResult
    public func deleteExpiredRecords(now: Timestamp = .now()) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM infra_metrics WHERE expires_at < ?", arguments: [now.seconds])
            return db.changesCount
        }
    }
}

extension SQLiteStore: MetricTable {
    public func upsert(_ records: [MetricRecord]) async throws {
        try await write { db in try Self.upsert(records, db: db) }
    }

    static func upsert(_ records: [MetricRecord], db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO infra_metrics
                (metric_id, timestamp, metric, host, labels, unit, count, sum, min, max, mean, last, source, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        for r in records {
            var labels = ""
            JSONText.appendLabels(r.labels, to: &labels)
            try statement.execute(arguments: [
                r.metricID, r.timestampText, r.metric, r.host, labels, r.unit, r.count, r.sum, r.min, r.max, r.mean,
                r.last, r.source, r.expiresAt,
            ])
        }
    }

    public func records(metricID: String?, from: Timestamp?, to: Timestamp?, limit: Int?) async throws -> [MetricRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let metricID {
            conditions.append("metric_id = ?")
            _ = arguments.append(contentsOf: [metricID])
        }
        if let from {
            conditions.append("timestamp >= ?")
            _ = arguments.append(contentsOf: [from.iso8601Milliseconds])
        }
        if let to {
            conditions.append("timestamp < ?")
            _ = arguments.append(contentsOf: [to.iso8601Milliseconds])
        }
        var sql = "SELECT * FROM infra_metrics"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY metric_id, timestamp"
        if let limit { sql += " LIMIT \(max(0, limit))" }
        let finalSQL = sql
        let finalArguments = arguments
        return try await read { db in
            try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map(Self.record(from:))
        }
    }

    static func record(from row: Row) -> MetricRecord {
        let labelsText: String = row["labels"]
        let labels =
            (try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8))) ?? [:]
        let timestampText: String = row["timestamp"]
        return MetricRecord(
            metricID: row["metric_id"],
            timestamp: Timestamp.parseRFC3339(timestampText) ?? Timestamp(seconds: 0),
            metric: row["metric"],
            host: row["host"],
            labels: labels,
            unit: row["unit"],
            count: row["count"],
            sum: row["sum"],
            min: row["min"],
            max: row["max"],
            last: row["last"],
            source: row["source"]
        )
    }
}

extension SQLiteStore: SampleIndex {
    public func replaceSamples(source: String, produce: @escaping @Sendable ((Sample) throws -> Void) throws -> Void) async throws {
        try await write { db in _ = try Self.replaceSamples(source: source, db: db, produce: produce) }
    }
}

extension SQLiteStore: CollectorStateStore {
    public func load(host: String, name: String) async throws -> String? {
        try await read { db in
            try String.fetchOne(
                db,
                sql: "SELECT value FROM collector_state WHERE host = ? AND name = ?",
                arguments: [host, name]
            )
        }
    }

    public func save(host: String, name: String, value: String) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO collector_state (host, name, value, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [host, name, value, Timestamp.now().iso8601Milliseconds]
            )
        }
    }

    /// One query for the name's rows, kept for the hosts asked.
    public func loadAll(hosts: [String], name: String) async throws -> [String: String] {
        let wanted = Set(hosts)
        return try await read { db in
            var found: [String: String] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT host, value FROM collector_state WHERE name = ?", arguments: [name])
            while let row = try rows.next() {
                let host: String = row[0]
                if wanted.contains(host) { found[host] = row[1] }
            }
            return found
        }
    }

    /// Every host's state in one transaction, with one prepared statement.
    public func saveAll(_ values: [String: String], name: String) async throws {
        guard !values.isEmpty else { return }
        try await write { db in
            let statement = try db.makeStatement(
                sql: "INSERT OR REPLACE INTO collector_state (host, name, value, updated_at) VALUES (?, ?, ?, ?)"
            )
            let updated = Timestamp.now().iso8601Milliseconds
            for (host, value) in values.sorted(by: { $0.key < $1.key }) {
                try statement.execute(arguments: [host, name, value, updated])
            }
        }
    }
}
