import Foundation
import InfraMonitorCore
import InfraMonitorTesting
import Pipeline
import Testing

/// A batch's samples, records and processed-object record are stored in one step, and a start
/// processes every stored batch that has no processed-object record (docs/design.md, "Crash consistency").
@Suite struct CrashConsistencyTests {
    static let strayKey = ObjectKeys.rawBatch(
        scheduledAt: PipelineRunnerTests.scheduled,
        executionID: "killed-before-processing",
        metric: Metric.memoryUsage.rawValue
    )

    static func batch() throws -> [UInt8] {
        Array(
            try Data(contentsOf: URL(fileURLWithPath: PipelineRunnerTests.repositoryFile("Tests/PipelineTests/Fixtures/two-valid-two-invalid.jsonl")))
        )
    }

    @Test func everyBatchARunProcessesIsRecordedAsProcessed() async throws {
        let memory = InMemoryBackend()
        _ = try await PipelineRunnerTests.runner(memory).run(scheduledTime: PipelineRunnerTests.scheduled, executionID: "exec-1")
        let keys = try await memory.objects.list(prefix: ObjectKeys.rawPrefix)
        #expect(keys.count == 4)
        #expect(await memory.samples.processed == Set(keys))
        #expect(try await memory.samples.unprocessedBatches(in: memory.objects).isEmpty)
    }

    @Test func aStoredBatchNobodyProcessedIsProcessedAtTheNextStart() async throws {
        let memory = InMemoryBackend()
        let runner = try PipelineRunnerTests.runner(memory)
        _ = try await runner.run(scheduledTime: PipelineRunnerTests.scheduled, executionID: "exec-1")
        try await memory.objects.put(try Self.batch(), key: Self.strayKey)
        #expect(try await memory.samples.unprocessedBatches(in: memory.objects) == [Self.strayKey])

        let recovery = try await runner.recoverInterrupted()
        #expect(recovery.aborted.isEmpty)
        #expect(recovery.unprocessed.count == 1)
        guard case .processed(let report) = recovery.unprocessed.first else {
            Issue.record("expected the stray batch processed, got \(recovery.unprocessed)")
            return
        }
        #expect(report.key == Self.strayKey)
        #expect(report.samples == 2)
        #expect(await memory.samples.bySource[Self.strayKey]?.count == 2)
        #expect(await memory.table.all.contains { $0.source == Self.strayKey })
        #expect(await memory.samples.processed.contains(Self.strayKey))

        let again = try await runner.recoverInterrupted()
        #expect(again.unprocessed.isEmpty, "a processed batch is not processed at every start")
    }

    /// A sample index without a processed-object record (Athena over the raw objects on AWS): the
    /// records are still written, as a separate write, and no batch counts as unprocessed.
    @Test func anIndexWithoutProcessedRecordsKeepsSeparateWrites() async throws {
        let memory = InMemoryBackend()
        let processor = LogProcessor(objects: memory.objects, table: memory.table, index: PassThroughIndex(), logs: memory.logs)
        let report = try await processor.process(BufferByteSource(try Self.batch()), key: Self.strayKey)
        #expect(report.records == 1)
        #expect(await memory.table.all.map(\.source) == [Self.strayKey])
        #expect(try await PassThroughIndex().unprocessedBatches(in: memory.objects).isEmpty)
    }
}

/// Indexes nothing; only the protocol's default batch store.
struct PassThroughIndex: SampleIndex {
    func replaceSamples(source: String, produce: @escaping @Sendable ((Sample) throws -> Void) throws -> Void) async throws {
        try produce { _ in }
    }
}
