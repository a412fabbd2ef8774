import Deploy
import Foundation
import InfraJSON
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
        collectorTasksPerExecution: StateTransitions.tasks(of: definition, resource: "arn:aws:states:::lambda:invoke")
    )
}

@Suite struct CostTests {
    @Test func seedFigures() throws {
        let seed = try estimate()
        #expect(seed.executions == 240)
        #expect(seed.files == 960)
        #expect(seed.records == 960)
        #expect(seed.transitionsPerExecution == 6)
        #expect(seed.collectorTasksPerExecution == 4)
        #expect(seed.line("Lambda", "requests (data-collector + log-processor)")?.quantity == 1_920)
        #expect(seed.line("Step Functions", "state transitions (6 per execution)")?.quantity == 1_440)
        let athena = try #require(seed.lines.first { $0.service == "Athena" })
        #expect((athena.billedCost * 100).rounded() / 100 == 0.01)
        let email = try #require(seed.line("SNS", "email notifications"))
        #expect(email.quantity == 240)
        #expect(email.billedCost == 0)
        #expect(email.listCost > 0)
        let writes = try #require(seed.line("DynamoDB", "on-demand writes (InfraMetrics records)"))
        #expect(writes.quantity == 960)
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
        #expect(perHost.quantity == 400)
        #expect(fleet.quantity == 4)
        #expect(perHost.billedCost > fleet.billedCost)
        #expect(hundred.dimensions == .fleet)
        #expect(hundred.total > one.total)
    }

    @Test func linesGrowWithFrequency() throws {
        let seed = try estimate()
        let hourly = try estimate { $0.schedule = try ScheduleFrequency("rate(1 hour)") }
        #expect(hourly.executions == 720)
        #expect(hourly.files == 2_880)
        #expect(hourly.line("Step Functions", "state transitions (6 per execution)")!.quantity == 4_320)
        #expect(hourly.line("Step Functions", "state transitions (6 per execution)")!.billedCost > 0)
        #expect(seed.line("Step Functions", "state transitions (6 per execution)")!.billedCost == 0)
        let minutely = try estimate { $0.schedule = try ScheduleFrequency("rate(1 minute)") }
        #expect(minutely.line("SNS", "email notifications")!.billedCost > 0)
        #expect(minutely.total > hourly.total)
        #expect(hourly.total >= seed.total)
    }

    @Test(arguments: [
        (1, MetricDimensions.perHost), (2, .perHost), (3, .fleet), (50, .fleet),
    ])
    func cheaperDimensionsAboveTheStatedHostCount(hosts: Int, expected: MetricDimensions) throws {
        #expect(MetricDimensions.perHostFreeUpTo(seriesPerHost: 4) == 2)
        let result = try estimate { $0.hosts = hosts }
        #expect(result.dimensions == expected)
        let chosen = result.lines.filter { $0.item.hasPrefix("custom metrics") && $0.counted }
        let other = result.lines.filter { $0.item.hasPrefix("custom metrics") && !$0.counted }
        #expect(chosen.count == 1 && other.count == 1)
        #expect(chosen[0].billedCost <= other[0].billedCost)
    }

    @Test func reportNamesThePriceDateAndTheThreshold() throws {
        let text = CostReport.text(try estimate())
        #expect(text.contains(PriceTable.euWest1.date))
        #expect(text.contains("240 executions"))
        #expect(text.contains("per-host is free up to 2 hosts"))
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
