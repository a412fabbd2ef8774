import Alarms
import InfraMonitorCore
import LocalBackend
import TestSupport
import Testing

/// One contract for every `AlarmStateStore`: the in-memory one and SQLite's tables.
@Suite("AlarmStateStore contract")
struct AlarmStateStoreTests {
    static func makeStore(_ kind: String) throws -> any AlarmStateStore {
        kind == "sqlite" ? try SQLiteStore(path: try Fixtures.temporaryDirectory("alarms-db") + "/db.sqlite") : InMemoryAlarmStateStore()
    }

    static let web1 = AlarmInstance(alarmName: "disk-filling", labels: ["host": "web-1", "mountpoint": "/"], fanOutLabels: ["host"])
    static let web2 = AlarmInstance(alarmName: "disk-filling", labels: ["host": "web-2", "mountpoint": "/"], fanOutLabels: ["host"])
    static let cpu = AlarmInstance(alarmName: "cpu-high", labels: ["host": "web-\"1\""], fanOutLabels: ["host"])

    static func at(_ hours: Int) -> Timestamp { Timestamp(seconds: 1_796_083_200 + Int64(hours) * 3600, nanoseconds: 123_000_000) }

    @Test("states are saved, replaced and read back", arguments: ["memory", "sqlite"])
    func states(kind: String) async throws {
        let store = try Self.makeStore(kind)
        #expect(try await store.allStates().isEmpty)
        #expect(try await store.state(of: Self.web1.id) == nil)
        try await store.save(states: [.created(Self.web1, at: Self.at(0)), .created(Self.cpu, at: Self.at(0))], history: [])
        let alarm = AlarmStateRecord(instance: Self.web1, state: .alarm, reason: "Threshold Crossed: x", since: Self.at(3))
        try await store.save(alarm)
        #expect(try await store.state(of: Self.web1.id) == alarm)
        let all = try await store.allStates()
        #expect(all.map(\.instance.id) == [Self.cpu.id, Self.web1.id])
        #expect(all[0].instance == Self.cpu)
        #expect(all[0].state == .insufficientData)
    }

    @Test("history is newest first, by alarm, limited, and pruned by age", arguments: ["memory", "sqlite"])
    func history(kind: String) async throws {
        let store = try Self.makeStore(kind)
        var entries: [AlarmHistoryEntry] = []
        for hour in 0..<6 {
            let instance = hour % 3 == 2 ? Self.cpu : (hour % 2 == 0 ? Self.web1 : Self.web2)
            entries.append(AlarmHistoryEntry(instance: instance, time: Self.at(hour * 24), oldState: .ok, newState: .alarm, reason: "r\(hour)"))
        }
        try await store.save(states: [], history: entries)
        #expect(try await store.history(alarmName: nil, limit: nil).map(\.reason) == ["r5", "r4", "r3", "r2", "r1", "r0"])
        #expect(try await store.history(alarmName: "disk-filling", limit: 2).map(\.reason) == ["r4", "r3"])
        #expect(try await store.history(alarmName: "cpu-high", limit: nil) == [entries[5], entries[2]])
        #expect(try await store.pruneHistory(olderThan: Self.at(2 * 24)) == 2)
        #expect(try await store.history(alarmName: nil, limit: nil).map(\.reason) == ["r5", "r4", "r3", "r2"])
    }

    @Test("the engine runs over SQLite: one history entry and one notification per change")
    func engineOverSQLite() async throws {
        let store = try Self.makeStore("sqlite")
        let alarm = try AlarmDefinition(
            alarmName: "cpu-high",
            metricName: "cpu_utilization",
            statistic: .maximum,
            period: 3600,
            evaluationPeriods: 1,
            threshold: 90,
            comparisonOperator: .greaterThanOrEqualToThreshold
        )
        let engine = AlarmEngine(definitions: [alarm])
        var changes = 0
        for (hour, value) in [50.0, 95, 96, 40].enumerated() {
            let sample = Sample(metric: "cpu_utilization", host: "web-1", timestamp: Self.at(hour), value: value, unit: "Percent")
            let report = try await engine.run(AlarmObservations(samples: [sample]), at: Self.at(hour), store: store, notifier: nil)
            changes += report.transitions.count
        }
        #expect(changes == 4 - 1)
        let history = try await store.history(alarmName: "cpu-high", limit: nil)
        #expect(history.map(\.newState) == [.ok, .alarm, .ok])
        #expect(try await store.allStates().map(\.state) == [.ok])
    }
}
