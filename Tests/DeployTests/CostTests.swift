import Deploy
import Foundation
import InfraJSON
import InfraMonitorCore
import TestSupport
import Testing

/// The estimate for the project's definition.
func estimate(_ change: (inout CostAssumptions) throws -> Void = { _ in }) throws -> CostEstimate {
    let definition = try JSON(parsing: try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8))
    var assumptions = CostAssumptions()
    try change(&assumptions)
    return CostEstimate(
        assumptions: assumptions,
        transitionsPerExecution: try StateTransitions.successPath(of: definition),
        collectorTasksPerExecution: StateTransitions.collectionTasks(of: definition)
    )
}

@Suite struct CostTests {
    @Test func seedFigures() throws {
        let seed = try estimate()
        #expect(seed.executions == 240)
        #expect(seed.files == 960)
        #expect(seed.records == 2_160, "240 executions × 9 series")
        #expect(
            seed.transitionsPerExecution == 13,
            "CheckInput, its Pass, PlanShards, the Parallel, 4 Maps with one shard's Task each, NotifySuccess"
        )
        #expect(seed.collectorTasksPerExecution == 4)
        #expect(seed.line("Lambda", "requests (data-collector + log-processor)")?.quantity == 1_920)
        #expect(seed.line("Step Functions", "state transitions (13 per execution)")?.quantity == 3_120)
        let athena = try #require(seed.lines.first { $0.service == "Athena" })
        #expect((athena.billedCost * 100).rounded() / 100 == 0.01)
        let email = try #require(seed.line("SNS", "email notifications"))
        #expect(email.quantity == 240)
        #expect(email.billedCost == 0)
        #expect(email.listCost > 0)
        let writes = try #require(seed.line("DynamoDB", "on-demand writes (InfraMetrics records)"))
        #expect(writes.quantity == 2_160)
        #expect(seed.dimensions == .perHost)
        #expect(seed.line("CloudWatch", "dashboard InfraMonitoring")?.billedCost == 0)
        #expect(seed.total < 0.10)
    }

    @Test func seedDataIsAbout20MBAMonthAndStaysInStandard() throws {
        let seed = try estimate()
        let standard = try #require(seed.line("S3", "STANDARD storage (steady state)"))
        #expect(abs(standard.quantity - 3 * 20.0 / 1024) < 1e-9)
        #expect(seed.line("S3", "STANDARD_IA storage (days 30-90)")?.quantity == 0)
        #expect(seed.notes.contains { $0.contains("128 KB") })
        let big = try estimate { $0.hosts = 10 }
        #expect(try #require(big.line("S3", "STANDARD_IA storage (days 30-90)")).quantity > 0)
    }

    @Test func linesGrowWithHosts() throws {
        let one = try estimate()
        let hundred = try estimate { $0.hosts = 100 }
        #expect(hundred.executions == one.executions)
        #expect(hundred.records == one.records * 100)
        #expect(
            hundred.line("DynamoDB", "on-demand writes (InfraMetrics records)")!.listCost > one.line(
                "DynamoDB",
                "on-demand writes (InfraMetrics records)"
            )!.listCost * 99
        )
        #expect(hundred.lines.first { $0.service == "Athena" }!.listCost > one.lines.first { $0.service == "Athena" }!.listCost)
        let perHost = try #require(hundred.lines.first { $0.item.hasPrefix("custom metrics, per-host") })
        let fleet = try #require(hundred.lines.first { $0.item.hasPrefix("custom metrics, fleet") })
        #expect(perHost.quantity == 900)
        #expect(fleet.quantity == 9)
        #expect(perHost.billedCost > fleet.billedCost)
        #expect(hundred.dimensions == .perHost, "priced as the publisher sends by default")
        #expect(perHost.counted && !fleet.counted)
        #expect(hundred.total > one.total)
    }

    @Test func linesGrowWithFrequency() throws {
        let seed = try estimate()
        let hourly = try estimate { $0.schedule = try ScheduleFrequency("rate(1 hour)") }
        #expect(hourly.executions == 720)
        #expect(hourly.files == 2_880)
        #expect(hourly.line("Step Functions", "state transitions (13 per execution)")!.quantity == 9_360)
        #expect(hourly.line("Step Functions", "state transitions (13 per execution)")!.billedCost > 0)
        #expect(seed.line("Step Functions", "state transitions (13 per execution)")!.billedCost == 0)
        let minutely = try estimate { $0.schedule = try ScheduleFrequency("rate(1 minute)") }
        #expect(minutely.line("SNS", "email notifications")!.billedCost > 0)
        #expect(minutely.total > hourly.total)
        #expect(hourly.total >= seed.total)
    }

    /// CloudWatch custom metrics as published: per-host is hosts × 9 at $0.30 a metric-month,
    /// prorated to the third of the month's hours in which rate(3 hours) sends data; fleet is the
    /// 9 label sets whatever the host count.
    @Test(arguments: [(1, 9, 0.0, 0.0), (10, 90, 8.0, 0.0), (100, 900, 89.0, 0.0), (1_000, 9_000, 899.0, 0.0)])
    func customMetricsForBothDimensionModes(hosts: Int, perHostMetrics: Int, perHostDollars: Double, fleetDollars: Double) throws {
        let perHost = try estimate {
            $0.hosts = hosts
            $0.dimensions = .perHost
        }
        let fleet = try estimate {
            $0.hosts = hosts
            $0.dimensions = .fleet
        }
        #expect(perHost.customMetrics(.perHost) == perHostMetrics)
        #expect(fleet.customMetrics(.fleet) == 9)
        let perHostLine = try #require(perHost.lines.first { $0.item.hasPrefix("custom metrics, per-host") && $0.counted })
        let fleetLine = try #require(fleet.lines.first { $0.item.hasPrefix("custom metrics, fleet") && $0.counted })
        #expect(abs(perHostLine.billedCost - Double(max(0, perHostMetrics - 10)) * 0.30 / 3) < 1e-9)
        #expect(abs(perHostLine.billedCost - perHostDollars) < 1e-9)
        #expect(fleetLine.billedCost == fleetDollars)
    }

    @Test func seriesPerHostFollowTheCollectorShape() {
        #expect(CostAssumptions.series(mountPoints: 3, interfaces: 2) == 9)
        #expect(CostAssumptions().seriesPerHost == 9)
        #expect(MetricDimensions.perHostFreeUpTo(seriesPerHost: 9) == 1)
    }

    @Test func reportNamesThePriceDateAndTheThreshold() throws {
        let text = CostReport.text(try estimate())
        #expect(text.contains(PriceTable.euWest1.date))
        #expect(text.contains("240 executions"))
        #expect(text.contains("priced as published, per-host dimensions"))
        #expect(text.contains("fleet metrics"))
        #expect(text.contains("Growth"))
    }
}

