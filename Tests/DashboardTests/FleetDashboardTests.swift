import Alarms
import Collectors
import Dashboard
import Foundation
import Hummingbird
import HummingbirdTesting
import InfraJSON
import InfraMonitorCore
import InfraMonitorTesting
import Testing

/// The dashboard at fleet size, in process: 1,000 hosts with the four metrics, alarm states, target
/// health; the overview's sorting, filtering and paging; the metric pages' views; the targets and
/// alarms pages; `/metrics` read back with the project's exposition parser; hostile parameters.
@Suite struct FleetDashboardTests {
    static let now = Timestamp.now()
    static let hostCount = 1000

    static func host(_ index: Int) -> String { "host-" + String(index).leftPadded(4) }

    static let cpuAlarm = try! AlarmDefinition(json: [
        "AlarmName": "cpu-high", "MetricName": "cpu_utilization", "Statistic": "Average", "Period": 300,
        "EvaluationPeriods": 1, "Threshold": 90, "ComparisonOperator": "GreaterThanThreshold",
    ])

    /// 1,000 hosts in ten racks: cpu `index % 97`, memory 50, disk `/` `index % 100` and `/var` 10,
    /// network 1000 B/s; two samples per series an hour apart. `cpu-high` is ALARM on host-0500,
    /// INSUFFICIENT_DATA on host-0007 and OK on host-0096 (the highest cpu); two targets, one down.
    static func sources() async throws -> DashboardSources {
        let memory = InMemoryBackend()
        try await memory.samples.replaceSamples(source: "raw-metrics/fleet") { emit in
            for index in 0..<hostCount {
                let host = Self.host(index)
                let labels = ["rack": "r\(index % 10)"]
                for time in [now.adding(seconds: -3600), now] {
                    try emit(
                        Sample(metric: "cpu_utilization", host: host, timestamp: time, value: Double(index % 97), unit: "Percent", labels: labels)
                    )
                    try emit(Sample(metric: "memory_usage", host: host, timestamp: time, value: 50, unit: "Percent", labels: labels))
                    var root = labels
                    root["mountpoint"] = "/"
                    try emit(Sample(metric: "disk_usage", host: host, timestamp: time, value: Double(index % 100), unit: "Percent", labels: root))
                    root["mountpoint"] = "/var"
                    try emit(Sample(metric: "disk_usage", host: host, timestamp: time, value: 10, unit: "Percent", labels: root))
                    var device = labels
                    device["interface"] = "eth0"
                    try emit(Sample(metric: "network_traffic", host: host, timestamp: time, value: 1000, unit: "Bytes/Second", labels: device))
                }
            }
        }
        let alarms = InMemoryAlarmStateStore()
        func instance(_ index: Int) -> AlarmInstance {
            AlarmInstance(definition: cpuAlarm, labels: ["host": host(index), "rack": "r\(index % 10)"])
        }
        await alarms.save(
            states: [
                AlarmStateRecord(instance: instance(500), state: .alarm, reason: "Threshold Crossed: <b>1</b> datapoint", since: now),
                AlarmStateRecord(instance: instance(7), state: .insufficientData, reason: "no data", since: now),
                AlarmStateRecord(instance: instance(96), state: .ok, reason: "fine", since: now),
            ],
            history: [
                AlarmHistoryEntry(
                    instance: instance(500),
                    time: now.adding(seconds: -600),
                    oldState: .insufficientData,
                    newState: .ok,
                    reason: "older change"
                ),
                AlarmHistoryEntry(instance: instance(500), time: now, oldState: .ok, newState: .alarm, reason: "newest change"),
            ]
        )
        let execution = ExecutionSummary(id: "exec-9", status: .succeeded, scheduledTime: now, startedAt: now, finishedAt: now.adding(seconds: 1))
        try await memory.executions.started(execution, input: [:])
        let output: JSON = [
            "StatusCode": 200,
            "Payload": ["metric": "cpu_utilization", "failed_targets": [["target": "127.0.9.9:9100", "error": "connection failed: <refused>"]]],
        ]
        try await memory.executions.append(
            ExecutionEvent(
                id: 1,
                previousID: 0,
                type: ExecutionEventType(name: "TaskSucceeded"),
                timestamp: now.iso8601Milliseconds,
                stateName: "CollectCPU",
                details: ["output": .string(output.text)]
            ),
            executionID: "exec-9"
        )
        try await memory.executions.finished(execution)
        await memory.targetHealth.record(
            executionID: "exec-9",
            Metric.allCases.flatMap { metric in
                [
                    TargetHealth(
                        job: "node",
                        target: "127.0.9.8:9100",
                        metric: metric.rawValue,
                        host: "web-\"1\"",
                        labels: ["rack": "r1", "job": "node"],
                        up: true,
                        scrapeSeconds: 0.25,
                        error: nil,
                        scrapedAt: now
                    ),
                    TargetHealth(
                        job: "node",
                        target: "127.0.9.9:9100",
                        metric: metric.rawValue,
                        host: "127.0.9.9",
                        labels: ["rack": "r2", "job": "node"],
                        up: metric != .cpuUtilization,
                        scrapeSeconds: 1.5,
                        error: metric == .cpuUtilization ? "connection failed: <refused>" : nil,
                        scrapedAt: now
                    ),
                ]
            }
        )
        var sources = DashboardSources(backend: memory.backend)
        sources.alarms = alarms
        sources.alarmDefinitions = [cpuAlarm]
        return sources
    }

