import Foundation
import InfraJSON
import InfraMonitorCore
import TestSupport
import Testing

/// `infra-monitor doctor [--repair]`: every finding, and every repair, on a real data directory.
@Suite("Doctor", .serialized)
struct DoctorTests {
    let dataDir: String

    init() throws {
        dataDir = try Fixtures.temporaryDirectory("doctor")
        try "collection:\n  sample_window_seconds: 0.2\n".write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)
    }

    var database: String { dataDir + "/infra-monitor.sqlite" }
    var rawFolder: String { dataDir + "/objects/infra-monitoring-pipeline-data/raw-metrics" }

    func cli(_ arguments: [String]) async throws -> ProcessResult {
        try await CommandRunner.infraMonitor(arguments + ["--data-dir", dataDir])
    }

    func sql(_ statement: String) async throws -> String {
        try await CommandRunner.run("/usr/bin/sqlite3", [database, statement]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The raw objects' paths below the raw folder.
    func rawObjects() -> [String] {
        (FileManager.default.enumerator(atPath: rawFolder)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".jsonl.gz") }.sorted()
    }

    /// `doctor --format json`: the exit status and the kinds of its findings.
    func doctor(_ extra: [String] = []) async throws -> (status: Int32, kinds: [String], report: JSON) {
        let result = try await cli(["doctor", "--format", "json"] + extra)
        let report = try JSON(parsing: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let kinds = report["findings"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? []
        return (result.status, kinds, report)
    }

    /// Runs once and checks that the fresh directory is healthy.
    func healthyDirectory() async throws -> String {
        let run = try await cli(["run"])
        #expect(run.status == 0, "\(run.stderr)")
        let check = try await doctor()
        #expect(check.status == 0, "\(check.report.text)")
        #expect(check.report["healthy"] == true)
        return try await sql("SELECT count(*) FROM infra_metrics") + "/" + sql("SELECT count(*) FROM metric_samples")
    }

    /// Finds `kind`, repairs it, and finds nothing afterwards.
    func expectFoundAndRepaired(_ kind: String) async throws {
        let found = try await doctor()
        #expect(found.status == 1)
        #expect(found.kinds.contains(kind), "\(found.report.text)")
        let repaired = try await doctor(["--repair"])
        #expect(repaired.status == 0, "\(repaired.report.text)")
        #expect(repaired.report["repaired"]?.arrayValue?.contains { $0["kind"]?.stringValue == kind } == true, "\(repaired.report.text)")
        let after = try await doctor()
        #expect(after.status == 0 && after.kinds.isEmpty, "\(after.report.text)")
    }

    @Test func aTruncatedGzipObjectIsFoundAndMovedAsideWithItsReadablePartKept() async throws {
        _ = try await healthyDirectory()
        let victim = try #require(rawObjects().first)
        let path = rawFolder + "/" + victim
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        try await expectFoundAndRepaired("damaged-object")
        #expect(FileManager.default.fileExists(atPath: dataDir + "/damaged/raw-metrics/" + victim))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aDeletedDatabaseIsRebuiltFromTheRawObjects() async throws {
        let counts = try await healthyDirectory()
        for suffix in ["", "-wal", "-shm"] { unlink(database + suffix) }
        try await expectFoundAndRepaired("database-missing")
        #expect(try await sql("SELECT count(*) FROM infra_metrics") + "/" + sql("SELECT count(*) FROM metric_samples") == counts)
    }

    @Test func aCorruptDatabaseIsMovedAsideAndRebuilt() async throws {
        let counts = try await healthyDirectory()
        for suffix in ["-wal", "-shm"] { unlink(database + suffix) }
        let handle = try #require(FileHandle(forWritingAtPath: database))
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 4096))
        try handle.close()
        try await expectFoundAndRepaired("database-corrupt")
        let asides = try FileManager.default.contentsOfDirectory(atPath: dataDir).filter { $0.hasPrefix("infra-monitor.sqlite.corrupt-") }
        #expect(!asides.isEmpty, "the corrupt file is kept")
        #expect(try await sql("SELECT count(*) FROM infra_metrics") + "/" + sql("SELECT count(*) FROM metric_samples") == counts)
    }

    @Test func aTemporaryFileOfADeadWriterIsRemoved() async throws {
        _ = try await healthyDirectory()
        let folder = rawFolder + "/" + ((try #require(rawObjects().first)) as NSString).deletingLastPathComponent
        let leftover = folder + "/.x_cpu_utilization.jsonl.gz.tmp-999999-1"
        #expect(FileManager.default.createFile(atPath: leftover, contents: Data()))
        try await expectFoundAndRepaired("temporary-file")
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }

    @Test func aRunningExecutionIsAbortedAndNotified() async throws {
        _ = try await healthyDirectory()
        _ = try await sql("UPDATE executions SET status = 'RUNNING', finished_at = NULL")
        try await expectFoundAndRepaired("running-execution")
        #expect(try await sql("SELECT status FROM executions") == "ABORTED")
        #expect(try await sql("SELECT count(*) FROM outbox WHERE message LIKE '%ABORTED%'") == "1")
    }

    @Test func aStoredBatchNeverProcessedIsProcessed() async throws {
        _ = try await healthyDirectory()
        let key = try #require(rawObjects().first)
        _ = try await sql("DELETE FROM processed_objects WHERE source = 'raw-metrics/\(key)'")
        _ = try await sql("DELETE FROM metric_samples WHERE source = 'raw-metrics/\(key)'")
        try await expectFoundAndRepaired("unprocessed-batch")
    }

    @Test func samplesThatDifferFromReprocessingAreRestored() async throws {
        let counts = try await healthyDirectory()
        _ = try await sql("DELETE FROM metric_samples WHERE rowid = (SELECT min(rowid) FROM metric_samples)")
        try await expectFoundAndRepaired("batch-mismatch")
        #expect(try await sql("SELECT count(*) FROM infra_metrics") + "/" + sql("SELECT count(*) FROM metric_samples") == counts)
    }

    @Test func recordsThatDifferFromReprocessingAreRestored() async throws {
        _ = try await healthyDirectory()
        _ = try await sql("UPDATE infra_metrics SET max = max + 1000")
        try await expectFoundAndRepaired("batch-mismatch")
    }

    @Test func samplesOfAnObjectThatIsGoneAreFoundAndDeleted() async throws {
        _ = try await healthyDirectory()
        let object = try #require(rawObjects().first)
        try FileManager.default.removeItem(atPath: rawFolder + "/" + object)
        try await expectFoundAndRepaired("orphan-samples")
        #expect(try await sql("SELECT count(*) FROM metric_samples WHERE source = 'raw-metrics/\(object)'") == "0")
    }

    /// Records past `records_days` are deleted by retention while their objects stay (raw
    /// objects are kept longer): that is the configured state, not a difference to repair.
    @Test func recordsThatRetentionDeletedAreNotADifference() async throws {
        try """
        collection:
          sample_window_seconds: 0.2
        retention:
          records_days: 30
          raw_expiration_days: 365
        """.write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)
        _ = try await healthyDirectory()
        let later = Timestamp.now().adding(seconds: 40 * 86_400).iso8601Milliseconds
        let pass = try await cli(["lifecycle", "apply", "--now", later])
        #expect(pass.status == 0, "\(pass.stderr)")
        #expect(try await sql("SELECT count(*) FROM infra_metrics") == "0")
        #expect(!rawObjects().isEmpty)
        let check = try await doctor(["--now", later])
        #expect(check.status == 0, "\(check.report.text)")
    }

    @Test func textOutputNamesTheProblemAndTheRepair() async throws {
        _ = try await healthyDirectory()
        for suffix in ["", "-wal", "-shm"] { unlink(database + suffix) }
        let found = try await cli(["doctor"])
        #expect(found.status == 1)
        #expect(found.stdout.contains("problem: database-missing"), "\(found.stdout)")
        #expect(found.stdout.contains("doctor --repair"))
        let repaired = try await cli(["doctor", "--repair"])
        #expect(repaired.status == 0, "\(repaired.stdout)\(repaired.stderr)")
        #expect(repaired.stdout.contains("repaired: database-missing"))
        #expect(repaired.stdout.contains("is healthy"))
    }

    @Test func aMissingDataDirectoryIsAUsageError() async throws {
        let result = try await CommandRunner.infraMonitor(["doctor", "--data-dir", dataDir + "/nowhere"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no data directory"))
    }
}

/// The crash campaign's smoke: 20 seeded SIGKILLs across the commands, each followed by a normal
/// start and `doctor`, with no invariant violated (`scripts/crash-campaign.sh`; 200+ trials by hand).
@Suite("Crash campaign smoke", .serialized)
struct CrashCampaignSmokeTests {
    @Test(.timeLimit(.minutes(2))) func twentyKillsLeaveNoInconsistency() async throws {
        let dataDir = try Fixtures.temporaryDirectory("crash-smoke")
        let result = try await CommandRunner.run(
            "/bin/bash",
            [CommandRunner.projectRoot + "/scripts/crash-campaign.sh", "-n", "20", "-s", "7", "-b", CommandRunner.infraMonitorPath, "-d", dataDir]
        )
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("trials: 20"))
        #expect(result.stdout.contains("invariant violations: 0"), "\(result.stdout)")
    }
}

/// The soak's smoke: `serve` with a one-second tick for 20 executions (`scripts/soak-serve.sh`;
/// 2,000 by hand). Memory and descriptors must not climb with every execution.
@Suite("Soak smoke", .serialized)
struct SoakSmokeTests {
    @Test(.timeLimit(.minutes(2))) func twentyExecutionsKeepMemoryAndDescriptorsFlat() async throws {
        let dataDir = try Fixtures.temporaryDirectory("soak-smoke")
        let result = try await CommandRunner.run(
            "/bin/bash",
            [CommandRunner.projectRoot + "/scripts/soak-serve.sh", "-n", "20", "-e", "10", "-b", CommandRunner.infraMonitorPath, "-d", dataDir]
        )
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("20 executions"), "\(result.stdout)")
        // Rows: executions, seconds, rss_kB, anon_kB, fds, db_bytes; the first (1 execution) and the last (20).
        let rows = result.stdout.split(separator: "\n").map { $0.split(separator: " ") }.filter { $0.count == 6 && Int($0[0]) != nil }
        let first = try #require(rows.first)
        let last = try #require(rows.last)
        #expect(Int(last[0]) ?? 0 >= 20)
        let fdsFirst = Int(first[4]) ?? 0
        let fdsLast = Int(last[4]) ?? 0
        #expect(fdsLast <= fdsFirst + 8, "descriptors grew from \(fdsFirst) to \(fdsLast): \(result.stdout)")
        let anonFirst = Int(first[3]) ?? 0
        let anonLast = Int(last[3]) ?? 0
        #expect(anonLast < anonFirst * 3 / 2, "anonymous memory grew from \(anonFirst) kB to \(anonLast) kB: \(result.stdout)")
    }
}
