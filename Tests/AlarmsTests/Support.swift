import Alarms
import Foundation
import InfraJSON
import InfraMonitorCore
import Testing

/// Fixture files under `Tests/AlarmsTests/Fixtures`.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func json(_ name: String) -> JSON {
        let data = try! Data(contentsOf: directory.appendingPathComponent(name))
        return try! JSON(parsing: Array(data))
    }
}

/// One row of a missing-data table: the range in the guide's notation and the state per treatment.
struct TableRow: Sendable, CustomTestStringConvertible {
    var label: String
    var datapointsToAlarm: Int
    var evaluationPeriods: Int
    var notation: String
    /// By `TreatMissingData` raw value: a state, or `retain`.
    var expected: [String: String]

    static func load(_ file: String) -> [TableRow] {
        Fixtures.json(file)["rows"]!.arrayValue!.map { row in
            var expected: [String: String] = [:]
            for treatment in AlarmDefinition.TreatMissingData.allCases {
                expected[treatment.rawValue] = row[treatment.rawValue]!.stringValue!
            }
            let table = row["table"]?.intValue.map { "table \($0)" } ?? "short range"
            return TableRow(
                label: table,
                datapointsToAlarm: row["datapointsToAlarm"]!.intValue!,
                evaluationPeriods: row["evaluationPeriods"]!.intValue!,
                notation: row["datapoints"]!.stringValue!,
                expected: expected
            )
        }
    }

    /// `0` → 10 (within the threshold 90), `X` → 95 (breaching), `-` → missing.
    var datapoints: [Double?] {
        notation.split(separator: " ").map { symbol -> Double? in
            switch symbol {
            case "0": return 10
            case "X": return 95
            default: return nil
            }
        }
    }

    var testDescription: String { "\(label) \(datapointsToAlarm)/\(evaluationPeriods) [\(notation)]" }
}

/// A definition for evaluator tests: Maximum ≥ 90 over 5-minute periods.
func definition(
    m: Int,
    n: Int,
    treatMissingData: AlarmDefinition.TreatMissingData = .missing,
    comparison: AlarmDefinition.ComparisonOperator = .greaterThanOrEqualToThreshold,
    threshold: Double = 90,
    dimensions: [AlarmDefinition.Dimension] = [],
    period: Int = 300,
    statistic: AlarmDefinition.Statistic = .maximum,
    name: String = "test-alarm",
    metric: String = "cpu_utilization"
) -> AlarmDefinition {
    try! AlarmDefinition(
        alarmName: name,
        metricName: metric,
        dimensions: dimensions,
        statistic: statistic,
        period: period,
        evaluationPeriods: n,
        datapointsToAlarm: m,
        threshold: threshold,
        comparisonOperator: comparison,
        treatMissingData: treatMissingData
    )
}

/// A notifier that keeps what it is given.
actor RecordingNotifier: Notifier {
    private(set) var published: [PipelineNotification] = []

    func publish(_ notification: PipelineNotification) async throws {
        published.append(notification)
    }
}

/// 2026-12-01T00:00:00Z plus `hours`.
func time(hours: Int, seconds: Int = 0) -> Timestamp {
    Timestamp(seconds: 1_796_083_200 + Int64(hours) * 3600 + Int64(seconds))
}
