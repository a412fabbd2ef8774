import Alarms
import InfraMonitorCore
import Testing

@Suite struct GuideTableTests {
    static let guideRows = TableRow.load("guide-tables.json")
    static let shortRows = TableRow.load("short-ranges.json")

    static func expectRow(_ row: TableRow, _ treatment: AlarmDefinition.TreatMissingData, _ prior: AlarmState) {
        let alarm = definition(m: row.datapointsToAlarm, n: row.evaluationPeriods, treatMissingData: treatment)
        let result = AlarmEvaluator.evaluate(alarm, datapoints: row.datapoints, priorState: prior)
        let expected = row.expected[treatment.rawValue]!
        let expectedState = expected == "retain" ? prior : AlarmState(rawValue: expected)!
        #expect(result.state == expectedState, "\(row.testDescription) \(treatment.rawValue) from \(prior.rawValue): \(result.reason)")
        #expect(!result.reason.isEmpty)
    }

    /// Every row of both tables of the User Guide, every treatment, from every prior state (the
    /// `ignore` column retains each of them).
    @Test(arguments: guideRows, AlarmState.allCases)
    func guideRowFromEveryPriorState(row: TableRow, prior: AlarmState) {
        for treatment in AlarmDefinition.TreatMissingData.allCases { Self.expectRow(row, treatment, prior) }
    }

    /// M out of N windows longer than the datapoints given.
    @Test(arguments: shortRows, AlarmState.allCases)
    func windowLongerThanTheDatapoints(row: TableRow, prior: AlarmState) {
        for treatment in AlarmDefinition.TreatMissingData.allCases { Self.expectRow(row, treatment, prior) }
    }

    @Test func fixturesHoldBothTables() {
        #expect(Self.guideRows.filter { $0.label == "table 1" }.count == 6)
        #expect(Self.guideRows.filter { $0.label == "table 2" }.count == 5)
    }

    /// The guide's note on the second row: once the non-breaching datapoint leaves the range, an
    /// alarm treating missing data as breaching goes to ALARM.
    @Test func secondRowNextEvaluation() {
        let alarm = definition(m: 3, n: 3, treatMissingData: .breaching)
        #expect(AlarmEvaluator.evaluate(alarm, datapoints: [10, nil, nil, nil, nil], priorState: .ok).state == .ok)
        #expect(AlarmEvaluator.evaluate(alarm, datapoints: [nil, nil, nil, nil, nil], priorState: .ok).state == .alarm)
    }

    /// "If some data points in the evaluation range are missing, but the number of existing data
    /// points retrieved is equal to or more than the alarm's Evaluation Periods, … the value you
    /// set for how to treat missing data is not needed and is ignored."
    @Test(arguments: AlarmDefinition.TreatMissingData.allCases)
    func enoughRealDatapointsIgnoreTheTreatment(treatment: AlarmDefinition.TreatMissingData) {
        let alarm = definition(m: 2, n: 3, treatMissingData: treatment)
        let result = AlarmEvaluator.evaluate(alarm, datapoints: [95, nil, 95, 10, nil, 10, nil], priorState: .alarm)
        // The most recent existing datapoints are 95, 10, 10: one breaching of the two needed.
        #expect(result.state == .ok)
    }
}

@Suite struct ComparisonTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var comparison: AlarmDefinition.ComparisonOperator
        var value: Double
        var expected: AlarmState
        var testDescription: String { "\(value) \(comparison.rawValue) 90 → \(expected.rawValue)" }
    }

    static let cases: [Case] = [
        Case(comparison: .greaterThanOrEqualToThreshold, value: 90, expected: .alarm),
        Case(comparison: .greaterThanThreshold, value: 90, expected: .ok),
        Case(comparison: .lessThanThreshold, value: 90, expected: .ok),
        Case(comparison: .lessThanOrEqualToThreshold, value: 90, expected: .alarm),
        Case(comparison: .greaterThanOrEqualToThreshold, value: 89.999, expected: .ok),
        Case(comparison: .greaterThanThreshold, value: 90.001, expected: .alarm),
        Case(comparison: .lessThanThreshold, value: 89.999, expected: .alarm),
        Case(comparison: .lessThanOrEqualToThreshold, value: 90.001, expected: .ok),
    ]

    /// Every comparison operator at the threshold itself, and just beside it.
    @Test(arguments: cases)
    func atTheThreshold(testCase: Case) {
        let alarm = definition(m: 1, n: 1, comparison: testCase.comparison)
        let result = AlarmEvaluator.evaluate(alarm, datapoints: [testCase.value], priorState: .insufficientData)
        #expect(result.state == testCase.expected, "\(result.reason)")
        #expect(result.reason.contains("the threshold (90.0)"))
        #expect(result.reason.contains(testCase.comparison.phrase))
    }
}

