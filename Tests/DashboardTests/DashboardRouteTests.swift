import Dashboard
import Foundation
import Hummingbird
import HummingbirdTesting
import InfraJSON
import InfraMonitorCore
import InfraMonitorTesting
import Testing

/// The dashboard's routes in process (Hummingbird's router test client) over in-memory read models.
@Suite struct DashboardRouteTests {
    static let now = Timestamp.now()

    /// Read models holding two hosts' samples, one execution with its history and one notification.
    static func sources() async throws -> DashboardSources {
        let memory = InMemoryBackend()
        try await memory.samples.replaceSamples(source: "raw-metrics/a") { emit in
            try emit(Sample(metric: "cpu_utilization", host: "web-1", timestamp: now, value: 93, unit: "Percent"))
            try emit(Sample(metric: "disk_usage", host: "db-<1>", timestamp: now, value: 10, unit: "Percent", labels: ["mountpoint": "/"]))
        }
        let execution = ExecutionSummary(id: "exec-1", status: .succeeded, scheduledTime: now, startedAt: now, finishedAt: now.adding(seconds: 2))
        try await memory.executions.started(execution, input: ["time": "x"])
        try await memory.executions.append(
            ExecutionEvent(id: 1, previousID: 0, type: .execution(.started), timestamp: now.iso8601Milliseconds, stateName: nil, details: [:]),
            executionID: "exec-1"
        )
        try await memory.executions.finished(execution)
        try await memory.notifier.publish(
            PipelineNotification(subject: "InfraMonitor: Pipeline Success", message: ["execution_id": "exec-1", "status": "SUCCEEDED"])
        )
        var query = CannedQuery(table: QueryTable(columns: ["metric", "n"], rows: [["cpu_utilization", 3]]))
        query.refused.insert("ATTACH")
        return DashboardSources(series: memory.samples, executions: memory.executions, notifications: memory.notifier, query: query)
    }

    static func withClient(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = DashboardServer.router(
            sources: try await sources(),
            settings: DashboardSettings(),
            status: ServiceStatus(schedule: "rate(3 hours)")
        )
        let app = Application(router: router)
        try await app.test(.router, body)
    }

    @Test func overviewListsEveryHostEscaped() async throws {
        try await Self.withClient { client in
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(page.contains("web-1"))
                #expect(page.contains("db-&lt;1&gt;"))
                #expect(!page.contains("db-<1>"))
                #expect(page.contains("/executions/exec-1"))
                #expect(response.headers.contains { $0.name.canonicalName == "content-security-policy" && $0.value.contains("base-uri 'none'") })
            }
        }
    }

    @Test func anUnknownRangeIsNotEchoed() async throws {
        try await Self.withClient { client in
            try await client.execute(uri: "/metric/cpu_utilization?range=%3Cscript%3Ealert(5)%3C/script%3E", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(!page.contains("<script>"))
                #expect(!page.contains("alert(5)"))
            }
        }
    }

    @Test func theQueryFormDecodesPlusAsASpaceAndKeepsAnEncodedPlus() async throws {
        try await Self.withClient { client in
            try await client.execute(uri: "/query?sql=SELECT+1+%2B+1+AS+two", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("SELECT 1 + 1 AS two"), "the form's text, decoded")
                #expect(page.contains("1 row(s)"))
            }
        }
    }

    @Test func queriesBeyondTheCapacityAreAnsweredBusyAtOnceAndHealthzStillAnswers() async throws {
        var sources = try await Self.sources()
        sources.query = SlowQuery()
        let router = DashboardServer.router(sources: sources, settings: DashboardSettings(queryCapacity: 2), status: ServiceStatus(schedule: "x"))
        try await Application(router: router).test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await client.execute(uri: "/api/query?sql=SELECT%201", method: .get) { Int($0.status.code) } }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(200))
                    return try await client.execute(uri: "/healthz", method: .get) { Int($0.status.code) + 1000 }
                }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all.sorted()
            }
            #expect(statuses == [200, 200, 503, 1200], "two queries run, the third is busy, /healthz answers meanwhile")
        }
    }

    @Test func apiRoutesReturnTheReadModels() async throws {
        try await Self.withClient { client in
            try await client.execute(uri: "/api/overview", method: .get) { response in
                let body = try JSON(parsing: String(buffer: response.body))
                #expect(body["series"]?.arrayValue?.count == 2)
                #expect(body["series"]?[0]?["alarm_state"] == .null, "no alarm watches it: no colour from a fixed threshold")
            }
            try await client.execute(uri: "/api/executions/exec-1", method: .get) { response in
                let body = try JSON(parsing: String(buffer: response.body))
                #expect(body["execution"]?["status"]?.stringValue == "SUCCEEDED")
                #expect(body["events"]?[0]?["type"]?.stringValue == "ExecutionStarted")
            }
            try await client.execute(uri: "/api/executions/nope", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/notifications", method: .get) { response in
                let body = try JSON(parsing: String(buffer: response.body))
                #expect(body["notifications"]?[0]?["execution_id"]?.stringValue == "exec-1")
            }
            try await client.execute(uri: "/api/query?sql=SELECT%201", method: .get) { response in
                let body = try JSON(parsing: String(buffer: response.body))
                #expect(body["rows"] == [["cpu_utilization", 3]])
            }
            try await client.execute(uri: "/api/query?sql=ATTACH%20x", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("infra_monitoring_cpu_utilization{host=\"web-1\"} 93.0"))
                #expect(text.contains("infra_monitor_executions_total{status=\"SUCCEEDED\"} 1"))
            }
        }
    }
}

/// A query port whose every statement takes a second.
struct SlowQuery: SampleQuery {
    func run(_ sql: String, rowLimit: Int, timeLimitSeconds: Double) async throws -> QueryTable {
        try await Task.sleep(for: .seconds(1))
        return QueryTable(columns: ["x"], rows: [[1]])
    }
}
