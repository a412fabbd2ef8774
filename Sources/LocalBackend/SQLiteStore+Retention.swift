import Foundation
import GRDB
public import InfraMonitorCore

/// The windows one retention pass applies to the database, from `retention:` in config.yaml.
public struct RetentionWindows: Sendable, Hashable {
    /// The pass's clock: tests set it into the future instead of waiting.
    public var now: Timestamp
    /// Records this many days old or older go (besides those whose TTL passed): the same edge as
    /// the objects', which go at exactly their window's age.
    public var recordsDays: Int
    /// Alarm history rows this many days old or older go.
    /// The default, 14, is CloudWatch's: "Amazon CloudWatch retains the history of active and deleted alarms
    /// for two weeks" (mon-describe-alarm-history, Amazon CloudWatch CLI Reference).
    public var alarmHistoryDays: Int

    public init(now: Timestamp, recordsDays: Int, alarmHistoryDays: Int) {
        self.now = now
        self.recordsDays = recordsDays
        self.alarmHistoryDays = alarmHistoryDays
    }

    /// Records with a `timestamp` at or before this go.
    public var recordsCutoff: Timestamp { now.adding(seconds: -Int64(recordsDays) * 86_400) }
    /// History rows with a `time` at or before this go.
    public var historyCutoff: Timestamp { now.adding(seconds: -Int64(alarmHistoryDays) * 86_400) }
}

/// What a retention pass removed (or, dry, would remove) from the database.
public struct DatabaseRetentionReport: Sendable, Hashable {
    /// `metrics` samples of the expired raw objects.
    public var samples = 0
    /// `infra_metrics` records past their TTL or the records window.
    public var records = 0
    /// `alarm_history` rows older than the history window.
    public var historyRows = 0
    /// Raw objects newly recorded as STANDARD_IA.
    public var transitioned = 0
    /// Samples whose raw object the bucket no longer holds (an object deleted before samples
    /// went with it), deleted too.
    public var orphanSamples = 0

    public init() {}
}

/// What the database holds, for `lifecycle status`.
public struct DatabaseRetentionStatus: Sendable, Hashable {
    public var records = 0
    /// Records the next pass deletes.
    public var recordsDue = 0
    public var oldestRecord: String?
    public var newestRecord: String?
    public var samples = 0
    /// Samples per object (`source`).
    public var samplesBySource: [String: Int] = [:]
    /// Samples whose raw object the bucket no longer holds (none after a complete pass).
    public var orphanSamples = 0
    public var historyRows = 0
    /// History rows the next pass deletes.
    public var historyDue = 0
    public var oldestHistory: String?
    /// The recorded storage class of each raw object that has left STANDARD.
    public var storageClasses: [String: String] = [:]

    public init() {}
}

/// Retention in the embedded database (docs/design.md, "Retention"): the samples of expired raw
/// objects, the records the table's TTL removes, old alarm history, and the storage class S3 would
/// give each raw object. The classes live in `object_storage_classes`, created by the first pass
/// that records one (a bookkeeping table of this feature only, so no migration of the shared
/// schema is needed).
extension SQLiteStore {
    static let storageClassesTable = "object_storage_classes"

