import Foundation
import GRDB
public import InfraMonitorCore

// What `infra-monitor doctor` reads of the database: its integrity, the executions left RUNNING,
// and every batch's stored samples and records, to compare with reprocessing the raw objects.

/// One stored sample as text, comparable with a sample reprocessed from its raw object.
public enum SampleFingerprint {
    /// `metric, host, timestamp, value, unit, labels`, separated by U+0001.
    public static func of(_ sample: Sample) -> String {
        var labels = ""
        JSONText.appendLabels(sample.labels, to: &labels)
        return join(sample.metric, sample.host, sample.timestamp.iso8601Milliseconds, sample.value, sample.unit, labels)
    }

    static func join(_ metric: String, _ host: String, _ timestamp: String, _ value: Double, _ unit: String, _ labels: String) -> String {
        [metric, host, timestamp, "\(value)", unit, labels].joined(separator: "\u{1}")
    }
}

/// What the database holds of the batches, for the doctor's comparison.
public struct StoredBatches: Sendable {
    /// Sorted sample fingerprints per source.
    public var samples: [String: [String]]
    /// Every record by `metric_id` + U+0000 + `timestamp`.
    public var records: [String: MetricRecord]
    /// Sources with a processed-object row.
    public var processed: Set<String>
    /// Executions still RUNNING.
    public var running: [String]
}

extension SQLiteStore {
    /// SQLite's own check of the file at `path`, without creating or migrating it: nil when
    /// `PRAGMA integrity_check` says `ok`, else what it (or opening the file) reported.
    public static func integrityProblem(path: String) -> String? {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let lines = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            try queue.close()
            return lines == ["ok"] ? nil : lines.prefix(5).joined(separator: "; ")
        } catch let error as DatabaseError {
            return error.message ?? "\(error.resultCode)"
        } catch {
            return "\(error)"
        }
    }

    /// Moves the database file (and its `-wal` and `-shm` files) aside as
    /// `<name>.corrupt-<UTC time>`, never deleting it; returns the new path of the main file.
    /// - Throws: ``LocalBackendError/file(_:)`` when the rename fails.
    public static func moveAside(path: String, now: Timestamp = .now()) throws -> String {
        let target = path + ".corrupt-" + now.compactBasic
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            if rename(path + suffix, target + suffix) != 0 {
                throw LocalBackendError.file(FileError(operation: "rename", path: path + suffix, errno: errno))
            }
        }
        return target
    }

    /// Deletes the `metrics` samples of `sources` (objects that are gone); returns how many went.
    public func deleteSamples(ofSources sources: [String]) async throws -> Int {
        try await write { db in
            var deleted = 0
            for source in sources {
                try db.execute(sql: "DELETE FROM metric_samples WHERE source = ?", arguments: [source])
                deleted += db.changesCount
            }
            return deleted
        }
    }

    /// The samples, records, processed-object rows and RUNNING executions the database holds.
    public func storedBatches() async throws -> StoredBatches {
        try await read { db in
            var samples: [String: [String]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT source, metric, host, timestamp, value, unit, labels FROM metric_samples")
            while let row = try rows.next() {
                let source: String = row["source"]
                samples[source, default: []].append(
                    SampleFingerprint.join(row["metric"], row["host"], row["timestamp"], row["value"], row["unit"], row["labels"])
                )
            }
            for key in samples.keys { samples[key]?.sort() }
            var records: [String: MetricRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM infra_metrics") {
                let record = Self.record(from: row)
                let timestamp: String = row["timestamp"]
                records[record.metricID + "\u{0}" + timestamp] = record
            }
            let processed = Set(try String.fetchAll(db, sql: "SELECT source FROM processed_objects"))
            let running = try String.fetchAll(db, sql: "SELECT id FROM executions WHERE status = 'RUNNING' ORDER BY started_at")
            return StoredBatches(samples: samples, records: records, processed: processed, running: running)
        }
    }
}
