import Foundation
import InfraJSON
import InfraMonitorCore
import InfraMonitorTesting
import Logging
import Pipeline
import Testing

/// The log-processor over in-memory ports.
@Suite struct LogProcessorTests {
    static func fixture(_ name: String, testFile: String = #filePath) throws -> [UInt8] {
        let folder = URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Fixtures")
        return Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    @Test func validLinesAreStoredAndInvalidOnesQuarantinedWithTheirLineNumbers() async throws {
        let memory = InMemoryBackend()
        let key = "raw-metrics/2026/11/25/20261125T180000Z_x_memory_usage.jsonl.gz"
        try await memory.objects.put(try Self.fixture("two-valid-two-invalid.jsonl"), key: key)
        let report = try await LogProcessor(backend: memory.backend).handle(ObjectCreatedEvent(bucket: ObjectKeys.bucket, key: key, size: 0))

        #expect(report.lines == 4)
        #expect(report.invalidLines == 2)
        #expect(report.samples == 2)
        #expect(report.records == 1)
        #expect(report.quarantineKey == "quarantine/2026/11/25/20261125T180000Z_x_memory_usage.jsonl")
        let quarantine = String(decoding: try await memory.objects.get(key: report.quarantineKey!), as: UTF8.self)
        let lines = quarantine.split(separator: "\n").compactMap { try? JSON(parsing: String($0)) }
        #expect(lines.map { $0["line"]?.doubleValue } == [2, 4])
        let records = await memory.table.all
        #expect(records.first?.count == 2)
        #expect(records.first?.mean == 42.5)
        #expect(await memory.publisher.published == records)
        let warning = await memory.logs.events.first
        #expect(warning?.level == .warning)
        #expect(warning?.fields["invalid_lines"] == "2")
    }

    @Test func processingTheSameObjectTwiceLeavesOneCopy() async throws {
        let memory = InMemoryBackend()
        let key = "raw-metrics/2026/11/25/20261125T180000Z_x_memory_usage.jsonl.gz"
        try await memory.objects.put(try Self.fixture("two-valid-two-invalid.jsonl"), key: key)
        let processor = LogProcessor(backend: memory.backend)
        let event = ObjectCreatedEvent(bucket: ObjectKeys.bucket, key: key, size: 0)
        let first = try await processor.handle(event)
        let samples = await memory.samples.all
        let records = await memory.table.all
        let second = try await processor.handle(event)
        #expect(first == second)
        #expect(await memory.samples.all == samples)
        #expect(await memory.table.all == records)
    }
}
