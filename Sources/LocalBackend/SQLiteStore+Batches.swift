import GRDB
public import InfraMonitorCore

// A processed batch in one transaction (docs/design.md, "Crash consistency"): the samples of one
// raw object, its records and the row of `processed_objects` that says it was processed are
// committed together, so a crash at any point leaves the whole batch or none of it, and a stored
// batch without that row is one whose processing never committed: the next start processes it.

extension SQLiteStore {
    /// Adds `processed_objects`, filled from the sources already in the tables (a database from
    /// before this migration had every batch it holds processed).
    static func registerBatchMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("Create processed objects") { db in
            try db.execute(
                sql: """
                    CREATE TABLE processed_objects (
                        source TEXT PRIMARY KEY, processed_at TEXT NOT NULL, samples INTEGER NOT NULL, records INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    INSERT OR IGNORE INTO processed_objects (source, processed_at, samples, records)
                        SELECT source, '', 0, 0 FROM (SELECT DISTINCT source FROM metric_samples UNION SELECT DISTINCT source FROM infra_metrics);
                    """
            )
        }
    }

    /// Deletes the samples indexed from `source` and inserts those `produce` emits, inside the
    /// caller's transaction; returns how many were inserted.
    static func replaceSamples(source: String, db: Database, produce: ((Sample) throws -> Void) throws -> Void) throws -> Int {
        let partition = ObjectKeys.datePartition(ofRawKey: source)
        try db.execute(sql: "DELETE FROM metric_samples WHERE source = ?", arguments: [source])
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO metric_samples (source, metric, host, timestamp, value, unit, labels, year, month, day)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        var count = 0
        try produce { sample in
            var labels = ""
            JSONText.appendLabels(sample.labels, to: &labels)
            let date = partition ?? ObjectKeys.datePartition(of: sample.timestamp)
            try insert.execute(arguments: [
                source, sample.metric, sample.host, sample.timestamp.iso8601Milliseconds, sample.value, sample.unit,
                labels, date.year, date.month, date.day,
            ])
            count += 1
        }
        return count
    }

    /// The samples, the records and the processed-object row of `source` in one transaction when
    /// `table` is this database; separate writes when the records go elsewhere.
    public func storeProcessedBatch(
        source: String,
        table: any MetricTable,
        produce: @escaping @Sendable (_ emit: (Sample) throws -> Void) throws -> [MetricRecord]
    ) async throws {
        guard let same = table as? SQLiteStore, same === self else {
            let produced = ProducedRecords()
            try await replaceSamples(source: source) { emit in produced.records = try produce(emit) }
            try await table.upsert(produced.records)
            return
        }
        try await write { db in
            var records: [MetricRecord] = []
            let samples = try Self.replaceSamples(source: source, db: db) { emit in records = try produce(emit) }
            try Self.upsert(records, db: db)
            // `processed_at` is when the object was first processed: re-processing it (replay,
            // `process` of a stored object) leaves every table as it was.
            try db.execute(
                sql: """
                    INSERT INTO processed_objects (source, processed_at, samples, records) VALUES (?, ?, ?, ?)
                    ON CONFLICT (source) DO UPDATE SET samples = excluded.samples, records = excluded.records
                    """,
                arguments: [source, Timestamp.now().iso8601Milliseconds, samples, records.count]
            )
        }
    }

    /// The raw batches of `objects` without a processed-object row.
    public func unprocessedBatches(in objects: any ObjectStore) async throws -> [String] {
        let keys = try await objects.list(prefix: ObjectKeys.rawPrefix)
        let processed = try await processedSources()
        return keys.filter { !processed.contains($0) }
    }

    /// Every source with a processed-object row.
    public func processedSources() async throws -> Set<String> {
        try await read { db in Set(try String.fetchAll(db, sql: "SELECT source FROM processed_objects")) }
    }
}

/// The records a produce closure returned, read after the closure ran.
///
/// `@unchecked Sendable`: the index runs the closure exactly once, and the caller reads the records
/// only after that call returned.
private final class ProducedRecords: @unchecked Sendable {
    var records: [MetricRecord] = []
}
