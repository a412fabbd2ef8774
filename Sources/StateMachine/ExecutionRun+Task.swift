import InfraJSON
import Synchronization

/// Thrown inside the timeout race when `TimeoutSeconds` elapses first.
private struct TaskTimedOut: Error {}

/// Thrown inside the timeout race when `HeartbeatSeconds` pass without a heartbeat.
private struct HeartbeatMissed: Error {}

/// The time of a running task's last heartbeat (or of its start), on the monotonic clock.
private final class HeartbeatMonitor: Sendable {
    private let last = Mutex(ContinuousClock.now)

    func beat() { last.withLock { $0 = .now } }

    var lastBeat: ContinuousClock.Instant { last.withLock { $0 } }
}

/// The first of a task's handler, its timeout and its heartbeat watchdog to finish: it resumes
/// the waiting state once and cancels the others.
private final class TaskRace: Sendable {
    private struct State {
        var continuation: CheckedContinuation<JSON, any Error>?
        var outcome: Result<JSON, any Error>?
        var tasks: [Task<Void, any Error>] = []
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<JSON, any Error>) {
        let early = state.withLock { state -> Result<JSON, any Error>? in
            if state.outcome == nil { state.continuation = continuation }
            return state.outcome
        }
        if let early { continuation.resume(with: early) }
    }

    /// Adds a racer; it is cancelled at once when the race is already over.
    func add(_ task: Task<Void, any Error>) {
        let over = state.withLock { state -> Bool in
            state.tasks.append(task)
            return state.outcome != nil
        }
        if over { task.cancel() }
    }

    /// The first call settles the race; later calls are ignored.
    func finish(_ outcome: Result<JSON, any Error>) {
        let settled = state.withLock { state -> (CheckedContinuation<JSON, any Error>?, [Task<Void, any Error>])? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.continuation = nil }
            return (state.continuation, state.tasks)
        }
        guard let (continuation, tasks) = settled else { return }
        for task in tasks { task.cancel() }
        continuation?.resume(with: outcome)
    }
}

/// How long a task may run, and how long it may stay silent; `nil` means no limit.
private struct TaskLimits {
    var timeout: Double?
    var heartbeat: Double?
}

extension ExecutionRun {
    /// `arn:aws:states:::lambda:invoke` → (`lambda`, `invoke`); any other resource → (`""`, resource).
    static func splitResource(_ resource: String) -> (type: String, name: String) {
        let prefix = "arn:aws:states:::"
        guard resource.hasPrefix(prefix) else { return ("", resource) }
        let rest = resource.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { return (String(rest), "") }
        return (String(rest[..<colon]), String(rest[rest.index(after: colon)...]))
    }

