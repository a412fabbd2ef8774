import AWSBackend
import InfraJSON
import InfraMonitorCore
import Testing

@Suite struct S3EventNotificationTests {
    static func record(key: String, bucket: String = "infra-monitoring-pipeline-data", name: String = "ObjectCreated:Put") -> JSON {
        [
            "eventSource": "aws:s3", "eventName": .string(name),
            "s3": ["bucket": ["name": .string(bucket)], "object": ["key": .string(key), "size": 120]],
        ]
    }

    @Test func severalRecordsGiveOneEventEachInOrder() throws {
        let event: JSON = [
            "Records": [
                Self.record(key: "raw-metrics/2026/11/25/20261125T180000Z_e1_cpu_utilization.jsonl.gz"),
                Self.record(key: "raw-metrics/2026/11/25/20261125T180000Z_e1_disk_usage.jsonl.gz"),
            ]
        ]
        #expect(
            try S3EventNotification.objectsCreated(in: event) == [
                ObjectCreatedEvent(
                    bucket: "infra-monitoring-pipeline-data",
                    key: "raw-metrics/2026/11/25/20261125T180000Z_e1_cpu_utilization.jsonl.gz",
                    size: 120
                ),
                ObjectCreatedEvent(
                    bucket: "infra-monitoring-pipeline-data",
                    key: "raw-metrics/2026/11/25/20261125T180000Z_e1_disk_usage.jsonl.gz",
                    size: 120
                ),
            ]
        )
    }

    @Test(arguments: [
        ("raw-metrics/a+b.jsonl", "raw-metrics/a b.jsonl"),
        ("raw-metrics/a%2Bb.jsonl", "raw-metrics/a+b.jsonl"),
        ("raw-metrics/caf%C3%A9%3A1.jsonl", "raw-metrics/café:1.jsonl"),
        ("plain/key", "plain/key"),
    ])
    func keysAreURLDecodedWithPlusAsSpace(encoded: String, decoded: String) throws {
        let events = try S3EventNotification.objectsCreated(in: ["Records": [Self.record(key: encoded)]])
        #expect(events.map(\.key) == [decoded])
    }

    @Test func recordsOtherThanObjectCreatedAreSkipped() throws {
        let event: JSON = ["Records": [Self.record(key: "a", name: "ObjectRemoved:Delete"), Self.record(key: "b")]]
        #expect(try S3EventNotification.objectsCreated(in: event).map(\.key) == ["b"])
    }

    @Test(arguments: [
        ["Records": "no"] as JSON,
        [:] as JSON,
        ["Records": [["s3": ["bucket": ["name": "b"]]]]] as JSON,
        ["Records": [Self.record(key: "bad%zz")]] as JSON,
        ["Records": [Self.record(key: "bad%C3")]] as JSON,
    ])
    func malformedEventsAreTypedErrors(event: JSON) {
        #expect(throws: AWSBackendError.self) { try S3EventNotification.objectsCreated(in: event) }
    }
}
