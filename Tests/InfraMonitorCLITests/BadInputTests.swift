import Compression
import Foundation
import InfraJSON
import TestSupport
import Testing

/// Bad batches, failing collectors and unusable data directories: clear errors, nothing lost.
@Suite("Bad input and failures", .serialized)
struct BadInputTests {
    let dataDir: String

    init() throws {
        dataDir = try Fixtures.temporaryDirectory("bad-input")
    }

    func cli(_ arguments: [String], dataDir: String? = nil) async throws -> ProcessResult {
        try await CommandRunner.infraMonitor(arguments + ["--data-dir", dataDir ?? self.dataDir])
    }

    static let validLines = [
        #"{"metric":"cpu_utilization","host":"web-1","timestamp":"2026-11-25T18:00:00.000Z","value":12.5,"unit":"Percent"}"#,
        #"{"metric":"disk_usage","host":"web-1","timestamp":"2026-11-25T18:00:00Z","value":41.7,"unit":"Percent","labels":{"mountpoint":"/"}}"#,
        #"{"metric":"cpu_utilization","host":"web-1","timestamp":"2026-11-25T18:00:01+01:00","value":20,"unit":"Percent"}"#,
    ]
    static let invalidLines = [
        "this is not json",
        #"{"metric":"cpu_utilization","timestamp":"2026-11-25T18:00:00Z","value":1,"unit":"Percent"}"#,
        #"{"metric":"cpu_utilization","host":"web-1","timestamp":"2026-11-25T18:00:00Z","value":NaN,"unit":"Percent"}"#,
        #"{"metric":"cpu_utilization","host":"web-1","timestamp":"2026-02-30T18:00:00Z","value":1,"unit":"Percent"}"#,
        #"{"metric":"cpu_utilization","host":"web-1","timestamp":"2026-11-25T18:00:60Z","value":1,"unit":"Percent"}"#,
    ]

