import Alarms
import Compression
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend
import TestSupport
import Testing

@testable import InfraMonitorCLI

/// `lifecycle apply|status` and `replay --from/--to` on a data directory whose raw batches were
/// written months apart, with the clock given by `--now` (never by waiting).
@Suite("Retention and replay end to end", .serialized)
struct RetentionCommandTests {
    /// The clock of the passes: 2027-06-01T00:00:00Z.
    static let now = Timestamp(seconds: 1_811_808_000)
    static let nowText = "2027-06-01T00:00:00Z"

    let dataDir: String
    var objects: String { dataDir + "/objects/infra-monitoring-pipeline-data" }
    var database: String { dataDir + "/infra-monitor.sqlite" }

    init() throws {
        dataDir = try Fixtures.temporaryDirectory("retention-e2e")
    }

    func cli(_ arguments: [String]) async throws -> ProcessResult {
        try await CommandRunner.infraMonitor(arguments + ["--data-dir", dataDir])
    }

    /// Stores a raw batch written `age` days before the clock: its key, its samples (two, a minute
    /// apart) and its file time all say so. Returns the key.
    @discardableResult
    func batch(
        age: Double,
        metric: String = "cpu_utilization",
        execution: String = "e",
        before clock: Timestamp = RetentionCommandTests.now
    ) throws -> String {
        let time = clock.adding(seconds: -Int64(age * 86_400))
        let key = ObjectKeys.rawBatch(scheduledAt: time, executionID: "\(execution)-\(Int(age * 10))", metric: metric)
        let lines = (0..<2).map { minute in
            Sample(metric: metric, host: "web-1", timestamp: time.adding(seconds: Int64(minute) * 60), value: age + Double(minute), unit: "Percent")
                .jsonLine
        }
        let path = objects + "/" + key
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(Gzip.compress(Array((lines.joined(separator: "\n") + "\n").utf8))).write(to: URL(fileURLWithPath: path))
        let created = Date(timeIntervalSince1970: Double(time.seconds))
        try FileManager.default.setAttributes([.modificationDate: created], ofItemAtPath: path)
        return key
    }

