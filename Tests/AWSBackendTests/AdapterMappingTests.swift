import AWSClients
import Foundation
import InfraJSON
import InfraMonitorCore
import Testing

@testable import AWSBackend

@Suite struct AdapterMappingTests {
    static let record = MetricRecord(
        metricID: "disk_usage#web-1#mountpoint=/",
        timestamp: Timestamp.parseRFC3339("2026-11-25T18:00:00.123456Z")!,
        metric: "disk_usage",
        host: "web-1",
        labels: ["mountpoint": "/"],
        unit: "Percent",
        count: 2,
        sum: 83.5,
        min: 41.7,
        max: 41.8,
        last: 41.8,
        source: "raw-metrics/2026/11/25/20261125T180000Z_e1_disk_usage.jsonl.gz"
    )

    @Test func recordBecomesAnItemWithTheContractAttributesAndBack() throws {
        let item = MetricRecordItem.item(Self.record)
        #expect(
            Set(item.keys) == [
                "metric_id", "timestamp", "metric", "host", "labels", "unit", "count", "sum", "min", "max", "mean", "last", "source",
                "expires_at",
            ]
        )
        #expect(item["metric_id"] == ["S": "disk_usage#web-1#mountpoint=/"])
        #expect(item["timestamp"] == ["S": "2026-11-25T18:00:00.123Z"])
        #expect(item["labels"] == ["M": ["mountpoint": ["S": "/"]]])
        #expect(item["count"] == ["N": "2"])
        #expect(item["mean"] == ["N": "41.75"])
        #expect(item["expires_at"] == ["N": .string(String(Self.record.expiresAt))])
        let back = try MetricRecordItem.record(item)
        var expected = Self.record
        expected.timestamp = expected.timestamp.flooredToMilliseconds
        #expect(back == expected)
    }

    @Test func itemWithoutItsKeyIsATypedError() {
        var item = MetricRecordItem.item(Self.record)
        item["metric_id"] = nil
        #expect(throws: AWSBackendError.self) { try MetricRecordItem.record(item) }
    }

    @Test func recordBecomesOneDatumWithHostAndLabelsAsDimensions() {
        let data = CloudWatchMetricPublisher.data([Self.record])
        #expect(data.count == 1)
        #expect(data.first?.name == "disk_usage")
        #expect(data.first?.value == 41.75)
        #expect(data.first?.unit == "Percent")
        #expect(data.first.map { $0.dimensions.map { "\($0.0)=\($0.1)" } } == ["host=web-1", "mountpoint=/"])
        #expect(CloudWatchMetricPublisher.unit("furlongs") == "None")
    }

    @Test func historyEventTakesItsStateNameAndDetailsFromTheEventDetails() throws {
        let event = StepFunctionsPipeline.event(
            [
                "id": 3, "previousEventId": 2, "type": "TaskStateEntered", "timestamp": 1_795_629_600.5,
                "stateEnteredEventDetails": ["name": "CollectCpu", "input": "{}"],
            ]
        )
        #expect(event.id == 3)
        #expect(event.previousID == 2)
        #expect(event.type == .state(kind: "Task", .entered))
        #expect(event.type.name == "TaskStateEntered")
        #expect(event.stateName == "CollectCpu")
        #expect(event.timestamp == "2026-11-25T18:00:00.500Z")
        #expect(event.details == ["name": "CollectCpu", "input": "{}"])
    }

    @Test(arguments: [
        ("SUCCEEDED", ExecutionStatus.succeeded), ("FAILED", .failed), ("TIMED_OUT", .failed), ("ABORTED", .aborted),
        ("RUNNING", .running),
    ])
    func stepFunctionsStatusesMapToExecutionStatuses(name: String, status: ExecutionStatus) {
        #expect(ExecutionStatus(stepFunctions: name) == status)
    }

    @Test func describedExecutionKeepsItsNameScheduleAndTimes() {
        let summary = StepFunctionsPipeline.summary(
            arn: "arn:aws:states:eu-west-1:123456789012:execution:InfraMonitoring-Pipeline-Orch:run-7",
            status: "FAILED",
            input: #"{"time":"2026-11-25T18:00:00Z"}"#,
            output: nil,
            error: "States.TaskFailed",
            cause: "boom",
            startDate: 1_795_629_601,
            stopDate: 1_795_629_603.25
        )
        #expect(summary.id == "run-7")
        #expect(summary.status == .failed)
        #expect(summary.scheduledTime == Timestamp.parseRFC3339("2026-11-25T18:00:00Z"))
        #expect(summary.durationMilliseconds == 2250)
        #expect(summary.error == "States.TaskFailed")
    }
}