    func write(_ bytes: [UInt8], name: String) throws -> String {
        let path = dataDir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("invalid lines are quarantined with reasons, valid ones stored, exit 2")
    func invalidLinesQuarantined() async throws {
        let text = (Self.validLines[0...1] + Self.invalidLines + [Self.validLines[2], ""]).joined(separator: "\n")
        let batch = try write(Gzip.compress(Array(text.utf8)), name: "mixed.jsonl.gz")
        let result = try await cli(["process", batch])
        #expect(result.status == 2)
        let errorLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("infra-monitor: error:") }
        #expect(errorLines.count == 1, "one clear line: \(result.stderr)")
        #expect(result.stderr.contains("8 lines, 5 invalid"), "\(result.stderr)")

        let rows = try await cli(["query", "--format", "csv", "SELECT count(*) FROM metrics"])
        #expect(rows.stdout.contains("\r\n3\r\n"), "\(rows.stdout)")
        let quarantineFolder = dataDir + "/objects/infra-monitoring-pipeline-data/quarantine"
        let files = FileManager.default.enumerator(atPath: quarantineFolder)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".jsonl") }
        #expect(files.count == 1)
        let quarantined = try String(contentsOfFile: quarantineFolder + "/" + files[0], encoding: .utf8)
            .split(separator: "\n").map { try JSON(parsing: String($0)) }
        #expect(quarantined.count == 5)
        #expect(quarantined.compactMap { $0["line"]?.intValue } == [3, 4, 5, 6, 7])
        #expect(quarantined.allSatisfy { !($0["reason"]?.stringValue ?? "").isEmpty })
        #expect(quarantined[1]["reason"]?.stringValue?.contains("host") == true)
        #expect(quarantined[3]["reason"]?.stringValue?.contains("timestamp") == true)

        // Processing the same batch again changes nothing.
        let before = try await cli(["query", "--format", "csv", "SELECT * FROM metrics ORDER BY timestamp"]).stdout
        let recordsBefore = try await cli(["records", "--format", "json"]).stdout
        _ = try await cli(["process", batch])
        #expect(try await cli(["query", "--format", "csv", "SELECT * FROM metrics ORDER BY timestamp"]).stdout == before)
        #expect(try await cli(["records", "--format", "json"]).stdout == recordsBefore)
    }

    @Test("a corrupt gzip stream keeps the lines before the damage")
    func corruptGzip() async throws {
        var bytes = Gzip.compress(Array((Self.validLines.joined(separator: "\n") + "\n").utf8))
        bytes.removeLast(12)
        bytes += Array("garbage after the cut".utf8)
        let batch = try write(bytes, name: "corrupt.jsonl.gz")
        let result = try await cli(["process", "--stdout", batch])
        #expect(result.status == 2)
        #expect(result.stderr.contains("corrupt"), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test("a collector that keeps failing: retried, then Pipeline Failure with error and cause; other batches kept")
    func collectorFailure() async throws {
        // A proc tree without net/dev: the network branch fails, the others succeed.
        let proc = dataDir + "/fake-proc"
        try FileManager.default.createDirectory(atPath: proc + "/self", withIntermediateDirectories: true)
        for file in ["stat", "meminfo"] {
            try Data(contentsOf: URL(fileURLWithPath: "/proc/" + file)).write(to: URL(fileURLWithPath: proc + "/" + file))
        }
        try Data(contentsOf: URL(fileURLWithPath: "/proc/self/mounts")).write(to: URL(fileURLWithPath: proc + "/self/mounts"))
        let config = dataDir + "/config.yaml"
        try "collection:\n  proc_root: \(proc)\n  sample_window_seconds: 0.2\n".write(toFile: config, atomically: true, encoding: .utf8)

        let result = try await cli(["run"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("failed"), "\(result.stderr)")
        #expect(result.stderr.contains("net/dev"), "\(result.stderr)")

        let outbox = try await cli(["notifications", "--format", "json"]).stdout.split(separator: "\n").map { try JSON(parsing: String($0)) }
        #expect(outbox.count == 1)
        #expect(outbox[0]["subject"] == "InfraMonitor: Pipeline Failure")
        #expect(outbox[0]["message"]?["status"] == "FAILED")
        #expect(outbox[0]["message"]?["error"]?.stringValue?.isEmpty == false)
        #expect(outbox[0]["message"]?["cause"]?.stringValue?.contains("net/dev") == true)

        let id = try #require(outbox[0]["message"]?["execution_id"]?.stringValue)
        let events = try await cli(["executions", "show", "--events", id]).stdout.split(separator: "\n").map { try JSON(parsing: String($0)) }
        let networkFailures = events.filter { $0["type"] == "TaskFailed" }
        #expect(
            networkFailures.count == 1,
            "a function error is not retried: the retrier covers Lambda's transient service errors only (AWS's best practice)"
        )

        let metrics = try await cli(["query", "--format", "csv", "SELECT DISTINCT metric FROM metrics ORDER BY metric"]).stdout
        #expect(metrics.contains("memory_usage"), "batches written before the failure are kept and processed: \(metrics)")
        #expect(!metrics.contains("network_traffic"))
    }

    @Test("a read-only data directory gives one clear line and exit 1")
    func readOnlyDataDirectory() async throws {
        let mountPoint = try Fixtures.temporaryDirectory("ro")
        try #require(try await CommandRunner.shell("mount -t tmpfs -o size=1m,ro tmpfs \(mountPoint)").status == 0)
        defer { _ = try? CommandRunner.shellBlocking("umount \(mountPoint)") }
        let result = try await cli(["run"], dataDir: mountPoint + "/data")
        #expect(result.status == 1)
        #expect(result.stderr.contains("Read-only file system"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test("a full disk gives one clear line and exit 1")
    func fullDisk() async throws {
        let mountPoint = try Fixtures.temporaryDirectory("full")
        try #require(try await CommandRunner.shell("mount -t tmpfs -o size=160k tmpfs \(mountPoint)").status == 0)
        defer { _ = try? CommandRunner.shellBlocking("umount \(mountPoint)") }
        let result = try await cli(["run"], dataDir: mountPoint)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("No space left on device") || result.stderr.contains("disk is full")
                || result.stderr.contains("database or disk is full"),
            "\(result.stderr)"
        )
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test(
        "query refuses anything but reads, and the tables survive",
        arguments: [
            "DROP TABLE infra_metrics", "INSERT INTO outbox (created_at, subject, message) VALUES ('x','y','z')",
            "ATTACH DATABASE '/tmp/evil.sqlite' AS evil", "PRAGMA writable_schema = 1", "DELETE FROM metric_samples",
            "SELECT 1; DROP TABLE executions",
        ]
    )
    func queryIsReadOnly(sql: String) async throws {
        #expect(try await cli(["run"]).status == 0)
        let result = try await cli(["query", sql])
        #expect(result.status == 2, "\(sql): \(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("refused") || result.stderr.contains("query failed"), "\(result.stderr)")
        let count = try await cli(["query", "--format", "csv", "SELECT count(*) FROM infra_metrics"])
        #expect(count.status == 0)
        #expect(!count.stdout.contains("\r\n0\r\n"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/evil.sqlite"))
    }

    @Test(
        "bad usage exits 2 with one line",
        arguments: [
            ["run", "--no-such-flag"], ["query"], ["records", "--from", "yesterday"], ["collect", "--metric", "gpu"],
            ["run", "--backend", "azure"],
        ]
    )
    func badUsage(arguments: [String]) async throws {
        let result = try await cli(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("infra-monitor: error:"), "\(result.stderr)")
    }
}