@Suite struct ReasonTests {
    static let diskFilling = try! AlarmDefinition(
        alarmName: "disk-filling",
        metricName: "disk_usage",
        dimensions: [.init(name: "mountpoint", value: "/")],
        statistic: .maximum,
        period: 10_800,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        threshold: 90,
        comparisonOperator: .greaterThanOrEqualToThreshold
    )

    /// The reason of the example, word for word in CloudWatch's style.
    @Test func thresholdCrossedToAlarm() {
        let result = AlarmEvaluator.evaluate(
            Self.diskFilling,
            datapoints: [91.0, 85.0, 93.1],
            priorState: .ok,
            newestPeriodStart: time(hours: 3)
        )
        #expect(result.state == .alarm)
        #expect(
            result.reason
                == "Threshold Crossed: 2 out of the last 3 datapoints [93.1 (01/12/26 03:00:00), 91.0 (30/11/26 21:00:00)] "
                + "were greater than or equal to the threshold (90.0) (minimum 2 datapoints for OK -> ALARM transition)."
        )
    }

    @Test func thresholdCrossedToOK() {
        let result = AlarmEvaluator.evaluate(
            Self.diskFilling,
            datapoints: [91.0, 85.0, 80.5],
            priorState: .alarm,
            newestPeriodStart: time(hours: 3)
        )
        #expect(result.state == .ok)
        #expect(
            result.reason
                == "Threshold Crossed: 2 out of the last 3 datapoints [80.5 (01/12/26 03:00:00), 85.0 (01/12/26 00:00:00)] "
                + "were not greater than or equal to the threshold (90.0) (minimum 2 datapoints for ALARM -> OK transition)."
        )
    }

    @Test func allMissingTreatedAsBreaching() {
        let alarm = definition(m: 3, n: 3, treatMissingData: .breaching)
        let result = AlarmEvaluator.evaluate(alarm, datapoints: [nil, nil, nil, nil, nil], priorState: .ok)
        #expect(
            result.reason
                == "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching] "
                + "(minimum 3 datapoints for OK -> ALARM transition)."
        )
    }

    @Test func allMissingIsInsufficientData() {
        let result = AlarmEvaluator.evaluate(definition(m: 3, n: 3), datapoints: [nil, nil, nil, nil, nil], priorState: .ok)
        #expect(result == AlarmEvaluation(state: .insufficientData, reason: "Insufficient Data: 5 datapoints were unknown."))
    }

    @Test func ignoreSaysTheStateStays() {
        let result = AlarmEvaluator.evaluate(
            definition(m: 3, n: 3, treatMissingData: .ignore),
            datapoints: [nil, nil, nil, nil, 95],
            priorState: .ok
        )
        #expect(result.state == .ok)
        #expect(result.reason == "Unchanged: 4 of the last 5 datapoints were missing and TreatMissingData is ignore; the state stays OK.")
    }

    @Test func undatedWithoutPeriodStart() {
        let result = AlarmEvaluator.evaluate(definition(m: 1, n: 1), datapoints: [1e20], priorState: .ok)
        #expect(result.reason.contains("[1e+20]"))
        let integral = AlarmEvaluator.evaluate(definition(m: 1, n: 1), datapoints: [20_000], priorState: .ok)
        #expect(integral.reason.contains("[20000.0]"))
    }
}
