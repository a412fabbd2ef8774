public import InfraJSON

/// Runs a ``StateMachineDefinition`` in process, calling bound handlers for Task states.
///
/// The interpreter never crashes on bad data: path failures, type errors and unbound resources
/// become the States Language's error names (`States.Runtime`, `States.ParameterPathFailure`, …).
public struct Interpreter: Sendable {
    /// The machine to run.
    public let definition: StateMachineDefinition
    /// The Task handlers.
    public let bindings: ResourceBindings
    /// The buckets distributed Map states read items from and write results to; without it an
    /// `ItemReader` fails with `States.ItemReaderFailed` and a `ResultWriter` that exports with
    /// `States.ResultWriterFailed`.
    public let storage: (any BucketStorage)?

    /// Creates an interpreter.
    public init(definition: StateMachineDefinition, bindings: ResourceBindings, storage: (any BucketStorage)? = nil) {
        self.definition = definition
        self.bindings = bindings
        self.storage = storage
    }

    /// Runs one execution to its end.
    /// - Parameters:
    ///   - input: the execution input (`$$.Execution.Input`).
    ///   - options: names, clock and sleeper.
    ///   - onEvent: receives every history event, in id order, before `run` returns.
    public func run(
        input: JSON,
        options: ExecutionOptions,
        onEvent: @escaping @Sendable (HistoryEvent) async -> Void = { _ in }
    ) async -> ExecutionResult {
        let recorder = EventRecorder(now: options.now, onEvent: onEvent)
        let execution = ExecutionRun(bindings: bindings, options: options, recorder: recorder, executionInput: input, storage: storage)
        let started = await recorder.emit(
            "ExecutionStarted",
            previous: 0,
            details: ["input": .string(input.text), "stateMachineArn": .string(options.resolvedStateMachineID)]
        )
        let root = definition.root
        let outcome: BranchOutcome
        if let timeout = definition.timeoutSeconds {
            outcome = await withTaskGroup(of: BranchOutcome?.self) { group in
                group.addTask { await execution.runBranch(root, input: input, previous: started) }
                group.addTask {
                    try? await Task.sleep(nanoseconds: ExecutionOptions.nanoseconds(Double(timeout)))
                    if Task.isCancelled { return nil }
                    return .failed(ExecutionError(StatesErrors.timeout, "The execution ran longer than TimeoutSeconds (\(timeout))"), last: started)
                }
                for await result in group {
                    if let result {
                        group.cancelAll()
                        return result
                    }
                }
                return .cancelled
            }
        } else {
            outcome = await execution.runBranch(root, input: input, previous: started)
        }
        let result: ExecutionResult
        switch outcome {
        case .succeeded(let output, let last):
            await recorder.emit("ExecutionSucceeded", previous: last, details: ["output": .string(output.text)])
            result = .succeeded(output: output)
        case .failed(let error, let last):
            let type = error.error == StatesErrors.timeout && last == started ? "ExecutionTimedOut" : "ExecutionFailed"
            await recorder.emit(type, previous: last, details: ["error": .string(error.error), "cause": .string(error.cause)])
            result = .failed(error: error.error, cause: error.cause)
        case .cancelled:
            await recorder.emit("ExecutionAborted", previous: started, details: [:])
            result = .failed(error: "States.Aborted", cause: "The execution was cancelled")
        }
        await recorder.finish()
        return result
    }
}

/// How a set of states (the machine, a branch, an iteration) ended.
enum BranchOutcome: Sendable {
    case succeeded(JSON, last: Int)
    case failed(ExecutionError, last: Int)
    case cancelled
}

/// What a state did: where to go next, or how the branch ends.
enum Step: Sendable {
    case next(String, JSON)
    case end(JSON)
    case failed(ExecutionError)
    case cancelled
}

/// The id of the last event of one sequential branch of execution; the previous event of the next one.
final class EventCursor {
    var last: Int
    init(_ last: Int) { self.last = last }
}