    /// Every table of the database, rows sorted, as text (python3's sqlite3, outside the program).
    func dump() async throws -> String {
        let script = """
            import json, sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
                rows = sorted(json.dumps(r) for r in c.execute('SELECT * FROM "%s"' % t))
                print(t, len(rows))
                for r in rows: print(r)
            """
        let result = try await CommandRunner.run("/usr/bin/env", ["python3", "-c", script, database])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    func count(_ table: String, _ condition: String = "1") async throws -> Int {
        let result = try await CommandRunner.run(
            "/usr/bin/env",
            [
                "python3", "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])", database,
                "SELECT count(*) FROM \(table) WHERE \(condition)",
            ]
        )
        #expect(result.status == 0, "\(result.stderr)")
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Alarm history 20 and 1 days before the clock, written through the program's own store.
    func history() async throws {
        let store = try SQLiteStore(path: database)
        let instance = AlarmInstance(alarmName: "cpu-high", labels: ["host": "web-1"], fanOutLabels: ["host"])
        try await store.save(
            states: [],
            history: [20, 1].map { age in
                AlarmHistoryEntry(
                    instance: instance,
                    time: Self.now.adding(seconds: Int64(-age * 86_400)),
                    oldState: .ok,
                    newState: .alarm,
                    reason: "\(age)"
                )
            }
        )
    }

    @Test("apply with the clock ahead: exactly the expired objects, their samples, old records and old history go")
    func apply() async throws {
        let old = try batch(age: 95)
        let oldDisk = try batch(age: 91, metric: "disk_usage")
        let middle = try batch(age: 45)
        let young = try batch(age: 5)
        let replay = try await cli(["replay"])
        #expect(replay.status == 0, "\(replay.stderr)")
        try await history()
        #expect(try await count("metric_samples") == 8)
        #expect(try await count("infra_metrics") == 4)

        let before = try await dump()
        let dry = try await cli(["lifecycle", "apply", "--dry-run", "--now", Self.nowText])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would delete \(old)") && dry.stdout.contains("would delete \(oldDisk)"))
        #expect(dry.stdout.contains("would delete 4 metrics sample(s)"), "\(dry.stdout)")
        #expect(try await dump() == before, "a dry run changes nothing")
        #expect(FileManager.default.fileExists(atPath: objects + "/" + old))

        let applied = try await cli(["lifecycle", "apply", "--now", Self.nowText])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("deleted 4 metrics sample(s)"), "\(applied.stdout)")
        #expect(applied.stdout.contains("deleted 2 infra_metrics record(s)"), "\(applied.stdout)")
        #expect(applied.stdout.contains("deleted 1 alarm history row(s)"), "\(applied.stdout)")
        #expect(applied.stdout.contains("1 object(s) recorded as STANDARD_IA"), "\(applied.stdout)")
        for key in [old, oldDisk] { #expect(!FileManager.default.fileExists(atPath: objects + "/" + key)) }
        for key in [middle, young] { #expect(FileManager.default.fileExists(atPath: objects + "/" + key)) }
        #expect(try await count("metric_samples", "source IN ('\(old)', '\(oldDisk)')") == 0)
        #expect(try await count("metric_samples", "source IN ('\(middle)', '\(young)')") == 4)
        #expect(try await count("infra_metrics") == 2)
        #expect(try await count("infra_metrics", "timestamp < '2027-03-03'") == 0, "no record older than 90 days is left")
        #expect(try await count("alarm_history") == 1)
        #expect(try await count("object_storage_classes", "key = '\(middle)' AND storage_class = 'STANDARD_IA'") == 1)

        let status = try await cli(["lifecycle", "status", "--format", "json", "--now", Self.nowText])
        #expect(status.status == 0, "\(status.stderr)")
        let json = try JSON(parsing: status.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let bands = json["objects"]?.arrayValue ?? []
        func band(_ storageClass: String, _ age: String) -> Int? {
            bands.first { $0["storage_class"]?.stringValue == storageClass && $0["age"]?.stringValue == age }?["count"]?.intValue
        }
        #expect(band("STANDARD", "< 30 d") == 1)
        #expect(band("STANDARD_IA", "30-90 d") == 1)
        #expect(band("STANDARD", ">= 90 d, due for deletion") == 0)
        #expect(json["records"] == 2 && json["samples"] == 4 && json["alarm_history"] == 1 && json["records_due"] == 0)

        let table = try await cli(["lifecycle", "status", "--now", Self.nowText])
        #expect(table.stdout.contains("STANDARD_IA"), "\(table.stdout)")
        #expect(table.stdout.contains("alarm history: 1 row(s)"), "\(table.stdout)")

        let afterFirst = try await dump()
        let again = try await cli(["lifecycle", "apply", "--now", Self.nowText])
        #expect(again.stdout.contains("0 object(s) older than 90 days deleted"), "\(again.stdout)")
        #expect(try await dump() == afterFirst, "a second pass at the same time changes nothing")
    }

    @Test("the windows of config.yaml apply")
    func configuredWindows() async throws {
        try batch(age: 50)
        try batch(age: 20)
        #expect(try await cli(["replay"]).status == 0)
        try "retention:\n  raw_expiration_days: 40\n  records_days: 10\n".write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)
        let applied = try await cli(["lifecycle", "apply", "--now", Self.nowText])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("1 object(s) older than 40 days deleted"), "\(applied.stdout)")
        #expect(try await count("infra_metrics") == 0, "both records are older than 10 days")
        #expect(try await count("metric_samples") == 2)
        try "retention:\n  raw_expiration_days: 20\n".write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)
        let refused = try await cli(["lifecycle", "apply", "--now", Self.nowText])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("retention.raw_expiration_days is 20"), "\(refused.stderr)")
    }

