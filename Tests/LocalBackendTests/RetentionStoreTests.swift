import Alarms
import Foundation
import InfraMonitorCore
import LocalBackend
import TestSupport
import Testing

/// Retention in the embedded database with the clock set into the future: exactly the samples of
/// expired objects, the records past their window and the history past its window go.
@Suite("Retention in SQLite")
struct RetentionStoreTests {
    /// The pass's clock: 2027-06-01T00:00:00Z, months after any test data was written.
    static let now = Timestamp(seconds: 1_811_808_000)

    static func daysAgo(_ days: Double) -> Timestamp { now.adding(seconds: -Int64(days * 86_400)) }

    static let expired = "raw-metrics/2027/02/21/20270221T000000Z_old_cpu_utilization.jsonl.gz"
    static let infrequent = "raw-metrics/2027/04/17/20270417T000000Z_mid_cpu_utilization.jsonl.gz"
    static let current = "raw-metrics/2027/05/27/20270527T000000Z_new_cpu_utilization.jsonl.gz"
    static let gone = "raw-metrics/2026/12/01/20261201T000000Z_gone_cpu_utilization.jsonl.gz"
    static let outside = "/home/ops/batch.jsonl"

    /// A database with records 100, 91, 89, 60 and 5 days old, three samples per source, and alarm
    /// history 20, 15, 13.9 and 1 days old.
    func store() async throws -> SQLiteStore {
        let store = try SQLiteStore(path: try Fixtures.temporaryDirectory("retention-db") + "/db.sqlite")
        let ages: [Double] = [100, 91, 89, 60, 5]
        try await store.upsert(
            ages.map { age in
                MetricRecord(
                    metricID: "cpu_utilization#web-1",
                    timestamp: Self.daysAgo(age),
                    metric: "cpu_utilization",
                    host: "web-1",
                    labels: [:],
                    unit: "Percent",
                    count: 1,
                    sum: age,
                    min: age,
                    max: age,
                    last: age,
                    source: Self.current
                )
            }
        )
        for source in [Self.expired, Self.infrequent, Self.current, Self.gone, Self.outside] {
            try await store.replaceSamples(source: source) { emit in
                for minute in 0..<3 {
                    try emit(
                        Sample(
                            metric: "cpu_utilization",
                            host: "web-1",
                            timestamp: Self.daysAgo(10).adding(seconds: Int64(minute) * 60),
                            value: 1,
                            unit: "Percent"
                        )
                    )
                }
            }
        }
        let instance = AlarmInstance(alarmName: "cpu-high", labels: ["host": "web-1"], fanOutLabels: ["host"])
        let history = [20, 15, 13.9, 1].map { age in
            AlarmHistoryEntry(instance: instance, time: Self.daysAgo(age), oldState: .ok, newState: .alarm, reason: "\(age) days ago")
        }
        try await store.save(states: [], history: history)
        return store
    }

    func remaining(_ store: SQLiteStore) async throws -> (records: [Double], sources: [String: Int], history: [String]) {
        let records = try await store.records(metricID: nil, from: nil, to: nil, limit: nil).map(\.sum)
        let sources = try await store.retentionStatus(windows: RetentionWindows(now: Self.now, recordsDays: 90, alarmHistoryDays: 14), objects: [])
            .samplesBySource
        let history = try await store.history(alarmName: nil, limit: nil).map(\.reason)
        return (records, sources, history)
    }

    func apply(_ store: SQLiteStore, dryRun: Bool, recordsDays: Int = 90, historyDays: Int = 14) async throws -> DatabaseRetentionReport {
        try await store.applyRetention(
            expiredObjects: [Self.expired],
            infrequentAccess: [Self.infrequent],
            presentObjects: [Self.infrequent, Self.current],
            windows: RetentionWindows(now: Self.now, recordsDays: recordsDays, alarmHistoryDays: historyDays),
            dryRun: dryRun
        )
    }

    @Test("a dry run counts what a pass removes and changes nothing")
    func dryRun() async throws {
        let store = try await store()
        let before = try await remaining(store)
        let report = try await apply(store, dryRun: true)
        #expect(report.samples == 3 && report.orphanSamples == 3)
        #expect(report.records == 2, "the records 100 and 91 days old")
        #expect(report.historyRows == 2, "the history 20 and 15 days old")
        #expect(report.transitioned == 1)
        let after = try await remaining(store)
        #expect(after.records == before.records && after.sources == before.sources && after.history == before.history)
    }