    /// The read models, built once for every test (they are only read).
    static let shared = Task { try await sources() }

    static func withClient(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = DashboardServer.router(
            sources: try await shared.value,
            settings: DashboardSettings(),
            status: ServiceStatus(schedule: "rate(3 hours)")
        )
        try await Application(router: router).test(.router, body)
    }

    static func page(_ client: any TestClientProtocol, _ uri: String) async throws -> (status: Int, body: String) {
        try await client.execute(uri: uri, method: .get) { (Int($0.status.code), String(buffer: $0.body)) }
    }

    /// The hosts of the overview's table rows, in page order.
    static func hosts(_ page: String) -> [String] {
        guard let table = page.range(of: "<table id=\"hosts\">") else { return [] }
        return page[table.upperBound...].components(separatedBy: "<tr class=").dropFirst().compactMap { row in
            guard let start = row.range(of: "\">host-") else { return nil }
            return "host-" + row[start.upperBound...].prefix(4)
        }
    }

    @Test func theOverviewShowsOnePagedRowPerHostWorstFirst() async throws {
        try await Self.withClient { client in
            let result = try await Self.page(client, "/")
            #expect(result.status == 200)
            #expect(result.body.utf8.count < 100_000, "a page of 50 rows stays small at 1,000 hosts: \(result.body.utf8.count) bytes")
            let hosts = Self.hosts(result.body)
            #expect(hosts.count == 50, "one page of 50 rows")
            #expect(Array(hosts.prefix(3)) == ["host-0500", "host-0007", "host-0096"], "ALARM, then INSUFFICIENT_DATA, then OK, then by value")
            #expect(hosts[3] == "host-0099", "then the highest percentage: disk 99 %")
            #expect(result.body.contains("Rows 1–50 of 1000"))
            #expect(result.body.contains("<tr class=\"alarm-ALARM\">"))
            #expect(result.body.contains("class=\"cell alarm-ALARM\""), "the cpu cell of host-0500 is coloured by its alarm state")
            #expect(!result.body.contains("card warn") && !result.body.contains("card bad"), "no fixed thresholds")
            #expect(result.body.contains("max of 2"), "two file systems fold into the disk cell")
            #expect(result.body.contains("rel=\"next\" href=\"/?page=2\""))
        }
    }

    @Test(arguments: [
        ("/?host=host-0042", ["host-0042"], "of 1"),
        ("/?host=HOST-004&sort=host", (40...49).map { FleetDashboardTests.host($0) }, "of 10"),
        ("/?label=rack%3Dr3&sort=host&size=25", (0..<25).map { FleetDashboardTests.host($0 * 10 + 3) }, "of 100"),
        ("/?sort=host&size=25&page=2", (25..<50).map { FleetDashboardTests.host($0) }, "Rows 26–50 of 1000"),
        ("/?sort=host&order=reverse&size=25", (975..<1000).reversed().map { FleetDashboardTests.host($0) }, "of 1000"),
        ("/?sort=host&page=20", (950..<1000).map { FleetDashboardTests.host($0) }, "page 20 of 20"),
        ("/?sort=host&page=999", (950..<1000).map { FleetDashboardTests.host($0) }, "page 20 of 20"),
        ("/?label=host%3Dhost-0001", ["host-0001"], "of 1"),
        ("/?label=rack%3Dnowhere", [], "No rows"),
    ])
    func theOverviewFiltersSortsAndPagesOnTheServer(uri: String, expected: [String], summary: String) async throws {
        try await Self.withClient { client in
            let result = try await Self.page(client, uri)
            #expect(result.status == 200)
            #expect(Self.hosts(result.body) == expected)
            #expect(result.body.contains(summary))
        }
    }

