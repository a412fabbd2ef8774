public import Alarms
public import Collectors
public import InfraJSON
public import InfraMonitorCore
import Logging
import StateMachine

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What processing one stored batch came to.
public enum ProcessingResult: Sendable, Hashable {
    case processed(LogProcessor.Report)
    /// The batch stays in the bucket; `infra-monitor replay` processes it again.
    case failed(key: String, error: String)
}

/// The outcome of one execution, as ``PipelineRunner/run(scheduledTime:executionID:)`` returns it.
public struct ExecutionOutcome: Sendable {
    public var summary: ExecutionSummary
    /// Samples per metric the data-collector stored.
    public var samplesPerMetric: [String: Int]
    /// Every stored batch's processing, in the order the batches were stored.
    public var processing: [ProcessingResult]
    /// Targets that could not be collected, per metric.
    public var failedTargets: [String: [TargetFailure]]
    /// Batches an earlier run could not store, stored (and processed) before this execution.
    public var recovered: [String]
    /// The alarm evaluation after processing: every instance's outcome, the transitions notified.
    public var alarms: AlarmRunReport?
    /// Why the alarms could not be evaluated or notified, when that failed (the execution stands).
    public var alarmFailure: String?

    /// The reports of the batches that were processed.
    public var reports: [LogProcessor.Report] {
        processing.compactMap { if case .processed(let report) = $0 { report } else { nil } }
    }

    /// `key: error` for every batch whose processing failed.
    public var processingFailures: [String] {
        processing.compactMap { if case .failed(let key, let error) = $0 { "\(key): \(error)" } else { nil } }
    }
}

/// One execution of the pipeline on this machine, top to bottom (docs/design.md, "Architecture"):
///
/// 1. the backend's `prepare` stores what an earlier run could not (the spool) and those batches are processed;
/// 2. the execution is recorded as started;
/// 3. the state-machine definition — the same file Step Functions runs — is interpreted in process,
///    its Task resources bound here: `lambda:invoke` of `data-collector` runs the ``DataCollector``,
///    and each batch it stored goes straight to the ``LogProcessor`` (``processStored(_:)``), as S3's
///    event notification sends it to the `log-processor` Lambda; `sns:publish` builds the
///    notification (``NotificationMessage``) and hands it to the backend's notifier;
/// 4. the execution is recorded as finished;
/// 5. the alarms are evaluated over the records the processing wrote (``evaluateAlarms(at:)``), and
///    each state change is notified;
/// 6. the outcome — with every processing report and the alarm outcomes as values — is returned.
public struct PipelineRunner: Sendable {
    public let definition: PipelineDefinition
    public let backend: Backend
    public let collector: DataCollector
    public let processor: LogProcessor
    /// Replaces real sleeping between retries (tests).
    public var sleep: (@Sendable (Double) async throws -> Void)?
    /// The alarms and where their states are kept; nil when none are configured.
    public var alarms: AlarmStage?

    /// The alarms of a pipeline: their definitions and the store of their states and history.
    public struct AlarmStage: Sendable {
        public var engine: AlarmEngine
        public var store: any AlarmStateStore

        public init(definitions: [AlarmDefinition], store: any AlarmStateStore) {
            engine = AlarmEngine(definitions: definitions)
            self.store = store
        }
    }

    public init(definition: PipelineDefinition, backend: Backend, collector: any MetricCollector) {
        self.definition = definition
        self.backend = backend
        self.collector = DataCollector(collector: collector, backend: backend)
        self.processor = LogProcessor(backend: backend)
    }

    /// A new execution id, as Step Functions names executions by default.
    public static func newExecutionID() -> String { UUID().uuidString.lowercased() }

