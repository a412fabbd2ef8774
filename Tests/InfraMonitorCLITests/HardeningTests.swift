import Foundation
import InfraJSON
import TestSupport
import Testing

/// Faults an operator meets with `process`: stored batches named by path, devices, folders, and
/// two inputs with one name.
@Suite("Hardening of process", .serialized)
struct ProcessHardeningTests {
    let dataDir: String

    init() throws {
        dataDir = try Fixtures.temporaryDirectory("hardening")
    }

    func cli(_ arguments: [String]) async throws -> ProcessResult {
        try await CommandRunner.infraMonitor(arguments + ["--data-dir", dataDir])
    }

    func count(_ sql: String) async throws -> Int {
        let result = try await cli(["query", "--format", "csv", sql])
        return Int(result.stdout.split(separator: "\n").last ?? "") ?? -1
    }

    @Test func processingAStoredBatchByItsPathReplacesItsSamplesInsteadOfAddingThem() async throws {
        #expect(try await cli(["run"]).status == 0)
        let before = try await count("SELECT count(*) FROM metrics")
        let records = try await count("SELECT count(*) FROM infra_metrics")
        let folder = dataDir + "/objects/infra-monitoring-pipeline-data"
        let stored = try #require(FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".jsonl.gz") })
        #expect(stored.count == 4)
        for key in stored {
            let result = try await cli(["process", folder + "/" + key])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try await count("SELECT count(*) FROM metrics") == before, "no sample counted twice")
        #expect(try await count("SELECT count(*) FROM infra_metrics") == records)
    }

    @Test(arguments: ["/dev/zero", "DIRECTORY", "FIFO"])
    func nonRegularInputsAreRefusedWithExit2(kind: String) async throws {
        let path: String
        switch kind {
        case "DIRECTORY":
            path = dataDir + "/a-folder"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        case "FIFO":
            path = dataDir + "/a-fifo"
            #expect(mkfifo(path, 0o644) == 0)
        default:
            path = dataDir + "/zero.jsonl"
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: kind)
        }
        let result = try await cli(["process", path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(path), "\(result.stderr)")
    }

    @Test func twoInputsWithOneNameKeepTheirOwnQuarantine() async throws {
        for folder in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: dataDir + "/" + folder, withIntermediateDirectories: true)
            try "not json from \(folder)\n".write(toFile: dataDir + "/\(folder)/x.jsonl", atomically: true, encoding: .utf8)
        }
        let result = try await cli(["process", dataDir + "/a/x.jsonl", dataDir + "/b/x.jsonl"])
        #expect(result.status == 2)
        let quarantine = dataDir + "/objects/infra-monitoring-pipeline-data/quarantine"
        let files = FileManager.default.enumerator(atPath: quarantine)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".jsonl") } ?? []
        #expect(files.count == 2, "\(files)")
        let texts = try files.map { try String(contentsOfFile: quarantine + "/" + $0, encoding: .utf8) }.joined()
        #expect(texts.contains("from a") && texts.contains("from b"))
    }
}

/// What `run` repairs at its start.
@Suite("Repair at start", .serialized)
struct RepairAtStartTests {
    @Test func leftoverTemporaryFilesOfKilledWritesAreRemoved() async throws {
        let dataDir = try Fixtures.temporaryDirectory("tmp-leftovers")
        let folder = dataDir + "/objects/infra-monitoring-pipeline-data/raw-metrics/2026/11/25"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let leftover = folder + "/.20261125T180000Z_x_cpu_utilization.jsonl.gz.tmp-4242-7"
        #expect(FileManager.default.createFile(atPath: leftover, contents: Data()))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: leftover)
        // A fresh file of a live writer (this test process) is a write in progress.
        let fresh = folder + "/.20261125T180000Z_y_cpu_utilization.jsonl.gz.tmp-\(getpid())-8"
        #expect(FileManager.default.createFile(atPath: fresh, contents: Data()))

        let run = try await CommandRunner.infraMonitor(["run", "--data-dir", dataDir])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: leftover), "an hour-old temporary file is an interrupted write")
        #expect(FileManager.default.fileExists(atPath: fresh), "a fresh one may be a write in progress")
    }
}