    @Test func sortingByAMetricPutsItsAlarmStateThenItsValueFirst() async throws {
        try await Self.withClient { client in
            let cpu = Self.hosts(try await Self.page(client, "/?sort=cpu_utilization").body)
            #expect(Array(cpu.prefix(3)) == ["host-0500", "host-0007", "host-0096"])
            #expect(cpu[3] == "host-0193", "then the highest cpu: 96 % (index % 97) on host-0193, host-0096 being listed already")
            let disk = Self.hosts(try await Self.page(client, "/?sort=disk_usage").body)
            #expect(disk.first == "host-0099", "no disk alarm: the highest disk first")
        }
    }

    /// Hostile values: a choice, a number or a label outside its grammar is refused (400) without
    /// echoing it; free text is echoed only escaped.
    @Test(arguments: [
        ("/?sort=%3Cscript%3Ealert(1)%3C/script%3E", 400),
        ("/?order=%22%3E%3Cscript%3E", 400),
        ("/?page=-1", 400),
        ("/?page=1e9", 400),
        ("/?page=99999999999999999999", 400),
        ("/?size=7", 400),
        ("/?label=%3Cscript%3E", 400),
        ("/?label=1x%3Dy", 400),
        ("/?host=a%0Ab", 400),
        ("/?host=" + String(repeating: "x", count: 300), 400),
        ("/?host=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", 200),
        ("/?label=rack%3D%22%3E%3Cscript%3Ealert(1)%3C/script%3E", 200),
        ("/metric/cpu_utilization?range=%3Cscript%3Ealert(1)%3C/script%3E", 200),
        ("/metric/cpu_utilization?view=%3Cscript%3E", 400),
        ("/metric/cpu_utilization?host=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", 200),
        ("/metric/cpu_utilization?label=rack%3D%3Cscript%3Ealert(1)%3C/script%3E", 200),
        ("/metric/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404),
        ("/targets?health=%3Cscript%3E", 400),
        ("/targets?q=%3Cscript%3Ealert(1)%3C/script%3E", 200),
        ("/targets?page=0", 400),
        ("/alarms?state=%3Cscript%3E", 400),
        ("/alarms?alarm=%3Cscript%3Ealert(1)%3C/script%3E", 200),
        ("/alarms?page=abc", 400),
    ])
    func hostileParametersAreRefusedOrEscaped(uri: String, status: Int) async throws {
        try await Self.withClient { client in
            let result = try await Self.page(client, uri)
            #expect(result.status == status, "\(uri)")
            #expect(!result.body.contains("<script>"), "\(uri)")
            #expect(!result.body.contains("alert(1)") || result.body.contains("&lt;script&gt;alert(1)"), "\(uri)")
        }
    }

    @Test func metricPagesShowOneHostALabelSetOrTheFleetsDistribution() async throws {
        try await Self.withClient { client in
            let fleet = try await Self.page(client, "/metric/cpu_utilization")
            #expect(fleet.status == 200)
            #expect(fleet.body.contains("cpu_utilization over 1000 host(s)"), "more hosts than charts: the distribution by default")
            #expect(fleet.body.contains("maximum — 96.0 %") && fleet.body.contains("minimum — 0.0 %"))
            let one = try await Self.page(client, "/metric/disk_usage?host=host-0042&range=3h")
            #expect(one.body.contains("<h2>host-0042 "))
            #expect(one.body.contains("mountpoint=/, rack=r2") && one.body.contains("mountpoint=/var, rack=r2"))
            let rack = try await Self.page(client, "/metric/cpu_utilization?label=rack%3Dr3&view=hosts")
            #expect(rack.body.contains("Showing 12 of 100 hosts"))
            #expect(rack.body.contains("<h2>host-0003 ") && !rack.body.contains("<h2>host-0004 "))
            let rackDistribution = try await Self.page(client, "/metric/cpu_utilization?label=rack%3Dr3&view=distribution")
            #expect(rackDistribution.body.contains("over 100 host(s) · rack=r3"))
            #expect(!fleet.body.contains("style="), "no inline style: the CSP allows only the stylesheet")
        }
    }

    @Test func theTargetsPageListsHealthLabelsAndEscapedErrors() async throws {
        try await Self.withClient { client in
            let all = try await Self.page(client, "/targets")
            #expect(all.status == 200)
            #expect(all.body.contains("2 target(s), 1 down"))
            #expect(all.body.contains("127.0.9.8:9100") && all.body.contains("web-&quot;1&quot;"))
            #expect(all.body.contains("cpu_utilization: connection failed: &lt;refused&gt;"))
            #expect(all.body.contains("1.500 s"), "the longest scrape of the execution")
            let down = try await Self.page(client, "/targets?health=down")
            #expect(down.body.contains("127.0.9.9:9100") && !down.body.contains("127.0.9.8:9100"))
            let search = try await Self.page(client, "/targets?q=r1")
            #expect(search.body.contains("127.0.9.8:9100") && !search.body.contains("127.0.9.9:9100"))
            let api = try JSON(parsing: try await Self.page(client, "/api/targets").body)
            #expect(api["targets"]?.arrayValue?.map { $0["health"]?.stringValue } == ["up", "down"])
        }
    }

    @Test func theAlarmsPageListsInstancesWorstFirstAndHistoryNewestFirst() async throws {
        try await Self.withClient { client in
            let page = try await Self.page(client, "/alarms").body
            #expect(page.contains("Threshold Crossed: &lt;b&gt;1&lt;/b&gt; datapoint"))
            let alarm = try #require(page.range(of: "host=&quot;host-0500&quot;")).lowerBound
            let insufficient = try #require(page.range(of: "host=&quot;host-0007&quot;")).lowerBound
            #expect(alarm < insufficient, "ALARM before INSUFFICIENT_DATA")
            let newest = try #require(page.range(of: "newest change")).lowerBound
            let older = try #require(page.range(of: "older change")).lowerBound
            #expect(newest < older, "history newest first")
            let ok = try await Self.page(client, "/alarms?state=OK").body
            #expect(ok.contains("host-0096") && !ok.contains("Threshold Crossed"))
            let api = try JSON(parsing: try await Self.page(client, "/api/alarms").body)
            #expect(api["history"]?[0]?["reason"]?.stringValue == "newest change")
        }
    }

    @Test func theExecutionPageListsItsFailedTargets() async throws {
        try await Self.withClient { client in
            let page = try await Self.page(client, "/executions/exec-9").body
            #expect(page.contains("<table id=\"failed-targets\">"))
            #expect(page.contains("127.0.9.9:9100") && page.contains("connection failed: &lt;refused&gt;"))
            #expect(page.contains("1 of 2 target(s) up in every branch"))
        }
    }

    /// `/metrics` is a valid exposition: the project's parser reads it, every family is typed, and
    /// the target and alarm gauges hold what the stores hold, label values escaped.
    @Test func metricsExportsTargetHealthAndAlarmStateSets() async throws {
        try await Self.withClient { client in
            let text = try await Self.page(client, "/metrics").body
            let exposition = try ExpositionParser.parse(text)
            let samples = exposition.samples
            let up = samples.filter { $0.name == "infra_monitor_target_up" }
            #expect(up.count == 2)
            #expect(up.first { $0.labels["target"] == "127.0.9.8:9100" }?.labels["host"] == "web-\"1\"", "the quote survives escaping")
            #expect(up.first { $0.labels["target"] == "127.0.9.9:9100" }?.value == 0)
            let seconds = samples.filter { $0.name == "infra_monitor_target_scrape_seconds" }
            #expect(seconds.first { $0.labels["target"] == "127.0.9.9:9100" }?.value == 1.5)
            let states = samples.filter { $0.name == "infra_monitor_alarm_state" && $0.labels["host"] == "host-0500" }
            #expect(states.count == 3, "one line per state")
            #expect(
                Dictionary(uniqueKeysWithValues: states.map { ($0.labels["state"] ?? "", $0.value) }) == [
                    "ALARM": 1, "OK": 0, "INSUFFICIENT_DATA": 0,
                ]
            )
            #expect(states.allSatisfy { $0.labels["alarm"] == "cpu-high" && $0.labels["rack"] == "r0" })
            let types = Dictionary(exposition.families.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
            #expect(types["infra_monitor_alarm_state"] == .gauge && types["infra_monitor_target_up"] == .gauge)
            #expect(samples.filter { $0.name == "infra_monitoring_cpu_utilization" }.count == Self.hostCount)
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