    /// One attempt of a Task state: input processing, the handler call and output processing.
    func attemptTask(
        _ state: StateNode,
        _ spec: TaskSpec,
        input: JSON,
        entered: String,
        retryCount: Int,
        cursor: EventCursor,
        variables: [String: JSON]
    ) async throws(ExecutionError) -> StateExit {
        let context = context(state: state.name, entered: entered, retryCount: retryCount)
        let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context, variables: variables)
        let parameters = try state.parameters?.evaluate(input: effective, context: context, variables: variables) ?? effective
        let limits = TaskLimits(
            timeout: try Self.seconds(
                spec.timeoutSeconds,
                spec.timeoutSecondsPath,
                "TimeoutSecondsPath",
                input: effective,
                context: context,
                variables: variables
            ),
            heartbeat: try Self.seconds(
                spec.heartbeatSeconds,
                spec.heartbeatSecondsPath,
                "HeartbeatSecondsPath",
                input: effective,
                context: context,
                variables: variables
            )
        )
        let result = try await runTask(state, spec, parameters: parameters, limits: limits, context: context, retryCount: retryCount, cursor: cursor)
        let selected = try state.resultSelector?.evaluate(input: result, context: context, variables: variables) ?? result
        let assigned = try state.assign?.evaluate(input: selected, context: context, variables: variables) ?? [:]
        let merged = try DataFlow.applyResultPath(state.resultPath, result: selected, to: input)
        return StateExit(
            output: try DataFlow.applyOutputPath(state.outputPath, to: merged, context: context, variables: variables),
            assigned: assigned
        )
    }

    /// One attempt of a JSONata Task state: `Arguments` (default `$states.input`) to the handler, then
    /// `Assign` and `Output` (default `$states.result`) with `$states.result` bound.
    func attemptJSONataTask(
        _ state: StateNode,
        _ spec: TaskSpec,
        input: JSON,
        entered: String,
        retryCount: Int,
        cursor: EventCursor,
        variables: [String: JSON]
    ) async throws(ExecutionError) -> StateExit {
        let context = context(state: state.name, entered: entered, retryCount: retryCount)
        var states: [String: JSON] = ["input": input, "context": context]
        let arguments = try state.arguments?.evaluate(states: .object(states), variables: variables, field: "Arguments") ?? input
        func seconds(_ fixed: Int?, _ query: QueryTemplate?, _ field: String) throws(ExecutionError) -> Double? {
            guard let query else { return fixed.map(Double.init) }
            let value = try query.evaluate(states: .object(states), variables: variables, field: field)
            guard let seconds = value.intValue, seconds > 0 else {
                throw ExecutionError(
                    StatesErrors.queryEvaluationError,
                    "The JSONata expression of the field '\(field)' returned \(value.text), not a positive integer"
                )
            }
            return Double(seconds)
        }
        let limits = TaskLimits(
            timeout: try seconds(spec.timeoutSeconds, spec.timeoutQuery, "TimeoutSeconds"),
            heartbeat: try seconds(spec.heartbeatSeconds, spec.heartbeatQuery, "HeartbeatSeconds")
        )
        let result = try await runTask(state, spec, parameters: arguments, limits: limits, context: context, retryCount: retryCount, cursor: cursor)
        states["result"] = result
        let assigned = try state.assign?.evaluate(states: .object(states), variables: variables) ?? [:]
        let output = try state.output?.evaluate(states: .object(states), variables: variables, field: "Output") ?? result
        return StateExit(output: output, assigned: assigned)
    }

    /// Calls the Task's handler with `parameters` under `limits`, recording the task events; returns its result.
    private func runTask(
        _ state: StateNode,
        _ spec: TaskSpec,
        parameters: JSON,
        limits: TaskLimits,
        context: JSON,
        retryCount: Int,
        cursor: EventCursor
    ) async throws(ExecutionError) -> JSON {
        guard let handler = bindings.handler(for: spec.resource) else {
            throw ExecutionError.runtime("No handler is bound to the resource '\(spec.resource)' of state '\(state.name)'")
        }
        if let timeout = limits.timeout, let heartbeat = limits.heartbeat, heartbeat >= timeout {
            throw ExecutionError.runtime(
                "The heartbeat interval (\(JSON.number(heartbeat).text) s) of state '\(state.name)' must be smaller than its timeout (\(JSON.number(timeout).text) s)"
            )
        }
        let (resourceType, resourceName) = Self.splitResource(spec.resource)
        var scheduled: [String: JSON] = [
            "resourceType": .string(resourceType), "resource": .string(resourceName), "parameters": .string(parameters.text),
        ]
        if let timeout = limits.timeout { scheduled["timeoutInSeconds"] = .number(timeout) }
        if let heartbeat = limits.heartbeat { scheduled["heartbeatInSeconds"] = .number(heartbeat) }
        cursor.last = await recorder.emit("TaskScheduled", previous: cursor.last, state: state.name, details: .object(scheduled))
        let identity: JSON = ["resourceType": .string(resourceType), "resource": .string(resourceName)]
        cursor.last = await recorder.emit("TaskStarted", previous: cursor.last, state: state.name, details: identity)
        let monitor = HeartbeatMonitor()
        let invocation = TaskInvocation(
            resource: spec.resource,
            stateName: state.name,
            input: parameters,
            context: context,
            attempt: retryCount + 1,
            sendHeartbeat: { monitor.beat() }
        )
        switch await invoke(handler, invocation, limits: limits, monitor: monitor) {
        case .success(let result):
            cursor.last = await recorder.emit(
                "TaskSucceeded",
                previous: cursor.last,
                state: state.name,
                details: ["resourceType": .string(resourceType), "resource": .string(resourceName), "output": .string(result.text)]
            )
            return result
        case .failure(let error):
            cursor.last = await recorder.emit(
                [StatesErrors.timeout, StatesErrors.heartbeatTimeout].contains(error.error) ? "TaskTimedOut" : "TaskFailed",
                previous: cursor.last,
                state: state.name,
                details: [
                    "resourceType": .string(resourceType), "resource": .string(resourceName), "error": .string(error.error),
                    "cause": .string(error.cause),
                ]
            )
            throw error
        }
    }

    /// A fixed number of seconds, or the positive integer `path` selects from the effective input.
    private static func seconds(
        _ fixed: Int?,
        _ path: JSONPath?,
        _ field: String,
        input: JSON,
        context: JSON,
        variables: [String: JSON]
    ) throws(ExecutionError) -> Double? {
        guard let path else { return fixed.map(Double.init) }
        guard let seconds = path.select(input: input, context: context, variables: variables)?.intValue, seconds > 0 else {
            throw ExecutionError.runtime("The \(field) '\(path.text)' did not select a positive integer")
        }
        return Double(seconds)
    }

    /// Calls the handler, racing it against the timeout and the heartbeat watchdog when given.
    private func invoke(
        _ handler: @escaping TaskHandler,
        _ invocation: TaskInvocation,
        limits: TaskLimits,
        monitor: HeartbeatMonitor
    ) async -> Result<JSON, ExecutionError> {
        do {
            if limits.timeout == nil, limits.heartbeat == nil { return .success(try await handler(invocation)) }
            // A race the deadline always wins on time: the handler runs in a task of its own that is
            // cancelled, not awaited, when a limit fires, so a handler that does not stop promptly
            // (a command whose escaped child keeps its pipes open) cannot hold the state past it.
            let race = TaskRace()
            let timeout = limits.timeout
            let heartbeat = limits.heartbeat
            let result = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSON, any Error>) in
                    race.start(continuation)
                    race.add(
                        Task {
                            do {
                                race.finish(.success(try await handler(invocation)))
                            } catch {
                                race.finish(.failure(error))
                            }
                        }
                    )
                    if let timeout {
                        race.add(
                            Task {
                                try await Task.sleep(nanoseconds: ExecutionOptions.nanoseconds(timeout))
                                race.finish(.failure(TaskTimedOut()))
                            }
                        )
                    }
                    if let heartbeat {
                        race.add(
                            Task {
                                let interval = Duration.nanoseconds(Int64(ExecutionOptions.nanoseconds(heartbeat)))
                                while true {
                                    try await Task.sleep(until: monitor.lastBeat + interval, clock: .continuous)
                                    guard monitor.lastBeat + interval <= .now else { continue }
                                    // A busy machine may wake the watchdog before a handler whose heartbeat is
                                    // already due: let queued work run once before calling the task silent.
                                    await Task.yield()
                                    if monitor.lastBeat + interval <= .now {
                                        race.finish(.failure(HeartbeatMissed()))
                                        return
                                    }
                                }
                            }
                        )
                    }
                }
            } onCancel: {
                race.finish(.failure(CancellationError()))
            }
            return .success(result)
        } catch let failure as TaskFailure {
            return .failure(ExecutionError(failure.error, failure.cause))
        } catch is TaskTimedOut {
            return .failure(
                ExecutionError(StatesErrors.timeout, "The task did not finish within TimeoutSeconds (\(JSON.number(limits.timeout ?? 0).text))")
            )
        } catch is HeartbeatMissed {
            return .failure(
                ExecutionError(
                    StatesErrors.heartbeatTimeout,
                    "The task sent no heartbeat for HeartbeatSeconds (\(JSON.number(limits.heartbeat ?? 0).text))"
                )
            )
        } catch {
            return .failure(ExecutionError(String(describing: type(of: error)), String(describing: error)))
        }
    }
}