    @Test("replaying a range twice leaves every table identical, and touches only that range")
    func replayRange() async throws {
        let run = try await cli(["run"])
        #expect(run.status == 0, "\(run.stderr)")
        let inRange = [try batch(age: 10), try batch(age: 9, metric: "memory_usage"), try batch(age: 9.5, execution: "f")]
        let outside = try batch(age: 3)
        try await history()
        // 2027-05-22 and 2027-05-23 are the days 10 and 9 days before the clock.
        let first = try await cli(["replay", "--from", "2027-05-22", "--to", "2027-05-23"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("replayed 3 batch(es): 3 records"), "\(first.stdout)")
        #expect(try await count("metric_samples", "source = '\(outside)'") == 0, "the batch outside the range is not processed")
        #expect(try await count("metric_samples", "source IN ('\(inRange.joined(separator: "', '"))')") == 6)
        let once = try await dump()
        let second = try await cli(["replay", "--from", "2027-05-22", "--to", "2027-05-23"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try await dump() == once)
        let exact = try await cli(["replay", "--from", "2027-05-22T00:00:00Z", "--to", "2027-05-22T12:00:00Z"])
        #expect(exact.stdout.contains("replayed 1 batch(es)"), "\(exact.stdout)")
        #expect(try await dump() == once)
    }

    @Test(
        "replay refuses a range it cannot read",
        arguments: [
            (["--from", "2027-13-01"], "--from must be a date"), (["--to", "yesterday"], "--to must be a date"),
            (["--from", "2027-05-23", "--to", "2027-05-22"], "--from must come before --to"),
        ]
    )
    func badRange(arguments: [String], expected: String) async throws {
        let result = try await cli(["replay"] + arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
    }

    @Test("serve runs the retention pass by itself and logs one plain line per event")
    func serveRetention() async throws {
        // serve's clock is the real one: the batch is 95 days older than today, and one execution has
        // run so that serve has no missed tick to catch up on (the pass then has the lock at once).
        #expect(try await cli(["run"]).status == 0)
        let old = try batch(age: 95, before: .now())
        #expect(try await cli(["replay"]).status == 0)
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.infraMonitorPath)
        process.arguments = ["serve", "--data-dir", dataDir, "--port", String(port), "--schedule", "rate(1 day)", "--retention-delay-seconds", "1"]
        process.currentDirectoryURL = URL(fileURLWithPath: CommandRunner.projectRoot)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, FileManager.default.fileExists(atPath: objects + "/" + old) {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(!FileManager.default.fileExists(atPath: objects + "/" + old), "serve deleted the expired batch")
        try await Task.sleep(for: .milliseconds(500))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("serve: retention: 1 object(s) and 2 sample(s) deleted"), "\(text)")
        #expect(!text.contains("\u{1B}"), "no escape sequences when stderr is not a terminal")
        #expect(try await count("metric_samples", "source = '\(old)'") == 0)
    }

    @Test("lifecycle refuses the aws backend, whose bucket rules and TTL do the work", arguments: [["apply"], ["status"]])
    func awsRefused(arguments: [String]) async throws {
        let result = try await cli(["lifecycle"] + arguments + ["--backend", "aws"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("on AWS the bucket's lifecycle rules"), "\(result.stderr)")
    }

    @Test("service lines are single lines without escapes when not on a terminal")
    func singleLines() {
        #expect(Output.singleLine("tick failed:\nline two\r\nthree", terminal: false) == "tick failed: | line two | three")
        #expect(Output.singleLine("\u{1B}[31mred\u{1B}[0m and\u{07} bell", terminal: false) == "red and bell")
        #expect(Output.singleLine("\u{1B}[31mred\u{1B}[0m", terminal: true) == "\u{1B}[31mred\u{1B}[0m")
        #expect(Output.singleLine("a\n\nb\n", terminal: false) == "a | b")
    }
}