    /// Executes the pipeline once for the schedule tick `scheduledTime`.
    public func run(scheduledTime: Timestamp, executionID: String = newExecutionID()) async throws -> ExecutionOutcome {
        let ledger = ExecutionLedger()
        for event in try await backend.prepare() {
            await ledger.recovered(event.key, await processStored(event))
        }

        let scheduled = Timestamp(seconds: scheduledTime.seconds)
        let started = Timestamp.now()
        let input: JSON = ["time": .string(scheduled.iso8601Seconds)]
        var summary = ExecutionSummary(id: executionID, status: .running, scheduledTime: scheduled, startedAt: started)
        let executions = backend.localExecutions
        try await executions.started(summary, input: input)

        var options = ExecutionOptions(
            executionName: executionID,
            startTime: started.iso8601Milliseconds,
            stateMachineName: PipelineDefinition.stateMachineName
        )
        if let sleep { options.sleep = sleep }
        let interpreter = Interpreter(definition: definition.definition, bindings: bindings(ledger))
        let logs = backend.logs
        let result = await interpreter.run(input: input, options: options) { event in
            do {
                try await executions.append(ExecutionEvent(history: event), executionID: executionID)
            } catch {
                await logs.log(.dataCollector, level: .error, message: "cannot record history event", fields: ["error": "\(error)"])
            }
        }
        summary.finishedAt = .now()
        switch result {
        case .succeeded(let output):
            summary.status = .succeeded
            summary.output = output
        case .failed(let error, let cause):
            summary.status = .failed
            summary.error = error
            summary.cause = cause
        }
        try await executions.finished(summary)
        var outcome = await ledger.outcome(summary)
        do {
            outcome.alarms = try await evaluateAlarms(at: .now())
        } catch {
            outcome.alarmFailure = "\(error)"
            await logs.log(.logProcessor, level: .error, message: "alarm evaluation failed", fields: ["error": "\(error)"])
        }
        return outcome
    }

    /// Evaluates every alarm over the records in its evaluation range (the records hold each
    /// batch's count, sum, minimum and maximum, so every statistic is exact), stores the states
    /// and history, and notifies each state change — once, never per evaluation.
    /// - Returns: nil when no alarm is configured.
    public func evaluateAlarms(at time: Timestamp) async throws -> AlarmRunReport? {
        guard let alarms, let span = AlarmObservations.span(of: alarms.engine.definitions, at: time) else { return nil }
        let records = try await backend.table.records(metricID: nil, from: span.start, to: span.end, limit: nil)
        return try await alarms.engine.run(AlarmObservations(records: records), at: time, store: alarms.store, notifier: backend.notifier)
    }

    /// What ``recoverInterrupted(now:)`` repaired.
    public struct Recovery: Sendable, Hashable {
        /// Executions a dead process left RUNNING, now ABORTED (each notified as a failure).
        public var aborted: [String]
        /// Their stored batches, processed again.
        public var reprocessed: [ProcessingResult]
        /// Batches stored by any earlier process but never processed (no processed-object record).
        public var unprocessed: [ProcessingResult] = []
    }

    /// Repairs what an interrupted execution left: marks it ABORTED, sends its failure
    /// notification (an alert is never lost because the process running it died), and processes
    /// again every batch it stored, so that its records and samples are complete; then processes
    /// every stored batch the sample index has no processed-object record of (stored, then the
    /// process died before its processing committed). Call with the data directory's run lock
    /// held, before a new execution.
    public func recoverInterrupted(now: Timestamp = .now()) async throws -> Recovery {
        let aborted = try await backend.localExecutions.abortInterrupted(now: now)
        var reprocessed: [ProcessingResult] = []
        var recovery = Recovery(aborted: aborted, reprocessed: [])
        if !aborted.isEmpty {
            for key in try await backend.objects.list(prefix: ObjectKeys.rawPrefix)
            where aborted.contains(ObjectKeys.parseRawBatch(key)?.executionID ?? "") {
                reprocessed.append(await processStored(ObjectCreatedEvent(bucket: backend.objects.bucket, key: key, size: 0)))
            }
            recovery.reprocessed = reprocessed
        }
        for key in try await backend.samples.unprocessedBatches(in: backend.objects) {
            recovery.unprocessed.append(await processStored(ObjectCreatedEvent(bucket: backend.objects.bucket, key: key, size: 0)))
        }
        for id in aborted {
            let execution = try await backend.localExecutions.execution(id: id)
            let notification = NotificationMessage.build(
                parameters: [
                    "Message": [
                        "execution_id": .string(id), "status": "ABORTED",
                        "started_at": .string((execution?.startedAt ?? now).iso8601Milliseconds),
                        "error": .string(execution?.error ?? "States.Aborted"),
                        "cause": .string(execution?.cause ?? "the process running this execution stopped before it finished"),
                    ]
                ],
                finishedAt: now,
                collected: [:]
            )
            do {
                try await backend.notifier.publish(notification)
            } catch {
                await backend.logs.log(
                    .dataCollector,
                    level: .error,
                    message: "cannot notify the interrupted execution",
                    fields: ["execution_id": id, "error": "\(error)"]
                )
            }
        }
        return recovery
    }

    /// Invokes the data-collector with a branch payload and processes the batch it stored.
    public func invokeDataCollector(payload: JSON) async throws -> (DataCollector.Result, ProcessingResult) {
        let result = try await collector.handle(payload: payload)
        let processing = await processStored(ObjectCreatedEvent(bucket: backend.objects.bucket, key: result.key, size: result.bytes))
        return (result, processing)
    }

