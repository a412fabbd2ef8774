import InfraMonitorCore
import LocalBackend
import TestSupport
import Testing

/// SQLite's `target_health`: scrapes per execution, the newest per target and metric, the fold
/// into one status per target, and the two-week window.
@Suite("target_health")
struct TargetHealthStoreTests {
    static func at(_ hours: Int) -> Timestamp { Timestamp(seconds: 1_796_083_200 + Int64(hours) * 3600, nanoseconds: 250_000_000) }

    static func scrape(_ target: String, _ metric: String, up: Bool, at hours: Int, seconds: Double = 0.1) -> TargetHealth {
        TargetHealth(
            job: "node",
            target: target,
            metric: metric,
            host: "h-" + target,
            labels: ["rack": "r\"1\"", "job": "node"],
            up: up,
            scrapeSeconds: seconds,
            error: up ? nil : "HTTP status 500",
            scrapedAt: at(hours)
        )
    }

    @Test func scrapesAreStoredPerExecutionAndTheNewestWins() async throws {
        let store = try SQLiteStore(path: try Fixtures.temporaryDirectory("target-health") + "/db.sqlite")
        #expect(try await store.latestTargetHealth().isEmpty)
        try await store.record(
            executionID: "e1",
            [Self.scrape("a:1", "cpu_utilization", up: true, at: 0), Self.scrape("b:1", "cpu_utilization", up: true, at: 0)]
        )
        try await store.record(executionID: "e1", [Self.scrape("a:1", "memory_usage", up: true, at: 0, seconds: 0.4)])
        try await store.record(executionID: "e2", [Self.scrape("b:1", "cpu_utilization", up: false, at: 3, seconds: 2)])
        let latest = try await store.latestTargetHealth()
        #expect(
            latest.map { "\($0.target) \($0.metric) \($0.executionID)" } == [
                "a:1 cpu_utilization e1", "a:1 memory_usage e1", "b:1 cpu_utilization e2",
            ]
        )
        #expect(latest[0].labels == ["rack": "r\"1\"", "job": "node"], "labels survive the round trip")
        #expect(latest[0].scrapedAt == Self.at(0))
        #expect(try await store.targetHealth(executionID: "e1").count == 3)
        let statuses = TargetStatus.fold(latest)
        #expect(statuses.map(\.up) == [true, false])
        #expect(statuses[0].scrapeSeconds == 0.4, "the longest scrape of the execution")
        #expect(statuses[1].error == "cpu_utilization: HTTP status 500")
        // Recording the same branch again replaces it.
        try await store.record(executionID: "e2", [Self.scrape("b:1", "cpu_utilization", up: true, at: 3)])
        #expect(try await store.targetHealth(executionID: "e2").map(\.up) == [true])
    }

    @Test func scrapesOlderThanTwoWeeksGoWhenNewerOnesAreRecorded() async throws {
        let store = try SQLiteStore(path: try Fixtures.temporaryDirectory("target-health-window") + "/db.sqlite")
        try await store.record(executionID: "old", [Self.scrape("a:1", "cpu_utilization", up: true, at: 0)])
        try await store.record(executionID: "kept", [Self.scrape("a:1", "disk_usage", up: true, at: 14 * 24 - 1)])
        #expect(try await store.targetHealth(executionID: "old").count == 1, "13 days 23 hours later it is kept")
        try await store.record(executionID: "new", [Self.scrape("a:1", "memory_usage", up: true, at: 14 * 24 + 1)])
        #expect(try await store.targetHealth(executionID: "old").isEmpty, "older than two weeks: gone")
        #expect(try await store.targetHealth(executionID: "kept").count == 1)
    }
}