/// Alarms from the config, evaluated after each execution's processing.
@Suite("Alarms after processing", .serialized)
struct AlarmsAfterProcessingTests {
    @Test func anAlarmInTheConfigNotifiesItsFirstChangeOnceAndIsListed() async throws {
        let dataDir = try Fixtures.temporaryDirectory("alarms-run")
        try """
        alarms:
          - AlarmName: memory-used
            MetricName: memory_usage
            Statistic: Maximum
            Period: 60
            EvaluationPeriods: 1
            Threshold: 0
            ComparisonOperator: GreaterThanThreshold
        """.write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)
        let first = try await CommandRunner.infraMonitor(["run", "--data-dir", dataDir])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("INSUFFICIENT_DATA -> ALARM"), "\(first.stdout)")
        let second = try await CommandRunner.infraMonitor(["run", "--data-dir", dataDir])
        #expect(second.status == 0, "\(second.stderr)")
        let outbox = try await CommandRunner.infraMonitor(["notifications", "--format", "json", "--data-dir", dataDir]).stdout
        let alarmMessages = outbox.split(separator: "\n").filter { $0.contains("InfraMonitor: ALARM: \\\"memory-used\\\"") }
        #expect(alarmMessages.count == 1, "one notification for one change: \(outbox)")
        let list = try await CommandRunner.infraMonitor(["alarms", "list", "--format", "json", "--data-dir", dataDir])
        let state = try JSON(parsing: String(list.stdout.split(separator: "\n").first ?? ""))
        #expect(state["StateValue"] == "ALARM")
    }

    @Test func anInvalidAlarmInTheConfigIsABadUsageNamingTheField() async throws {
        let dataDir = try Fixtures.temporaryDirectory("alarms-bad")
        try
            "alarms:\n  - AlarmName: x\n    MetricName: cpu_utilization\n    Statistic: Maximum\n    Period: 45\n    EvaluationPeriods: 1\n    Threshold: 1\n    ComparisonOperator: GreaterThanThreshold\n"
            .write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)
        let result = try await CommandRunner.infraMonitor(["run", "--data-dir", dataDir])
        #expect(result.status == 2)
        #expect(result.stderr.contains("Period"), "\(result.stderr)")
    }
}

/// A copied or installed binary runs without the project folder.
@Suite("Installed binary")
struct InstalledBinaryTests {
    @Test func aCopiedBinaryRunsFromAnyFolderWithTheBuiltInDefinition() async throws {
        let folder = try Fixtures.temporaryDirectory("installed")
        try FileManager.default.createDirectory(atPath: folder + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CommandRunner.infraMonitorPath, toPath: folder + "/bin/infra-monitor")
        let run = try await CommandRunner.run(folder + "/bin/infra-monitor", ["run", "--data-dir", folder + "/data"], currentDirectory: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("SUCCEEDED"))
        let version = try await CommandRunner.run(folder + "/bin/infra-monitor", ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("infra-monitor "), "\(version.stdout)")
    }
}

/// A second `run` on a busy data directory says why it waits.
@Suite("Busy data directory")
struct BusyDataDirectoryTests {
    @Test func aRunWaitingForTheLockSaysSoThenRuns() async throws {
        let dataDir = try Fixtures.temporaryDirectory("busy")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [dataDir + "/run.lock", "sleep", "2"]
        try holder.run()
        defer { holder.waitUntilExit() }
        usleep(300_000)
        let run = try await CommandRunner.infraMonitor(["run", "--data-dir", dataDir])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("waiting up to 60 s for the run that holds \(dataDir)/run.lock"), "\(run.stderr)")
    }
}

/// SIGTERM lets a running execution finish and record itself.
@Suite("Signals")
struct SignalTests {
    @Test func sigtermDuringARunLetsTheExecutionFinishAndBeNotified() async throws {
        let dataDir = try Fixtures.temporaryDirectory("sigterm")
        try "collection:\n  sample_window_seconds: 2\n".write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.infraMonitorPath)
        process.arguments = ["run", "--data-dir", dataDir]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // Signal once the run holds the data directory's lock (it handles signals from then on).
        for _ in 0..<200 {
            if try await CommandRunner.run("/usr/bin/flock", ["-n", dataDir + "/run.lock", "true"]).status != 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(200))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "the execution finished: \(stderr)")
        let list = try await CommandRunner.infraMonitor(["executions", "list", "--data-dir", dataDir])
        #expect(list.stdout.contains("SUCCEEDED"), "\(list.stdout)")
        let outbox = try await CommandRunner.infraMonitor(["notifications", "--data-dir", dataDir])
        #expect(outbox.stdout.contains("InfraMonitor: Pipeline Success"))
    }
}
