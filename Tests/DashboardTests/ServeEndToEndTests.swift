import Foundation
import TestSupport
import Testing

/// `infra-monitor serve` as operators run it: the built binary on a free loopback port, a fast
/// schedule (the hidden `--tick-seconds` override), real executions, pages loaded in headless Chromium.
@Suite(.serialized)
struct ServeEndToEndTests {
    static let token = "s3cret-token-for-tests"

    /// Screenshots land here, for people to look at.
    static let screenshotFolder = FileManager.default.temporaryDirectory.appendingPathComponent("infra-monitor-dashboard-screenshots").path

    static func dataDirectory(host: String) throws -> String {
        let dir = try Fixtures.temporaryDirectory("serve")
        let config = "host: \"\(host.replacingOccurrences(of: "\"", with: "\\\""))\"\ncollection:\n  sample_window_seconds: 0.2\n"
        try config.write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func pagesShowTheFleetAfterTwoExecutionsAndRefuseRequestsWithoutTheToken() async throws {
        let server = try await ServeProcess(
            dataDirectory: try Self.dataDirectory(host: "web-1"),
            token: Self.token,
            arguments: ["--tick-seconds", "4"]
        )
        defer { server.stop() }
        try await server.waitUntilReady()
        let executions = try await server.waitForExecutions(2)
        let ids = try Self.executionIDs(executions)
        #expect(ids.count >= 2)

        // The token is checked on every request.
        for path in ["/", "/healthz", "/metrics", "/api/executions", "/api/query?sql=SELECT%201"] {
            #expect(try await server.request(path).status == 401, "\(path) without a token")
            #expect(try await server.request(path, bearer: "wrong").status == 401, "\(path) with a wrong token")
            #expect(try await server.request(path, bearer: Self.token).status == 200, "\(path) with the token")
        }

        // /metrics: latest sample per series plus the service's own counters.
        let metrics = try await server.get("/metrics").body
        #expect(metrics.contains("# TYPE infra_monitoring_cpu_utilization gauge"))
        #expect(metrics.contains("infra_monitoring_cpu_utilization{host=\"web-1\"} "))
        #expect(metrics.contains("infra_monitoring_disk_usage{host=\"web-1\",mountpoint=\"/"))
        #expect(metrics.contains("infra_monitor_executions_total{status=\"SUCCEEDED\"} "))
        #expect(metrics.contains("infra_monitor_execution_duration_seconds_total "))

        // The JSON API.
        let overview = try await server.get("/api/overview").body
        #expect(overview.contains("\"host\":\"web-1\"") && overview.contains("\"metric\":\"memory_usage\""))
        #expect(try await server.get("/api/executions/\(ids[0])").body.contains("\"type\":\"ExecutionSucceeded\""))
        #expect(try await server.get("/api/executions/no-such-id").status == 404)
        #expect(try await server.get("/api/notifications").body.contains("InfraMonitor: Pipeline Success"))
        #expect(try await server.get("/api/series?metric=cpu_utilization&range=3h").body.contains("\"unit\":\"Percent\""))
        let csv = try await server.get(
            "/api/query?sql=SELECT%20metric%2C%20host%20FROM%20metrics%20WHERE%20metric%3D%27memory_usage%27%20LIMIT%201&format=csv"
        )
        #expect(csv.body == "metric,host\r\nmemory_usage,web-1\r\n")

        // The pages, in a real browser.
        try FileManager.default.createDirectory(atPath: Self.screenshotFolder, withIntermediateDirectories: true)
        let profile = try Fixtures.temporaryDirectory("chromium")
        let query = "SELECT%20metric%2C%20host%2C%20COUNT(*)%20AS%20samples%20FROM%20metrics%20GROUP%20BY%20metric%2C%20host"
        let pages: [(name: String, path: String, expected: [String])] = [
            ("overview", "/", ["Fleet overview", "web-1", "cpu_utilization", "memory_usage", "disk_usage", "network_traffic", "SUCCEEDED"]),
            ("metric-cpu", "/metric/cpu_utilization?range=3h", ["cpu_utilization", "web-1", "Percent", "<svg class=\"timeseries\""]),
            ("metric-disk", "/metric/disk_usage?range=24h&host=web-1", ["disk_usage", "mountpoint=/"]),
            ("metric-network", "/metric/network_traffic?range=3h", ["network_traffic", "Bytes/Second", "direction=rx"]),
            ("executions", "/executions", ["SUCCEEDED"] + ids),
            ("execution", "/executions/\(ids[0])", [ids[0], "ExecutionSucceeded", "CollectMetrics", "Timeline"]),
            ("notifications", "/notifications", ["InfraMonitor: Pipeline Success", ids[0]]),
            ("targets", "/targets", ["Targets", "No target has been scraped yet"]),
            ("alarms", "/alarms", ["Alarms", "History"]),
            ("query", "/query?sql=\(query)", ["cpu_utilization", "web-1", "samples", "row(s)"]),
        ]
        for page in pages {
            let separator = page.path.contains("?") ? "&" : "?"
            let url = server.baseURL + page.path + separator + "token=" + Self.token
            let dom = try await Browser.dumpDOM(url, profile: profile)
            for expected in page.expected {
                #expect(dom.contains(expected), "\(page.name) lacks \(expected)")
            }
            try await Browser.screenshot(url, to: Self.screenshotFolder + "/\(page.name).png", profile: profile)
            #expect(FileManager.default.fileExists(atPath: Self.screenshotFolder + "/\(page.name).png"))
        }
    }

    @Test func queryEndpointCannotWrite() async throws {
        let dir = try Self.dataDirectory(host: "db-1")
        let server = try await ServeProcess(dataDirectory: dir, token: nil, arguments: ["--schedule", "rate(1 day)"])
        defer { server.stop() }
        try await server.waitUntilReady()
        _ = try await server.waitForExecutions(1)
        let count =
            "/api/query?sql="
            + Self.encode(
                "SELECT (SELECT COUNT(*) FROM metrics) || '/' || (SELECT COUNT(*) FROM infra_metrics) AS n"
            )
        let before = try await server.get(count).body
        #expect(before.contains("\"rows\":[[\""))
        let attached = dir + "/attached.db"
        let writes = [
            "DROP TABLE metric_samples", "DELETE FROM outbox", "INSERT INTO outbox (created_at, subject, message) VALUES ('x','x','x')",
            "ATTACH DATABASE '\(attached)' AS x", "PRAGMA writable_schema = 1", "UPDATE executions SET status = 'FAILED'",
            "SELECT 1; DROP TABLE executions", "WITH x AS (SELECT 1) DELETE FROM outbox", "VACUUM",
            "CREATE TABLE evil (a)", "SELECT writefile('\(dir)/evil.txt', 'x')",
        ]
        for sql in writes {
            let (status, body) = try await server.get("/api/query?sql=" + Self.encode(sql))
            #expect(status == 400, "\(sql) answered \(status): \(body)")
            #expect(body.contains("\"error\""), "\(sql): \(body)")
        }
        #expect(try await server.get(count).body == before)
        #expect(!FileManager.default.fileExists(atPath: attached))
        #expect(!FileManager.default.fileExists(atPath: dir + "/evil.txt"))
        let page = try await server.get("/query?sql=" + Self.encode("DROP TABLE metric_samples")).body
        #expect(page.contains("class=\"error\"") && page.contains("DROP is not a read"))
    }

    @Test func htmlInjectionInAHostNameRendersInert() async throws {
        let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
        let server = try await ServeProcess(
            dataDirectory: try Self.dataDirectory(host: hostile),
            token: nil,
            arguments: ["--schedule", "rate(1 day)"]
        )
        defer { server.stop() }
        try await server.waitUntilReady()
        _ = try await server.waitForExecutions(1)
        let profile = try Fixtures.temporaryDirectory("chromium")
        for path in [
            "/", "/metric/cpu_utilization?range=3h", "/metric/disk_usage?host=" + Self.encode(hostile),
            "/query?sql=" + Self.encode("SELECT host FROM metrics LIMIT 1"),
        ] {
            let dom = try await Browser.dumpDOM(server.baseURL + path, profile: profile)
            #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path) does not show the host name as text")
            #expect(!dom.contains("<script"), "\(path) has a script element")
            #expect(!dom.contains("<img"), "\(path) has an injected element")
        }
        try FileManager.default.createDirectory(atPath: Self.screenshotFolder, withIntermediateDirectories: true)
        try await Browser.screenshot(server.baseURL + "/", to: Self.screenshotFolder + "/injection.png", profile: profile)
    }

    @Test func bindingBeyondLoopbackWithoutATokenIsRefused() async throws {
        let dir = try Self.dataDirectory(host: "web-1")
        let result = try await CommandRunner.infraMonitor(["serve", "--data-dir", dir, "--bind", "0.0.0.0", "--port", "1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("binding 0.0.0.0 exposes the dashboard beyond this machine; set --token"), "\(result.stderr)")
    }

    @Test(arguments: [" ", "x", "short-token", "has a space in it!!", "tab\there-and-long-enough"])
    func weakTokensAreRefused(token: String) async throws {
        let dir = try Self.dataDirectory(host: "web-1")
        let result = try await CommandRunner.infraMonitor(["serve", "--data-dir", dir, "--bind", "0.0.0.0", "--port", "1", "--token", token])
        #expect(result.status == 2)
        #expect(result.stderr.contains("the token "), "\(result.stderr)")
    }

    @Test func scheduleNextPrintsFireTimes() async throws {
        let result = try await CommandRunner.infraMonitor(["schedule", "next", "cron(0 18 ? * 6L *)", "-n", "3", "--after", "2026-11-25T20:23:10Z"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "2026-11-27T18:00:00Z\n2026-12-25T18:00:00Z\n2027-01-29T18:00:00Z\n")
        let bad = try await CommandRunner.infraMonitor(["schedule", "next", "rate(1 hours)"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("a value of 1 takes the singular unit: rate(1 hour)"), "\(bad.stderr)")
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    static func executionIDs(_ body: String) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        let list = object?["executions"] as? [[String: Any]] ?? []
        return list.compactMap { $0["id"] as? String }
    }
}