    /// Applies one pass in one transaction: deletes the samples of `expiredObjects` and their
    /// storage-class rows, records `infrequentAccess` objects as STANDARD_IA (once, with the time of
    /// the pass), deletes records older than the window or past `expires_at` (DynamoDB's TTL) and
    /// alarm history older than its window. With `presentObjects` (the raw keys the bucket keeps
    /// after the pass) samples of any other raw key go too: an object is the source of truth, and
    /// samples without one cannot be rebuilt. With `dryRun` it only counts.
    ///
    /// Call it before deleting the expired files: a crash between the two leaves files whose
    /// samples are gone, which the next pass deletes; never samples without their object.
    /// - Throws: ``LocalBackendError/database(path:reason:)``.
    public func applyRetention(
        expiredObjects: [String],
        infrequentAccess: [String],
        presentObjects: Set<String>? = nil,
        windows: RetentionWindows,
        dryRun: Bool
    ) async throws -> DatabaseRetentionReport {
        let recordsCutoff = windows.recordsCutoff.flooredToMilliseconds.iso8601Milliseconds
        let historyCutoff = windows.historyCutoff.flooredToMilliseconds.iso8601Milliseconds
        let nowSeconds = windows.now.seconds
        let since = windows.now.flooredToMilliseconds.iso8601Milliseconds
        let body: @Sendable (Database) throws -> DatabaseRetentionReport = { db in
            var report = DatabaseRetentionReport()
            let recordsWhere = "timestamp <= ? OR expires_at < ?"
            let recordsArguments: StatementArguments = [recordsCutoff, nowSeconds]
            let hasClasses = try db.tableExists(Self.storageClassesTable)
            let expired = Set(expiredObjects)
            var orphans: [String] = []
            if let presentObjects {
                orphans = try String.fetchAll(db, sql: "SELECT DISTINCT source FROM metric_samples WHERE source LIKE 'raw-metrics/%'")
                    .filter { !presentObjects.contains($0) && !expired.contains($0) }
            }
            for key in orphans {
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM metric_samples WHERE source = ?", arguments: [key]) ?? 0
                report.orphanSamples += count
                if !dryRun { try db.execute(sql: "DELETE FROM metric_samples WHERE source = ?", arguments: [key]) }
            }
            if dryRun {
                for key in expiredObjects {
                    report.samples += try Int.fetchOne(db, sql: "SELECT count(*) FROM metric_samples WHERE source = ?", arguments: [key]) ?? 0
                }
                report.records =
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM infra_metrics WHERE \(recordsWhere)", arguments: recordsArguments) ?? 0
                report.historyRows = try Int.fetchOne(db, sql: "SELECT count(*) FROM alarm_history WHERE time <= ?", arguments: [historyCutoff]) ?? 0
                let recorded = hasClasses ? Set(try String.fetchAll(db, sql: "SELECT key FROM \(Self.storageClassesTable)")) : []
                report.transitioned = infrequentAccess.filter { !recorded.contains($0) }.count
                return report
            }
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS \(Self.storageClassesTable) (
                        key TEXT PRIMARY KEY, storage_class TEXT NOT NULL, since TEXT NOT NULL
                    ) WITHOUT ROWID
                    """
            )
            for key in expiredObjects {
                try db.execute(sql: "DELETE FROM metric_samples WHERE source = ?", arguments: [key])
                report.samples += db.changesCount
                try db.execute(sql: "DELETE FROM \(Self.storageClassesTable) WHERE key = ?", arguments: [key])
            }
            for key in infrequentAccess {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO \(Self.storageClassesTable) (key, storage_class, since) VALUES (?, 'STANDARD_IA', ?)",
                    arguments: [key, since]
                )
                report.transitioned += db.changesCount
            }
            try db.execute(sql: "DELETE FROM infra_metrics WHERE \(recordsWhere)", arguments: recordsArguments)
            report.records = db.changesCount
            // `time` is `YYYY-MM-DDTHH:MM:SS.mmmZ`, which sorts in time order.
            try db.execute(sql: "DELETE FROM alarm_history WHERE time <= ?", arguments: [historyCutoff])
            report.historyRows = db.changesCount
            return report
        }
        if dryRun { return try await read(body) }
        return try await write(body)
    }

    /// What the database holds, and what a pass with `windows` would remove; `objects` are the
    /// raw keys the bucket holds now (for the samples whose object is gone).
    /// - Throws: ``LocalBackendError/database(path:reason:)``.
    public func retentionStatus(windows: RetentionWindows, objects: Set<String>) async throws -> DatabaseRetentionStatus {
        let recordsCutoff = windows.recordsCutoff.flooredToMilliseconds.iso8601Milliseconds
        let historyCutoff = windows.historyCutoff.flooredToMilliseconds.iso8601Milliseconds
        let nowSeconds = windows.now.seconds
        return try await read { db in
            var status = DatabaseRetentionStatus()
            status.records = try Int.fetchOne(db, sql: "SELECT count(*) FROM infra_metrics") ?? 0
            status.recordsDue =
                try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM infra_metrics WHERE timestamp <= ? OR expires_at < ?",
                    arguments: [recordsCutoff, nowSeconds]
                ) ?? 0
            status.oldestRecord = try String.fetchOne(db, sql: "SELECT min(timestamp) FROM infra_metrics")
            status.newestRecord = try String.fetchOne(db, sql: "SELECT max(timestamp) FROM infra_metrics")
            for row in try Row.fetchAll(db, sql: "SELECT source, count(*) AS n FROM metric_samples GROUP BY source") {
                let source: String = row["source"]
                let count: Int = row["n"]
                status.samples += count
                status.samplesBySource[source] = count
                if source.hasPrefix(ObjectKeys.rawPrefix), !objects.contains(source) { status.orphanSamples += count }
            }
            status.historyRows = try Int.fetchOne(db, sql: "SELECT count(*) FROM alarm_history") ?? 0
            status.historyDue = try Int.fetchOne(db, sql: "SELECT count(*) FROM alarm_history WHERE time <= ?", arguments: [historyCutoff]) ?? 0
            status.oldestHistory = try String.fetchOne(db, sql: "SELECT min(time) FROM alarm_history")
            if try db.tableExists(Self.storageClassesTable) {
                for row in try Row.fetchAll(db, sql: "SELECT key, storage_class FROM \(Self.storageClassesTable)") {
                    let key: String = row["key"]
                    let storageClass: String = row["storage_class"]
                    status.storageClasses[key] = storageClass
                }
            }
            return status
        }
    }
}
