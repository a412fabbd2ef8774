import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend
import TestSupport
import Testing

@Suite("Folder object store")
struct FolderObjectStoreTests {
    /// Created-events are no longer the store's job: `PipelineRunner` hands each stored batch to the
    /// processor (PipelineTests check that each batch is processed exactly once).
    @Test("put is atomic and lists in key order")
    func putGetList() async throws {
        let root = try Fixtures.temporaryDirectory("objects")
        let store = FolderObjectStore(root: root)
        try await store.put(Array("b".utf8), key: "raw-metrics/2026/11/25/b.jsonl.gz")
        try await store.put(Array("a".utf8), key: "raw-metrics/2026/11/25/a.jsonl.gz")
        try await store.put(Array("q".utf8), key: "quarantine/2026/11/25/a.jsonl")
        #expect(
            try await store.list(prefix: "raw-metrics/") == ["raw-metrics/2026/11/25/a.jsonl.gz", "raw-metrics/2026/11/25/b.jsonl.gz"]
        )
        #expect(try await store.get(key: "quarantine/2026/11/25/a.jsonl") == Array("q".utf8))
        try await store.put(Array("new".utf8), key: "raw-metrics/2026/11/25/a.jsonl.gz")
        #expect(try await store.get(key: "raw-metrics/2026/11/25/a.jsonl.gz") == Array("new".utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/raw-metrics/2026/11/25").filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "no temporary files left: \(leftovers)")
    }

    @Test("keys that would leave the bucket are refused", arguments: ["../etc/passwd", "/abs", "a//b", "a/./b", ""])
    func invalidKeys(key: String) async throws {
        let store = FolderObjectStore(root: try Fixtures.temporaryDirectory("objects"))
        await #expect(throws: LocalBackendError.self) { try await store.put([1], key: key) }
    }

    @Test("a missing object is a clear error")
    func missingObject() async throws {
        let store = FolderObjectStore(root: try Fixtures.temporaryDirectory("objects"))
        await #expect { try await store.get(key: "raw-metrics/none") } throws: { error in
            "\(error)".contains("no object raw-metrics/none")
        }
    }
}

@Suite("SQLite tables")
struct SQLiteStoreTests {
    func record(_ id: String = "m#h", at seconds: Int64, mean: Double) -> MetricRecord {
        MetricRecord(
            metricID: id,
            timestamp: Timestamp(seconds: seconds),
            metric: "m",
            host: "h",
            labels: [:],
            unit: "Percent",
            count: 1,
            sum: mean,
            min: mean,
            max: mean,
            last: mean,
            source: "raw-metrics/x"
        )
    }

    @Test("upsert replaces the record with the same metric_id and timestamp; ranges are [from, to)")
    func upsertAndRange() async throws {
        let store = try SQLiteStore(path: try Fixtures.temporaryDirectory("db") + "/db.sqlite")
        try await store.upsert([record(at: 100, mean: 1), record(at: 200, mean: 2)])
        try await store.upsert([record(at: 100, mean: 5)])
        let all = try await store.records(metricID: "m#h", from: nil, to: nil, limit: nil)
        #expect(all.map(\.mean) == [5, 2])
        let ranged = try await store.records(metricID: nil, from: Timestamp(seconds: 100), to: Timestamp(seconds: 200), limit: nil)
        #expect(ranged.map(\.timestamp) == [Timestamp(seconds: 100)])
        #expect(all[0].expiresAt == 100 + 90 * 86_400)
    }

