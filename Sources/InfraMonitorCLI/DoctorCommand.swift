import ArgumentParser
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend
import Pipeline
import Processing

/// `infra-monitor doctor [--repair]`: checks a data directory against its source of truth, the raw
/// objects, and with `--repair` brings it back to what reprocessing them gives.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a data directory (database, objects, records and samples, leftovers); --repair fixes what it finds.",
        discussion: """
            Checks: PRAGMA integrity_check of the database; every raw object readable and complete (gzip intact); the samples \
            and records of every object equal to reprocessing it, with its processed-object row; no temporary files of killed \
            writes; no execution left RUNNING; no samples of an object that is gone. The comparison follows `retention:` in \
            config.yaml: records older than `records_days` (or past their TTL) are not expected, as retention deletes them. \
            Exit 0 when all is well, 1 when a problem remains. With --repair: a lost or \
            corrupt database is moved aside (never deleted) and rebuilt from the raw objects, batches are processed again, \
            temporary files removed, RUNNING executions marked ABORTED and notified, and a damaged object's readable part is \
            kept while the object is moved to <data-dir>/damaged/. Takes the run lock: it refuses to work beside a run.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Fix what is found.")
    var repair = false

    @Option(help: "Output format: text or json.")
    var format: DoctorFormat = .text

    /// The clock the retention windows are judged by (tests; default now), as `lifecycle --now`.
    @Option(help: .hidden)
    var now: String?

    enum DoctorFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() async throws {
        let directory = DataDirectory.resolve(explicit: options.dataDir)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError.usage("no data directory at \(directory.path)")
        }
        let lock = try await RunLock.acquire(path: directory.lockPath, timeoutSeconds: 0)
        defer { withExtendedLifetime(lock) {} }
        let configPath = options.config ?? directory.configPath
        let settings = try ConfigurationFile.load(path: configPath, required: options.config != nil)
        let clock = try LifecycleCommand.clock(now)
        let doctor = DataDoctor(
            directory: directory,
            options: options,
            windows: RetentionWindows(
                now: RetentionPass.timestamp(clock),
                recordsDays: settings.retention.recordsDays,
                alarmHistoryDays: settings.retention.alarmHistoryDays
            )
        )
        var findings = try await doctor.examine()
        var repaired: [DataDoctor.Finding] = []
        if repair, !findings.isEmpty {
            let stop = GracefulStop(finishing: "the repair")
            defer { withExtendedLifetime(stop) {} }
            repaired = try await doctor.repair(findings)
            findings = try await doctor.examine()
        }
        let objects = (try? await FolderObjectStore(root: directory.objectsRoot).list(prefix: ObjectKeys.rawPrefix).count) ?? 0
        switch format {
        case .json:
            let report: JSON = [
                "data_dir": .string(directory.path),
                "healthy": .bool(findings.isEmpty),
                "objects": .number(Double(objects)),
                "findings": .array(findings.map(\.json)),
                "repaired": .array(repaired.map(\.json)),
            ]
            print(report.text)
        case .text:
            for finding in repaired { print("repaired: \(finding.line)") }
            for finding in findings { print("problem: \(finding.line)") }
            print(
                findings.isEmpty
                    ? "doctor: \(directory.path) is healthy (\(objects) raw object(s))"
                    : "doctor: \(findings.count) problem(s) in \(directory.path)\(repair ? " remain" : "; `infra-monitor doctor --repair` fixes them")"
            )
        }
        if !findings.isEmpty { throw ExitCode(1) }
    }
}

/// The checks and repairs of `infra-monitor doctor` over one data directory (its run lock held).
struct DataDoctor {
    let directory: DataDirectory
    let options: GlobalOptions
    /// Retention's windows: records past them are gone by design, not a difference.
    let windows: RetentionWindows

    /// What is wrong, one finding per problem.
    struct Finding: Sendable, Hashable {
        enum Kind: String, Sendable {
            case databaseMissing = "database-missing"
            case databaseCorrupt = "database-corrupt"
            case temporaryFile = "temporary-file"
            case runningExecution = "running-execution"
            case damagedObject = "damaged-object"
            case unprocessedBatch = "unprocessed-batch"
            case batchMismatch = "batch-mismatch"
            case orphanSamples = "orphan-samples"
        }

        var kind: Kind
        /// The file, object key or execution id concerned.
        var subject: String
        var detail: String

        var line: String { "\(kind.rawValue) \(subject): \(detail)" }
        var json: JSON { ["kind": .string(kind.rawValue), "subject": .string(subject), "detail": .string(detail)] }
    }

    var objects: FolderObjectStore { FolderObjectStore(root: directory.objectsRoot) }

    /// Every problem of the data directory, without changing anything.
    func examine() async throws -> [Finding] {
        var findings: [Finding] = []
        let databasePath = directory.databasePath
        var store: SQLiteStore?
        if !FileManager.default.fileExists(atPath: databasePath) {
            findings.append(Finding(kind: .databaseMissing, subject: databasePath, detail: "no database; the raw objects can rebuild it"))
        } else if let problem = SQLiteStore.integrityProblem(path: databasePath) {
            findings.append(Finding(kind: .databaseCorrupt, subject: databasePath, detail: problem))
        } else {
            store = try SQLiteStore(path: databasePath)
        }
        for path in objects.leftoverTemporaryFiles() {
            findings.append(Finding(kind: .temporaryFile, subject: path, detail: "left by a write whose process is gone"))
        }
        let stored = try await store?.storedBatches()
        for id in stored?.running ?? [] {
            findings.append(Finding(kind: .runningExecution, subject: id, detail: "RUNNING, but no process runs it (the run lock is free)"))
        }
        let keys = try await objects.list(prefix: ObjectKeys.rawPrefix)
        let present = Set(keys)
        for (source, samples) in (stored?.samples ?? [:]).sorted(by: { $0.key < $1.key })
        where source.hasPrefix(ObjectKeys.rawPrefix) && !present.contains(source) {
            findings.append(
                Finding(kind: .orphanSamples, subject: source, detail: "\(samples.count) sample(s) whose raw object is gone")
            )
        }
        for key in keys {
            let expected: Reprocessed
            do {
                expected = try await reprocess(key)
            } catch {
                findings.append(Finding(kind: .damagedObject, subject: key, detail: "unreadable: \(error)"))
                continue
            }
            if let corruption = expected.corruption {
                findings.append(Finding(kind: .damagedObject, subject: key, detail: "incomplete: \(corruption)"))
            }
            guard let stored else { continue }
            guard stored.processed.contains(key) else {
                findings.append(Finding(kind: .unprocessedBatch, subject: key, detail: "stored, never processed"))
                continue
            }
            if let difference = Self.difference(expected, stored: stored, key: key, windows: windows) {
                findings.append(Finding(kind: .batchMismatch, subject: key, detail: difference))
            }
        }
        return findings
    }

    /// Fixes `findings`; returns those it acted on.
    func repair(_ findings: [Finding]) async throws -> [Finding] {
        var done: [Finding] = []
        for finding in findings where finding.kind == .databaseCorrupt {
            let aside = try SQLiteStore.moveAside(path: finding.subject)
            done.append(Finding(kind: finding.kind, subject: finding.subject, detail: "moved aside to \(aside); rebuilt from the raw objects"))
        }
        for finding in findings where finding.kind == .databaseMissing {
            done.append(Finding(kind: finding.kind, subject: finding.subject, detail: "rebuilt from the raw objects"))
        }
        for finding in findings where finding.kind == .temporaryFile {
            if unlink(finding.subject) == 0 { done.append(Finding(kind: finding.kind, subject: finding.subject, detail: "removed")) }
        }
        let context = try CommandContext(options: options)
        let processor = LogProcessor(backend: context.backend)
        let orphans = findings.filter { $0.kind == .orphanSamples }.map(\.subject)
        if !orphans.isEmpty {
            let deleted = try await context.machine.store.deleteSamples(ofSources: orphans)
            for source in orphans {
                done.append(Finding(kind: .orphanSamples, subject: source, detail: "samples deleted (\(deleted) in all)"))
            }
        }
        if findings.contains(where: { $0.kind == .runningExecution }) {
            try await context.recoverInterruptedExecutions(prefix: "doctor: ")
            for finding in findings where finding.kind == .runningExecution {
                done.append(Finding(kind: finding.kind, subject: finding.subject, detail: "marked ABORTED and notified"))
            }
        }
        let rebuilt = findings.contains { $0.kind == .databaseCorrupt || $0.kind == .databaseMissing }
        let keys =
            rebuilt
            ? try await objects.list(prefix: ObjectKeys.rawPrefix)
            : findings.filter { [.unprocessedBatch, .batchMismatch, .damagedObject].contains($0.kind) }.map(\.subject)
        var rebuiltFrom = 0
        for key in Set(keys).sorted() {
            let original = findings.first { $0.subject == key }
            let processed = (try? await processor.handle(ObjectCreatedEvent(bucket: ObjectKeys.bucket, key: key, size: 0))) != nil
            if processed {
                rebuiltFrom += 1
                if let original { done.append(Finding(kind: original.kind, subject: key, detail: "processed again")) }
            }
            if findings.contains(where: { $0.kind == .damagedObject && $0.subject == key }) {
                let target = directory.path + "/damaged/" + key
                try AtomicFile.makeFolder((target as NSString).deletingLastPathComponent)
                if rename(try objects.path(forKey: key), target) == 0 {
                    done.append(Finding(kind: .damagedObject, subject: key, detail: "readable part kept; object moved to \(target)"))
                }
            }
        }
        if rebuilt { Output.note("doctor: rebuilt the database from \(rebuiltFrom) raw object(s)") }
        await context.finish()
        return done
    }

    /// What processing an object gives, kept in memory.
    struct Reprocessed: Sendable {
        var samples: [String]
        var records: [MetricRecord]
        var corruption: String?
    }

    func reprocess(_ key: String) async throws -> Reprocessed {
        var reader = try await objects.reader(key: key)
        var samples: [String] = []
        let summary = try BatchProcessor().process(&reader, key: key, onSample: { samples.append(SampleFingerprint.of($0)) }, onInvalid: { _ in })
        return Reprocessed(samples: samples.sorted(), records: summary.records, corruption: summary.corruption)
    }

    /// How the stored samples and records of `key` differ from reprocessing it; nil when equal. A
    /// record whose (metric_id, timestamp) a later batch rewrote is not a difference, nor a missing
    /// record that retention deletes (at or before the records window's cutoff, or past its TTL).
    static func difference(_ expected: Reprocessed, stored: StoredBatches, key: String, windows: RetentionWindows) -> String? {
        let samples = stored.samples[key] ?? []
        if samples != expected.samples {
            return "\(samples.count) stored sample(s), \(expected.samples.count) from reprocessing"
        }
        let cutoff = windows.recordsCutoff
        for record in expected.records {
            if record.timestamp <= cutoff || record.expiresAt < windows.now.seconds { continue }
            guard let found = stored.records[record.metricID + "\u{0}" + record.timestampText] else {
                return "record \(record.metricID) at \(record.timestampText) missing"
            }
            guard found.source == key else { continue }
            if (found.count, found.sum, found.min, found.max, found.last) != (record.count, record.sum, record.min, record.max, record.last) {
                return "record \(record.metricID) at \(record.timestampText) differs from reprocessing"
            }
        }
        let expectedIDs = Set(expected.records.map { $0.metricID + "\u{0}" + $0.timestampText })
        let extra = stored.records.filter { $0.value.source == key && !expectedIDs.contains($0.key) }.count
        return extra > 0 ? "\(extra) stored record(s) that reprocessing does not give" : nil
    }
}