@Suite struct ScheduleTests {
    /// Rates count exactly; cron schedules are averaged over four years (1,461 days) from 2026-01-01
    /// and scaled to 30 days, so calendar patterns land within a fraction of a fire of the exact figure.
    static let monthlyFires: [(String, Double)] = [
        ("rate(3 hours)", 240), ("rate(1 hour)", 720), ("rate(15 minutes)", 2_880), ("rate(1 minute)", 43_200),
        ("rate(1 day)", 30), ("rate(7 days)", 4), ("cron(0 */3 * * ? *)", 240), ("cron(0 8 * * ? *)", 30),
        ("cron(0,30 9-17 * * ? *)", 540), ("cron(0 12 1,15 * ? *)", 96 * 30 / 1461), ("cron(0 8 ? * MON-FRI *)", 150 / 7),
        ("cron(15 10 * * ? *)", 30), ("cron(0 8 L * ? *)", 48 * 30 / 1461), ("cron(0 8 ? * 2#1 *)", 48 * 30 / 1461),
        ("cron(0 8 * JAN ? *)", 124 * 30 / 1461), ("cron(* * * * ? *)", 43_200),
    ]

    @Test(arguments: monthlyFires)
    func firesPerThirtyDayMonth(expression: String, fires: Double) throws {
        #expect(abs(try ScheduleFrequency(expression).firesPerMonth - fires) < 0.02, "\(expression)")
    }

    @Test func billedHoursCountHoursWithAnyFire() throws {
        #expect(try ScheduleFrequency("rate(15 minutes)").hoursWithFiresPerMonth == 720)
        #expect(abs(try ScheduleFrequency("cron(0,30 9-17 * * ? *)").hoursWithFiresPerMonth - 270) < 1e-9)
    }

    @Test(arguments: [
        ("rate(3 hour)", "plural"), ("rate(1 hours)", "singular"), ("rate(0 minutes)", "greater than 0"), ("every 3 hours", "rate(N unit)"),
        ("cron(0 8 * *)", "6 fields"), ("cron(0 8 * * ? 2020)", "never fires"), ("cron(0 8 * * ? 2035)", "never fires"),
    ])
    func invalidExpressionsSayWhy(expression: String, reason: String) {
        #expect {
            try ScheduleFrequency(expression)
        } throws: { error in
            String(describing: error).contains(reason)
        }
    }
}