    @Test("replacing samples is atomic: an error midway keeps the earlier samples")
    func replaceSamplesAtomic() async throws {
        let path = try Fixtures.temporaryDirectory("db") + "/db.sqlite"
        let store = try SQLiteStore(path: path)
        let sample = Sample(metric: "m", host: "h", timestamp: Timestamp(seconds: 0), value: 1, unit: "Percent")
        try await store.replaceSamples(source: "raw-metrics/2026/11/25/a") { emit in
            try emit(sample)
            try emit(sample)
        }
        struct Boom: Error {}
        await #expect(throws: (any Error).self) {
            try await store.replaceSamples(source: "raw-metrics/2026/11/25/a") { emit in
                try emit(sample)
                throw Boom()
            }
        }
        let result = try await QueryEngine(databasePath: path).run(
            "SELECT count(*), min(year), min(month), min(day) FROM metrics",
            rowLimit: 10,
            timeLimitSeconds: 5
        )
        #expect(result.rows[0] == [2, "2026", "11", "25"])
    }

    @Test("the query engine refuses writes", arguments: ["DELETE FROM metric_samples", "CREATE TABLE t(x)", "PRAGMA user_version = 3", "  "])
    func queryRefusesWrites(sql: String) async throws {
        let path = try Fixtures.temporaryDirectory("db") + "/db.sqlite"
        _ = try SQLiteStore(path: path)
        await #expect(throws: QueryRefusal.self) { try await QueryEngine(databasePath: path).run(sql, rowLimit: 10, timeLimitSeconds: 5) }
    }
}

@Suite("Configuration and redaction")
struct ConfigurationTests {
    @Test("the init template decodes to the defaults")
    func templateIsDefaults() throws {
        let path = try Fixtures.temporaryDirectory("config") + "/config.yaml"
        try ConfigurationFile.template(hostName: "web-1").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try ConfigurationFile.load(path: path, required: true) == Settings())
    }

    @Test("a missing optional config gives the defaults; a missing required one an error")
    func missingConfig() throws {
        #expect(try ConfigurationFile.load(path: "/nonexistent/config.yaml", required: false) == Settings())
        #expect(throws: LocalBackendError.self) { try ConfigurationFile.load(path: "/nonexistent/config.yaml", required: true) }
    }

    @Test(
        "unknown keys and unusable values are refused, naming the key, its line or the setting",
        arguments: [
            ("# comment\nhots: web-1\n", "line 2: unknown key 'hots' at the top level"),
            ("notifications:\n  webhok_url: x\n", "line 2: unknown key 'webhok_url' in notifications"),
            ("aws:\n  regoin: eu-west-1\n", "line 2: unknown key 'regoin' in aws"),
            ("collection:\n  sample_window_seconds: 1e9\n", "collection.sample_window_seconds"),
            ("collection:\n  sample_window_seconds: -5\n", "collection.sample_window_seconds"),
            ("collection:\n  sample_window_seconds: 0\n", "collection.sample_window_seconds"),
            ("collection:\n  sample_window_seconds: .nan\n", "collection.sample_window_seconds"),
            ("collection:\n  sample_window_seconds: .inf\n", "collection.sample_window_seconds"),
            ("notifications:\n  webhook_url: not a url\n", "notifications.webhook_url"),
            ("notifications:\n  webhook_url: file:///etc/passwd\n", "notifications.webhook_url"),
        ]
    )
    func invalidConfigurations(text: String, expected: String) throws {
        let path = try Fixtures.temporaryDirectory("config") + "/config.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try ConfigurationFile.load(path: path, required: true)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("the alarms and scrape_configs sections are left to their own parsers")
    func freeFormSections() throws {
        let path = try Fixtures.temporaryDirectory("config") + "/config.yaml"
        try "alarms:\n  - AlarmName: a\n    Anything: 1\nscrape_configs: []\n".write(toFile: path, atomically: true, encoding: .utf8)
        let settings = try ConfigurationFile.load(path: path, required: true)
        #expect(settings.alarms == [["AlarmName": "a", "Anything": 1]])
    }

    @Test(
        "URLs lose their credentials and query strings",
        arguments: [
            ("post to https://user:pw@hooks.example.com/x?token=abc failed", "post to https://hooks.example.com/x?… failed"),
            ("no url here", "no url here"),
        ]
    )
    func redaction(input: String, expected: String) {
        #expect(Redaction.redact(input) == expected)
    }
}