    /// The local equivalent of the bucket's event notification: processes one stored raw batch. A
    /// failure is logged and returned, never thrown: the batch stays stored for `replay`.
    public func processStored(_ event: ObjectCreatedEvent) async -> ProcessingResult {
        do {
            return .processed(try await processor.handle(event))
        } catch {
            await backend.logs.log(
                .logProcessor,
                level: .error,
                message: "processing failed; the raw batch is kept, `infra-monitor replay` retries it",
                fields: ["key": event.key, "error": "\(error)"]
            )
            return .failed(key: event.key, error: "\(error)")
        }
    }

    /// The Task resources of the definition, bound to in-process handlers.
    func bindings(_ ledger: ExecutionLedger) -> ResourceBindings {
        let runner = self
        let notifier = backend.notifier
        return ResourceBindings([
            "arn:aws:states:::lambda:invoke": { invocation in
                let function = invocation.input["FunctionName"]?.stringValue ?? ""
                guard function.hasSuffix(":function:data-collector") || function == "data-collector" else {
                    throw TaskFailure(error: "Lambda.ResourceNotFoundException", cause: PipelineError.unknownFunction(function).description)
                }
                do {
                    // An invocation that has started runs to its end, as a Lambda invocation does when
                    // Step Functions stops waiting for it (a sibling branch failed): the batch it
                    // collects is stored and processed, not abandoned half-way.
                    let payload = invocation.input["Payload"] ?? .null
                    if DataCollector.isPlan(payload) {
                        return ["ExecutedVersion": "$LATEST", "StatusCode": 200, "Payload": try await runner.collector.plan(payload: payload)]
                    }
                    let invocationTask = Task { try await runner.invokeDataCollector(payload: payload) }
                    let (result, processing) = try await invocationTask.value
                    await ledger.collected(result, processing)
                    return ["ExecutedVersion": "$LATEST", "StatusCode": 200, "Payload": result.payload]
                } catch {
                    throw TaskFailure(error: Self.errorType(error), cause: "\(error)")
                }
            },
            "arn:aws:states:::sns:publish": { invocation in
                let notification = NotificationMessage.build(
                    parameters: invocation.input,
                    finishedAt: .now(),
                    collected: await ledger.samplesPerMetric,
                    failedTargets: await ledger.failedTargets
                )
                do {
                    try await notifier.publish(notification)
                } catch {
                    throw TaskFailure(error: "SNS.InternalErrorException", cause: "\(error)")
                }
                return ["MessageId": .string(UUID().uuidString.lowercased())]
            },
        ])
    }

    /// The error name a Lambda function reports for a thrown Swift error: its type's name.
    static func errorType(_ error: any Error) -> String {
        String(describing: type(of: error))
    }
}

/// What the Task handlers of one execution did, gathered while it runs; one per execution.
actor ExecutionLedger {
    private var collections: [DataCollector.Result] = []
    private var processing: [ProcessingResult] = []
    private var recoveredKeys: [String] = []

    func collected(_ result: DataCollector.Result, _ processed: ProcessingResult) {
        collections.append(result)
        processing.append(processed)
    }

    func recovered(_ key: String, _ processed: ProcessingResult) {
        recoveredKeys.append(key)
        processing.append(processed)
    }

    /// Targets that could not be collected so far, in the order of the branches' results.
    var failedTargets: [TargetFailure] { collections.flatMap(\.failedTargets) }

    /// Samples per metric collected so far.
    var samplesPerMetric: [String: Int] {
        collections.reduce(into: [:]) { $0[$1.metric.rawValue, default: 0] += $1.samples }
    }

    func outcome(_ summary: ExecutionSummary) -> ExecutionOutcome {
        var failed: [String: [TargetFailure]] = [:]
        for result in collections where !result.failedTargets.isEmpty { failed[result.metric.rawValue, default: []] += result.failedTargets }
        return ExecutionOutcome(
            summary: summary,
            samplesPerMetric: samplesPerMetric,
            processing: processing,
            failedTargets: failed,
            recovered: recoveredKeys
        )
    }
}

extension ExecutionEvent {
    /// An interpreter history event as the execution store keeps it.
    init(history event: HistoryEvent) {
        self.init(
            id: event.id,
            previousID: event.previousEventID,
            type: ExecutionEventType(name: event.type),
            timestamp: event.timestamp,
            stateName: event.stateName,
            details: event.details
        )
    }
}
