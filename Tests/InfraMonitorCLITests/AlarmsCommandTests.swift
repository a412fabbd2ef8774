import Foundation
import InfraJSON
import TestSupport
import Testing

/// `alarms simulate` (docs/design.md, "Command line" contract): the User Guide's tables through the command line.
@Suite("alarms simulate")
struct AlarmsCommandTests {
    /// The rows of `Tests/AlarmsTests/Fixtures/guide-tables.json`.
    static let rows: [JSON] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("AlarmsTests/Fixtures/guide-tables.json").path
        let data = FileManager.default.contents(atPath: path)!
        return try! JSON(parsing: Array(data))["rows"]!.arrayValue!
    }()

    static func alarmYAML(m: Int, n: Int, treatment: String) -> String {
        """
        AlarmName: disk-filling
        MetricName: disk_usage
        Dimensions: [{Name: mountpoint, Value: /}]
        Statistic: Maximum
        Period: 300
        EvaluationPeriods: \(n)
        DatapointsToAlarm: \(m)
        Threshold: 90
        ComparisonOperator: GreaterThanOrEqualToThreshold
        TreatMissingData: \(treatment)

        """
    }

    static func datapoints(_ notation: String) -> String {
        "[" + notation.split(separator: " ").map { $0 == "0" ? "10" : $0 == "X" ? "95" : "null" }.joined(separator: ",") + "]"
    }

    func simulate(_ file: String, _ datapoints: String, state: String?) async throws -> (state: String, reason: String) {
        var arguments = ["alarms", "simulate", file, "--datapoints", datapoints]
        if let state { arguments += ["--state", state] }
        let result = try await CommandRunner.infraMonitor(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSON(parsing: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(object.objectValue?.keys.sorted() == ["reason", "state"])
        return (object["state"]?.stringValue ?? "", object["reason"]?.stringValue ?? "")
    }

    @Test("every row of both tables, every TreatMissingData, ignore from each prior state", arguments: 0..<11)
    func guideRow(index: Int) async throws {
        let row = Self.rows[index]
        let dir = try Fixtures.temporaryDirectory("alarms-simulate")
        let points = Self.datapoints(row["datapoints"]!.stringValue!)
        for treatment in ["missing", "ignore", "breaching", "notBreaching"] {
            let file = dir + "/\(treatment).yaml"
            let yaml = Self.alarmYAML(m: row["datapointsToAlarm"]!.intValue!, n: row["evaluationPeriods"]!.intValue!, treatment: treatment)
            try yaml.write(toFile: file, atomically: true, encoding: .utf8)
            let expected = row[treatment]!.stringValue!
            for prior in [nil, "OK", "ALARM", "INSUFFICIENT_DATA"] where treatment == "ignore" || prior == nil {
                let result = try await simulate(file, points, state: prior)
                let want = expected == "retain" ? (prior ?? "INSUFFICIENT_DATA") : expected
                #expect(result.state == want, "\(row) \(treatment) from \(prior ?? "default"): \(result.reason)")
            }
        }
    }

    @Test("a JSON alarm file, and datapoints dated by --newest-period-start")
    func jsonFileAndDates() async throws {
        let dir = try Fixtures.temporaryDirectory("alarms-simulate")
        let file = dir + "/alarm.json"
        try
            #"{"AlarmName":"disk-filling","MetricName":"disk_usage","Statistic":"Maximum","Period":10800,"EvaluationPeriods":3,"DatapointsToAlarm":2,"Threshold":90,"ComparisonOperator":"GreaterThanOrEqualToThreshold"}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.infraMonitor([
            "alarms", "simulate", file, "--datapoints", "[91.0, 85.0, 93.1]", "--state", "OK",
            "--newest-period-start", "2026-12-01T03:00:00Z",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSON(parsing: result.stdout)
        #expect(object["state"] == "ALARM")
        #expect(
            object["reason"]
                == "Threshold Crossed: 2 out of the last 3 datapoints [93.1 (01/12/26 03:00:00), 91.0 (30/11/26 21:00:00)] were greater than or equal to the threshold (90.0) (minimum 2 datapoints for OK -> ALARM transition)."
        )
    }

    @Test("an invalid alarm exits 2 with the reason on stderr")
    func invalidAlarm() async throws {
        let dir = try Fixtures.temporaryDirectory("alarms-simulate")
        let file = dir + "/bad.yaml"
        try Self.alarmYAML(m: 2, n: 3, treatment: "missing").replacingOccurrences(of: "Period: 300", with: "Period: 45")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.infraMonitor(["alarms", "simulate", file, "--datapoints", "[1]"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("alarm \"disk-filling\": Period must be 10, 20, 30 or a multiple of 60 seconds, not 45"), "\(result.stderr)")
    }

    @Test(
        "bad datapoints, states and files exit 2",
        arguments: [
            (["--datapoints", "[1, \"x\"]"], "--datapoints[1] must be a number or null"),
            (["--datapoints", "{}"], "--datapoints must be a JSON array"),
            (["--datapoints", "[1"], "--datapoints is not valid JSON"),
            (["--datapoints", "[1]", "--state", "PENDING"], "--state must be OK, ALARM or INSUFFICIENT_DATA"),
        ]
    )
    func badInput(arguments: [String], message: String) async throws {
        let dir = try Fixtures.temporaryDirectory("alarms-simulate")
        let file = dir + "/alarm.yaml"
        try Self.alarmYAML(m: 1, n: 1, treatment: "missing").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.infraMonitor(["alarms", "simulate", file] + arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        let missing = try await CommandRunner.infraMonitor(["alarms", "simulate", dir + "/nope.yaml", "--datapoints", "[1]"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read"), "\(missing.stderr)")
    }
}
