import Alarms
import InfraJSON
import Testing

@Suite struct DefinitionTests {
    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var name: String
        var json: JSON
        var field: String
        var error: String
        var testDescription: String { name }
    }

    static let base = Fixtures.json("invalid-definitions.json")["base"]!

    static let invalidCases: [InvalidCase] = Fixtures.json("invalid-definitions.json")["cases"]!.arrayValue!.map { entry in
        var members = base.objectValue!
        for (key, value) in entry["set"]?.objectValue ?? [:] { members[key] = value }
        for key in entry["remove"]?.arrayValue ?? [] { members[key.stringValue!] = nil }
        return InvalidCase(
            name: entry["name"]!.stringValue!,
            json: .object(members),
            field: entry["field"]!.stringValue!,
            error: entry["error"]!.stringValue!
        )
    }

    /// Each invalid definition is refused with its message, naming the alarm and the field.
    @Test(arguments: invalidCases)
    func refused(testCase: InvalidCase) {
        #expect {
            _ = try AlarmDefinition(json: testCase.json)
        } throws: { error in
            guard let error = error as? AlarmDefinitionError else { return false }
            #expect(error.description == testCase.error)
            #expect(error.field == testCase.field)
            return true
        }
    }

    @Test func theBaseIsValidAndRoundTrips() throws {
        let parsed = try AlarmDefinition(json: Self.base)
        #expect(parsed.alarmName == "disk-filling")
        #expect(parsed.dimensions == [.init(name: "mountpoint", value: "/")])
        #expect(parsed.statistic == .maximum)
        #expect(parsed.datapointsToAlarm == 2)
        #expect(parsed.json == Self.base)
        #expect(try AlarmDefinition(json: parsed.json) == parsed)
    }

    @Test func defaults() throws {
        let parsed = try AlarmDefinition(json: [
            "AlarmName": "cpu-pinned", "MetricName": "cpu_utilization", "Statistic": "Average", "Period": 3600,
            "EvaluationPeriods": 4, "Threshold": 95, "ComparisonOperator": "GreaterThanThreshold",
        ])
        #expect(parsed.namespace == "InfraMonitoring")
        #expect(parsed.dimensions.isEmpty)
        #expect(parsed.datapointsToAlarm == 4)
        #expect(parsed.treatMissingData == .missing)
        #expect(parsed.evaluationRangePeriods == 6)
    }

    @Test(arguments: [10, 20, 30, 60, 120, 3600, 86_400])
    func validPeriods(period: Int) throws {
        var members = Self.base.objectValue!
        members["Period"] = .number(Double(period))
        members["EvaluationPeriods"] = 1
        members["DatapointsToAlarm"] = 1
        #expect(try AlarmDefinition(json: .object(members)).period == period)
    }

    /// The window limits themselves are allowed: one day under an hour's period, seven days above.
    @Test func windowLimitsAreInclusive() throws {
        var members = Self.base.objectValue!
        members["Period"] = 60
        members["EvaluationPeriods"] = 1440
        #expect(try AlarmDefinition(json: .object(members)).evaluationPeriods == 1440)
        members["Period"] = 3600
        members["EvaluationPeriods"] = 168
        #expect(try AlarmDefinition(json: .object(members)).evaluationPeriods == 168)
    }

    @Test func notAnObject() {
        #expect(throws: AlarmDefinitionError.notAnObject(alarm: "alarms[2]", found: "array")) {
            try AlarmDefinition(json: [1, 2], position: 2)
        }
    }

    @Test func listRefusesRepeatedNames() throws {
        #expect(try AlarmDefinition.list(json: [Self.base]).count == 1)
        #expect(throws: AlarmDefinitionError.duplicateAlarmName(alarm: "disk-filling")) {
            try AlarmDefinition.list(json: [Self.base, Self.base])
        }
        #expect(throws: AlarmDefinitionError.self) { try AlarmDefinition.list(json: ["x"]) }
    }
}
