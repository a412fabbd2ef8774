import Compression
import Foundation
import InfraJSON
import TestSupport
import Testing

/// `infra-monitor run` on a fresh data directory, as an operator would use it.
@Suite("Embedded pipeline end to end", .serialized)
struct PipelineEndToEndTests {
    let dataDir: String

    init() throws {
        dataDir = try Fixtures.temporaryDirectory("e2e")
    }

    func cli(_ arguments: [String]) async throws -> ProcessResult {
        try await CommandRunner.infraMonitor(arguments + ["--data-dir", dataDir])
    }

    func query(_ sql: String) async throws -> [JSON] {
        let result = try await cli(["query", "--format", "json", sql])
        #expect(result.status == 0, "query failed: \(result.stderr)")
        return try result.stdout.split(separator: "\n").map { try JSON(parsing: String($0)) }
    }

    @Test("two runs: two executions, four metrics, records and one success message per run")
    func twoRuns() async throws {
        let first = try await cli(["run"])
        #expect(first.status == 0, "first run: \(first.stderr)")
        #expect(first.stdout.contains("SUCCEEDED"))
        let second = try await cli(["run"])
        #expect(second.status == 0, "second run: \(second.stderr)")

        let perMetric = try await query("SELECT metric, count(*) AS n FROM metrics GROUP BY metric ORDER BY metric")
        #expect(perMetric.compactMap { $0["metric"]?.stringValue } == ["cpu_utilization", "disk_usage", "memory_usage", "network_traffic"])
        // Two runs each put one cpu and one memory sample.
        #expect(perMetric.first { $0["metric"] == "memory_usage" }?["n"] == 2)

        let list = try await cli(["executions", "list"])
        let succeeded = list.stdout.split(separator: "\n").filter { $0.contains("SUCCEEDED") }
        #expect(succeeded.count == 2, "executions list:\n\(list.stdout)")

        let ids = try await query("SELECT DISTINCT source FROM infra_metrics").compactMap { $0["source"]?.stringValue }
        #expect(ids.count == 8, "one raw batch per metric per execution: \(ids)")
        for id in executionIDs(from: list.stdout) {
            let records = try await cli(["records", "--execution", id, "--format", "json"])
            let lines = records.stdout.split(separator: "\n")
            #expect(lines.count >= 4, "records of \(id): \(records.stdout)")
            for line in lines {
                let record = try JSON(parsing: String(line))
                #expect(record["source"]?.stringValue?.contains("_\(id)_") == true)
                #expect(record["count"]?.doubleValue ?? 0 >= 1)
            }
        }

        let outbox = try await cli(["notifications", "--format", "json"])
        let messages = try outbox.stdout.split(separator: "\n").map { try JSON(parsing: String($0)) }
        #expect(messages.count == 2)
        for message in messages {
            #expect(message["subject"] == "InfraMonitor: Pipeline Success")
            let body = message["message"]
            #expect(body?["status"] == "SUCCEEDED")
            #expect(body?["duration_ms"]?.doubleValue ?? -1 >= 0)
            #expect(body?["finished_at"]?.stringValue != nil)
            #expect(body?["samples"]?["memory_usage"] == 1)
            #expect(body?["samples"]?["network_traffic"]?.doubleValue ?? 0 >= 2)
        }

        // Raw batches are gzip JSON Lines under the contract's key.
        let objects = dataDir + "/objects/infra-monitoring-pipeline-data"
        let keys = FileManager.default.enumerator(atPath: objects)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".jsonl.gz") }
        #expect(keys.count == 8)
        let pattern =
            #/^raw-metrics/\d{4}/\d{2}/\d{2}/\d{8}T\d{6}Z_[0-9a-f-]{36}_(cpu_utilization|memory_usage|disk_usage|network_traffic)\.jsonl\.gz$/#
        for key in keys {
            #expect(key.wholeMatch(of: pattern) != nil, "key \(key)")
            let body = try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: objects + "/" + key))))
            for line in String(decoding: body, as: UTF8.self).split(separator: "\n") {
                let sample = try JSON(parsing: String(line))
                #expect(sample["unit"]?.stringValue != nil)
                #expect(sample["value"]?.doubleValue != nil)
            }
        }

        // Both log groups got structured lines.
        for group in ["data-collector", "log-processor"] {
            let text = try String(contentsOfFile: dataDir + "/logs/\(group).jsonl", encoding: .utf8)
            let first = try JSON(parsing: String(text.split(separator: "\n")[0]))
            #expect(first["log_group"]?.stringValue == "/aws/lambda/\(group)")
        }

        // An execution shows every state with its start and end.
        let show = try await cli(["executions", "show", executionIDs(from: list.stdout)[0]])
        #expect(show.status == 0, "\(show.stderr)")
        for state in ["CollectMetrics", "CollectCpu", "CollectMemory", "CollectDisk", "CollectNetwork", "NotifySuccess"] {
            #expect(show.stdout.contains(state), "missing \(state) in\n\(show.stdout)")
        }
    }

    @Test("stored values agree with free and df")
    func valuesAgreeWithSystemTools() async throws {
        let run = try await cli(["run"])
        #expect(run.status == 0, "\(run.stderr)")
        let free = try await CommandRunner.shell("free -b | awk '/^Mem:/ {print $2, $7}'").stdout.split(separator: " ")
            .compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(free.count == 2)
        let systemMemory = 100 * (free[0] - free[1]) / free[0]
        let memory = try await query("SELECT value FROM metrics WHERE metric = 'memory_usage'")[0]["value"]?.doubleValue ?? -1
        #expect(abs(memory - systemMemory) <= 2, "ours \(memory), free \(systemMemory)")

        let df = try await CommandRunner.shell("df -P / | awk 'NR==2 {print $3, $4}'").stdout.split(separator: " ")
            .compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(df.count == 2)
        let systemDisk = 100 * df[0] / (df[0] + df[1])
        let disk =
            try await query("SELECT value FROM metrics WHERE metric = 'disk_usage' AND json_extract(labels, '$.mountpoint') = '/'")
            .first?["value"]?.doubleValue ?? -1
        #expect(abs(disk - systemDisk) <= 1, "ours \(disk), df \(systemDisk)")

        let cpu = try await query("SELECT value FROM metrics WHERE metric = 'cpu_utilization'")[0]["value"]?.doubleValue ?? -1
        #expect((0...100).contains(cpu))
        let network = try await query("SELECT min(value) AS low, count(*) AS n FROM metrics WHERE metric = 'network_traffic'")[0]
        #expect(network["low"]?.doubleValue ?? -1 >= 0)
    }

    func executionIDs(from list: String) -> [String] {
        list.split(separator: "\n").compactMap { line in
            let first = line.split(separator: " ").first.map(String.init) ?? ""
            return first.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil ? first : nil
        }
    }
}
