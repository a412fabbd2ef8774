import Foundation
import InfraJSON
import InfraMonitorCore
import StateMachine

/// What one pipeline execution collected and processed, gathered while it runs.
public actor ExecutionActivity {
    public private(set) var collections: [DataCollector.Result] = []
    public private(set) var processing: [LogProcessor.Report] = []
    public private(set) var processingFailures: [String] = []

    public init() {}

    func collected(_ result: DataCollector.Result) { collections.append(result) }
    /// Records what the log-processor did with one object.
    public func processed(_ report: LogProcessor.Report) { processing.append(report) }
    /// Records a processing failure (the raw batch is kept; `replay` processes it again).
    public func processingFailed(key: String, error: String) { processingFailures.append("\(key): \(error)") }

    /// Samples per metric collected so far.
    public var samplesPerMetric: [String: Int] {
        collections.reduce(into: [:]) { $0[$1.metric.rawValue, default: 0] += $1.samples }
    }
}

/// The outcome of one execution.
public struct ExecutionOutcome: Sendable {
    public var summary: ExecutionSummary
    public var samplesPerMetric: [String: Int]
    public var processing: [LogProcessor.Report]
    public var processingFailures: [String]
}

/// Runs the pipeline's state machine once with the in-process interpreter, binding its Task
/// resources to the data-collector and the notifier, and records the execution and its history.
public struct PipelineRunner: Sendable {
    public let definition: PipelineDefinition
    public let collector: DataCollector
    public let notifier: any Notifier
    public let executions: any ExecutionStore
    public let logs: any LogSink
    public let activity: ExecutionActivity
    /// Replaces real sleeping between retries (tests).
    public var sleep: (@Sendable (Double) async throws -> Void)?

    public init(
        definition: PipelineDefinition,
        collector: DataCollector,
        notifier: any Notifier,
        executions: any ExecutionStore,
        logs: any LogSink,
        activity: ExecutionActivity
    ) {
        self.definition = definition
        self.collector = collector
        self.notifier = notifier
        self.executions = executions
        self.logs = logs
        self.activity = activity
    }

    /// A new execution id, as Step Functions names executions by default.
    public static func newExecutionID() -> String { UUID().uuidString.lowercased() }

    /// Executes the pipeline once for the schedule tick `scheduledTime`.
    public func run(scheduledTime: Timestamp, executionID: String = newExecutionID()) async throws -> ExecutionOutcome {
        let scheduled = Timestamp(seconds: scheduledTime.seconds)
        let started = Timestamp.now()
        let input: JSON = ["time": .string(Self.secondsText(scheduled))]
        var summary = ExecutionSummary(id: executionID, status: .running, scheduledTime: scheduled, startedAt: started)
        try await executions.started(summary, input: input.text)

        var options = ExecutionOptions(
            executionName: executionID,
            startTime: started.iso8601Milliseconds,
            stateMachineName: PipelineDefinition.stateMachineName
        )
        if let sleep { options.sleep = sleep }
        let interpreter = Interpreter(definition: definition.definition, bindings: bindings())
        let store = executions
        let logs = logs
        let result = await interpreter.run(input: input, options: options) { event in
            do {
                try await store.append(
                    ExecutionEvent(
                        id: event.id,
                        previousID: event.previousEventID,
                        type: event.type,
                        timestamp: event.timestamp,
                        stateName: event.stateName,
                        details: event.details.text
                    ),
                    executionID: executionID
                )
            } catch {
                await logs.log(.dataCollector, level: "error", message: "cannot record history event", fields: ["error": "\(error)"])
            }
        }
        summary.finishedAt = .now()
        switch result {
        case .succeeded(let output):
            summary.status = .succeeded
            summary.output = output.text
        case .failed(let error, let cause):
            summary.status = .failed
            summary.error = error
            summary.cause = cause
        }
        try await executions.finished(summary)
        return ExecutionOutcome(
            summary: summary,
            samplesPerMetric: await activity.samplesPerMetric,
            processing: await activity.processing,
            processingFailures: await activity.processingFailures
        )
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, as EventBridge writes the `time` of a scheduled event.
    static func secondsText(_ time: Timestamp) -> String {
        String(time.iso8601Milliseconds.dropLast(5)) + "Z"
    }

    /// The Task resources of the definition, bound to in-process handlers.
    func bindings() -> ResourceBindings {
        let collector = collector
        let notifier = notifier
        let activity = activity
        return ResourceBindings([
            "arn:aws:states:::lambda:invoke": { invocation in
                let function = invocation.input["FunctionName"]?.stringValue ?? ""
                guard function.hasSuffix(":function:data-collector") || function == "data-collector" else {
                    throw TaskFailure(error: "Lambda.ResourceNotFoundException", cause: PipelineError.unknownFunction(function).description)
                }
                do {
                    let result = try await collector.handle(payload: invocation.input["Payload"] ?? .null)
                    await activity.collected(result)
                    return ["ExecutedVersion": "$LATEST", "StatusCode": 200, "Payload": result.payload]
                } catch {
                    throw TaskFailure(error: Self.errorType(error), cause: "\(error)")
                }
            },
            "arn:aws:states:::sns:publish": { invocation in
                let notification = NotificationMessage.build(
                    parameters: invocation.input,
                    finishedAt: .now(),
                    collected: await activity.samplesPerMetric
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
