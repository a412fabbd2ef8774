import InfraJSON

/// Thrown inside the timeout race when `TimeoutSeconds` elapses first.
private struct TaskTimedOut: Error {}

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
        cursor: EventCursor
    ) async throws(ExecutionError) -> JSON {
        let context = context(state: state.name, entered: entered, retryCount: retryCount)
        let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context)
        let parameters = try state.parameters?.evaluate(input: effective, context: context) ?? effective
        guard let handler = bindings.handler(for: spec.resource) else {
            throw ExecutionError.runtime("No handler is bound to the resource '\(spec.resource)' of state '\(state.name)'")
        }
        var timeout = spec.timeoutSeconds.map(Double.init)
        if let path = spec.timeoutSecondsPath {
            guard let seconds = path.select(input: effective, context: context)?.intValue, seconds > 0 else {
                throw ExecutionError.runtime("The TimeoutSecondsPath '\(path.text)' did not select a positive integer")
            }
            timeout = Double(seconds)
        }
        let (resourceType, resourceName) = Self.splitResource(spec.resource)
        var scheduled: [String: JSON] = [
            "resourceType": .string(resourceType), "resource": .string(resourceName), "parameters": .string(parameters.text),
        ]
        if let timeout { scheduled["timeoutInSeconds"] = .number(timeout) }
        cursor.last = await recorder.emit("TaskScheduled", previous: cursor.last, state: state.name, details: .object(scheduled))
        let identity: JSON = ["resourceType": .string(resourceType), "resource": .string(resourceName)]
        cursor.last = await recorder.emit("TaskStarted", previous: cursor.last, state: state.name, details: identity)
        let invocation = TaskInvocation(resource: spec.resource, stateName: state.name, input: parameters, context: context, attempt: retryCount + 1)
        switch await invoke(handler, invocation, timeout: timeout) {
        case .success(let result):
            cursor.last = await recorder.emit(
                "TaskSucceeded",
                previous: cursor.last,
                state: state.name,
                details: ["resourceType": .string(resourceType), "resource": .string(resourceName), "output": .string(result.text)]
            )
            let selected = try state.resultSelector?.evaluate(input: result, context: context) ?? result
            let merged = try DataFlow.applyResultPath(state.resultPath, result: selected, to: input)
            return try DataFlow.applyOutputPath(state.outputPath, to: merged, context: context)
        case .failure(let error):
            cursor.last = await recorder.emit(
                error.error == StatesErrors.timeout ? "TaskTimedOut" : "TaskFailed",
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

    /// Calls the handler, racing it against `timeout` seconds when given.
    private func invoke(_ handler: @escaping TaskHandler, _ invocation: TaskInvocation, timeout: Double?) async -> Result<JSON, ExecutionError> {
        do {
            guard let timeout else { return .success(try await handler(invocation)) }
            let result = try await withThrowingTaskGroup(of: JSON.self) { group in
                group.addTask { try await handler(invocation) }
                group.addTask {
                    try await Task.sleep(nanoseconds: ExecutionOptions.nanoseconds(timeout))
                    throw TaskTimedOut()
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { throw TaskTimedOut() }
                return first
            }
            return .success(result)
        } catch let failure as TaskFailure {
            return .failure(ExecutionError(failure.error, failure.cause))
        } catch is TaskTimedOut {
            return .failure(ExecutionError(StatesErrors.timeout, "The task did not finish within TimeoutSeconds (\(JSON.number(timeout ?? 0).text))"))
        } catch {
            return .failure(ExecutionError(String(describing: type(of: error)), String(describing: error)))
        }
    }
}