    @Test("a pass removes exactly what is past its window, once")
    func pass() async throws {
        let store = try await store()
        let report = try await apply(store, dryRun: false)
        #expect(
            report
                == {
                    var expected = DatabaseRetentionReport()
                    expected.samples = 3
                    expected.orphanSamples = 3
                    expected.records = 2
                    expected.historyRows = 2
                    expected.transitioned = 1
                    return expected
                }()
        )
        let after = try await remaining(store)
        #expect(after.records == [89, 60, 5])
        #expect(after.sources == [Self.infrequent: 3, Self.current: 3, Self.outside: 3], "samples of files outside the bucket stay")
        #expect(after.history == ["1.0 days ago", "13.9 days ago"])
        let status = try await store.retentionStatus(
            windows: RetentionWindows(now: Self.now, recordsDays: 90, alarmHistoryDays: 14),
            objects: [Self.infrequent, Self.current]
        )
        #expect(status.storageClasses == [Self.infrequent: "STANDARD_IA"])
        #expect(status.records == 3 && status.recordsDue == 0 && status.samples == 9 && status.orphanSamples == 0)
        #expect(status.historyRows == 2 && status.historyDue == 0)
        #expect(try await apply(store, dryRun: false) == DatabaseRetentionReport(), "a second pass finds nothing to do")
    }

    @Test(
        "shorter windows remove more",
        arguments: [
            (30, 7, [5.0], ["1.0 days ago"]), (60, 1, [5.0], []),
            (90, 30, [89, 60, 5], ["1.0 days ago", "13.9 days ago", "15.0 days ago", "20.0 days ago"]),
        ]
    )
    func windows(recordsDays: Int, historyDays: Int, records: [Double], history: [String]) async throws {
        let store = try await store()
        _ = try await apply(store, dryRun: false, recordsDays: recordsDays, historyDays: historyDays)
        let after = try await remaining(store)
        #expect(after.records == records)
        #expect(after.history == history)
    }
}

/// The `retention:` section of config.yaml.
@Suite("Retention settings")
struct RetentionSettingsTests {
    func load(_ text: String) throws -> Settings {
        let path = try Fixtures.temporaryDirectory("config") + "/config.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try ConfigurationFile.load(path: path, required: true)
    }

    @Test("the defaults are the seed's windows and CloudWatch's two weeks")
    func defaults() throws {
        #expect(Settings().retention == Settings.Retention(rawInfrequentAccessDays: 30, rawExpirationDays: 90, recordsDays: 90, alarmHistoryDays: 14))
        #expect(try load("schedule: rate(3 hours)\n").retention == Settings().retention)
    }

    @Test("every window can be set")
    func set() throws {
        let settings = try load(
            "retention:\n  raw_infrequent_access_days: 45\n  raw_expiration_days: 365\n  records_days: 30\n  alarm_history_days: 60\n"
        )
        #expect(settings.retention == Settings.Retention(rawInfrequentAccessDays: 45, rawExpirationDays: 365, recordsDays: 30, alarmHistoryDays: 60))
    }

    @Test(
        "unusable windows are refused, naming the key",
        arguments: [
            ("retention:\n  raw_infrequent_access_days: 29\n", "retention.raw_infrequent_access_days is 29"),
            ("retention:\n  raw_expiration_days: 30\n", "retention.raw_expiration_days is 30"),
            ("retention:\n  raw_infrequent_access_days: 100\n", "retention.raw_expiration_days is 90"),
            ("retention:\n  records_days: 0\n", "retention.records_days is 0"),
            ("retention:\n  records_days: 91\n", "retention.records_days is 91"),
            ("retention:\n  alarm_history_days: -1\n", "retention.alarm_history_days is -1"),
            ("retention:\n  alarm_history_days: 1.5\n", "retention.alarm_history_days"),
            ("retention:\n  records_days: 10\n  raw_expiry_days: 10\n", "line 3: unknown key 'raw_expiry_days' in retention"),
        ]
    )
    func refused(text: String, expected: String) throws {
        #expect {
            try load(text)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }
}
