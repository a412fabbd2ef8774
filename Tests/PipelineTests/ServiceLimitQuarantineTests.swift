import InfraJSON
import InfraMonitorCore
import InfraMonitorTesting
import Pipeline
import Testing

/// The embedded mode quarantines the same lines the AWS one does (Tests/AWSBackendTests/ServiceLimitTests.swift
/// runs the same batch against moto), so that both store the same records.
@Suite struct ServiceLimitQuarantineTests {
    @Test func valuesAndLabelsTheServicesRefuseAreQuarantinedInTheEmbeddedModeToo() async throws {
        let memory = InMemoryBackend()
        let key = "raw-metrics/2026/11/25/20261125T180000Z_poison_disk_usage.jsonl"
        try await memory.objects.put(try LogProcessorTests.fixture("poison-batch.jsonl"), key: key)
        let report = try await LogProcessor(backend: memory.backend).handle(ObjectCreatedEvent(bucket: ObjectKeys.bucket, key: key, size: 0))

        #expect(report.lines == 6 && report.invalidLines == 3 && report.records == 3 && report.samples == 3)
        let quarantine = String(decoding: try await memory.objects.get(key: report.quarantineKey ?? ""), as: UTF8.self)
        let lines = try quarantine.split(separator: "\n").map { try JSON(parsing: String($0)) }
        #expect(lines.map { $0["line"]?.doubleValue } == [2, 3, 5])
        #expect(
            lines.map { $0["reason"]?.stringValue ?? "" } == [
                "value 1e+130 is beyond DynamoDB's number range (magnitude at most 9.9999999999999999999999999999999999999E+125)",
                "label \"mountpoint\" is not a CloudWatch dimension value: has a non-ASCII character (CloudWatch takes ASCII only)",
                "value 1e-140 is below DynamoDB's smallest nonzero magnitude 1E-130",
            ]
        )
        #expect(
            Set(await memory.table.all.map(\.metricID)) == [
                "disk_usage#web-1#mountpoint=/", "disk_usage#web-1#mountpoint=/var", "disk_usage#web-5#mountpoint=/",
            ]
        )
        #expect(await memory.samples.all.count == 3)
    }
}
