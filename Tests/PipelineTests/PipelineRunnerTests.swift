import Alarms
import Collectors
import Foundation
import InfraJSON
import InfraMonitorCore
import InfraMonitorTesting
import Logging
import Pipeline
import Testing

/// The composer over in-memory ports: what one execution stores, processes, records and notifies.
@Suite struct PipelineRunnerTests {
    static let host = "web-1"
    static let scheduled = Timestamp.parseRFC3339("2026-11-25T18:00:00Z")!

    static func sample(_ metric: Metric, _ value: Double, labels: [String: String] = [:]) -> Sample {
        Sample(metric: metric.rawValue, host: host, timestamp: scheduled, value: value, unit: metric.unit, labels: labels)
    }

    static let samples: [Metric: [Sample]] = [
        .cpuUtilization: [sample(.cpuUtilization, 12.5)],
        .memoryUsage: [sample(.memoryUsage, 40)],
        .diskUsage: [sample(.diskUsage, 71, labels: ["mountpoint": "/"]), sample(.diskUsage, 5, labels: ["mountpoint": "/boot"])],
        .networkTraffic: [sample(.networkTraffic, 1000, labels: ["device": "eth0", "direction": "rx"])],
    ]

    static func runner(_ memory: InMemoryBackend, collector: any MetricCollector = ScriptedCollector(samples: samples)) throws -> PipelineRunner {
        let definition = try PipelineDefinition(
            path: repositoryFile(PipelineDefinition.relativePath),
            substitutions: PipelineDefinition.localSubstitutions(region: "eu-west-1")
        )
        var runner = PipelineRunner(definition: definition, backend: memory.backend, collector: collector)
        runner.sleep = { _ in }
        return runner
    }

    static func repositoryFile(_ relative: String, testFile: String = #filePath) -> String {
        var folder = URL(fileURLWithPath: testFile).deletingLastPathComponent()
        while folder.path != "/" && !FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent(relative).path
    }

    @Test func oneExecutionStoresProcessesRecordsAndNotifiesOnce() async throws {
        let memory = InMemoryBackend()
        let outcome = try await Self.runner(memory).run(scheduledTime: Self.scheduled, executionID: "exec-1")

        #expect(outcome.summary.status == .succeeded)
        let keys = try await memory.objects.list(prefix: ObjectKeys.rawPrefix)
        #expect(keys == Metric.allCases.map { ObjectKeys.rawBatch(scheduledAt: Self.scheduled, executionID: "exec-1", metric: $0.rawValue) }.sorted())
        #expect(outcome.reports.count == 4)
        #expect(outcome.processingFailures.isEmpty)
        #expect(Set(outcome.reports.map(\.key)) == Set(keys))
        #expect(outcome.samplesPerMetric == ["cpu_utilization": 1, "memory_usage": 1, "disk_usage": 2, "network_traffic": 1])
        #expect(await memory.table.all.count == 5)
        #expect(await memory.samples.all.count == 5)
        #expect(await memory.publisher.published.count == 5)

        let sent = await memory.notifier.sent
        #expect(sent.count == 1)
        #expect(sent.first?.subject == "InfraMonitor: Pipeline Success")
        #expect(sent.first?.message["execution_id"]?.stringValue == "exec-1")
        #expect(sent.first?.message["samples"]?["disk_usage"]?.doubleValue == 2)

        let recorded = try await memory.executions.execution(id: "exec-1")
        #expect(recorded?.status == .succeeded)
        #expect(await memory.executions.input(of: "exec-1") == ["time": "2026-11-25T18:00:00Z"])
        let events = try await memory.executions.events(executionID: "exec-1")
        #expect(events.first?.type == .execution(.started))
        #expect(events.last?.type == .execution(.succeeded))
        #expect(events.filter { $0.type == .step(prefix: "Task", .succeeded) }.count == 6, "the shard plan, 4 collections, the notification")
    }

    @Test func runningTwiceProcessesEachBatchOncePerRun() async throws {
        let memory = InMemoryBackend()
        let runner = try Self.runner(memory)
        let first = try await runner.run(scheduledTime: Self.scheduled, executionID: "a")
        let second = try await runner.run(scheduledTime: Self.scheduled, executionID: "b")
        #expect(first.reports.count == 4)
        #expect(second.reports.count == 4)
        #expect(Set(second.reports.map(\.key)).allSatisfy { $0.contains("_b_") })
        let processed = await memory.logs.events.filter { $0.message == "processed batch" }
        #expect(processed.count == 8)
    }

    @Test func aFailingBranchFailsTheExecutionAndNotifiesTheFailure() async throws {
        let memory = InMemoryBackend()
        let collector = ScriptedCollector(samples: Self.samples, failures: [.networkTraffic: InMemoryFailure("no net/dev")])
        let outcome = try await Self.runner(memory, collector: collector).run(scheduledTime: Self.scheduled, executionID: "f")

        #expect(outcome.summary.status == .failed)
        #expect(outcome.reports.count == 3)
        let sent = await memory.notifier.sent
        #expect(sent.map(\.subject) == ["InfraMonitor: Pipeline Failure"])
        #expect(sent.first?.message["status"]?.stringValue == "FAILED")
        #expect(sent.first?.message["cause"]?.stringValue?.contains("no net/dev") == true)
    }

    @Test func aProcessingFailureIsReturnedAndTheBatchKept() async throws {
        let memory = InMemoryBackend()
        var backend = memory.backend
        backend.table = RefusingTable()
        let definition = try Self.runner(memory).definition
        let runner = PipelineRunner(definition: definition, backend: backend, collector: ScriptedCollector(samples: Self.samples))
        let outcome = try await runner.run(scheduledTime: Self.scheduled, executionID: "p")

        #expect(outcome.summary.status == .succeeded)
        #expect(outcome.processingFailures.count == 4)
        #expect(outcome.processingFailures.allSatisfy { $0.contains("table unavailable") })
        #expect(try await memory.objects.list(prefix: ObjectKeys.rawPrefix).count == 4)
        let errors = await memory.logs.events.filter { $0.level == .error && $0.group == .logProcessor }
        #expect(errors.count == 4)
    }

    @Test func batchesThePreparationRecoveredAreProcessedFirst() async throws {
        let memory = InMemoryBackend()
        let earlier = "raw-metrics/2026/11/24/20261124T150000Z_old_memory_usage.jsonl.gz"
        let line = Self.sample(.memoryUsage, 33).jsonLine + "\n"
        try await memory.objects.put(Array(line.utf8), key: earlier)
        var backend = memory.backend
        backend.prepare = { [ObjectCreatedEvent(bucket: ObjectKeys.bucket, key: earlier, size: line.utf8.count)] }
        let definition = try Self.runner(memory).definition
        let outcome = try await PipelineRunner(definition: definition, backend: backend, collector: ScriptedCollector(samples: Self.samples))
            .run(scheduledTime: Self.scheduled, executionID: "r")

        #expect(outcome.recovered == [earlier])
        #expect(outcome.reports.count == 5)
        #expect(outcome.reports.first?.key == earlier)
    }
}

/// A metric table whose writes fail.
struct RefusingTable: MetricTable {
    func upsert(_ records: [MetricRecord]) async throws { throw InMemoryFailure("table unavailable") }
    func records(metricID: String?, from: Timestamp?, to: Timestamp?, limit: Int?) async throws -> [MetricRecord] { [] }
}

/// What a run repairs of an execution whose process died.
@Suite struct RecoveryTests {
    @Test func anInterruptedExecutionIsAbortedNotifiedAndItsBatchesProcessed() async throws {
        let memory = InMemoryBackend()
        let started = Timestamp.parseRFC3339("2026-11-25T18:00:00Z")!
        try await memory.executions.started(
            ExecutionSummary(id: "dead-1", status: .running, scheduledTime: started, startedAt: started),
            input: ["time": "2026-11-25T18:00:00Z"]
        )
        let key = ObjectKeys.rawBatch(scheduledAt: started, executionID: "dead-1", metric: "memory_usage")
        try await memory.objects.put(Array((PipelineRunnerTests.sample(.memoryUsage, 50).jsonLine + "\n").utf8), key: key)
        try await memory.objects.put(Array("x\n".utf8), key: ObjectKeys.rawBatch(scheduledAt: started, executionID: "alive", metric: "memory_usage"))

        let recovery = try await PipelineRunnerTests.runner(memory).recoverInterrupted()

        #expect(recovery.aborted == ["dead-1"])
        #expect(recovery.reprocessed.count == 1, "only the interrupted execution's batches")
        #expect(await memory.table.all.map(\.source) == [key])
        #expect(try await memory.executions.execution(id: "dead-1")?.status == .aborted)
        let sent = await memory.notifier.sent
        #expect(sent.map(\.subject) == ["InfraMonitor: Pipeline Failure"])
        #expect(sent.first?.message["status"] == "ABORTED")
        #expect(sent.first?.message["execution_id"] == "dead-1")
        #expect(sent.first?.message["error"] == "States.Aborted")

        let again = try await PipelineRunnerTests.runner(memory).recoverInterrupted()
        #expect(again.aborted.isEmpty)
        #expect(await memory.notifier.sent.count == 1, "an abort is notified once")
    }
}

/// The composer's alarm step: evaluated over the records after processing, notified per change.
@Suite struct AlarmStepTests {
    static func record(_ value: Double, at time: Timestamp) -> MetricRecord {
        MetricRecord(
            metricID: "cpu_utilization#web-1",
            timestamp: time,
            metric: "cpu_utilization",
            host: "web-1",
            labels: [:],
            unit: "Percent",
            count: 1,
            sum: value,
            min: value,
            max: value,
            last: value,
            source: "raw-metrics/x"
        )
    }

    @Test func aFlappingSeriesNotifiesOncePerStateChangeAndNeverPerEvaluation() async throws {
        let memory = InMemoryBackend()
        var runner = try PipelineRunnerTests.runner(memory)
        let alarm = try AlarmDefinition(json: [
            "AlarmName": "cpu-pinned", "MetricName": "cpu_utilization", "Statistic": "Maximum", "Period": 60,
            "EvaluationPeriods": 1, "Threshold": 90, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        ])
        runner.alarms = .init(definitions: [alarm], store: InMemoryAlarmStateStore())
        let start = Timestamp(seconds: 1_795_600_800)
        let values: [Double] = [95, 95, 10, 10, 95, 97, 12, 11, 99, 99, 5, 5]
        var changes = 0
        for (index, value) in values.enumerated() {
            let periodStart = start.adding(seconds: Int64(index * 60))
            try await memory.table.upsert([Self.record(value, at: periodStart.adding(seconds: 5))])
            let report = try #require(try await runner.evaluateAlarms(at: periodStart.adding(seconds: 30)))
            changes += report.transitions.count
        }
        #expect(changes == 6, "INSUFFICIENT_DATA → ALARM, then five flips")
        let subjects = await memory.notifier.sent.map(\.subject)
        #expect(subjects.count == 6)
        #expect(subjects.first == "InfraMonitor: ALARM: \"cpu-pinned\" host=web-1")
        #expect(subjects.filter { $0.hasPrefix("InfraMonitor: OK:") }.count == 3)
    }
}
