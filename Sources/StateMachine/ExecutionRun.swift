import InfraJSON

/// The state of one running execution shared by all its branches.
struct ExecutionRun: Sendable {
    let bindings: ResourceBindings
    let options: ExecutionOptions
    let recorder: EventRecorder
    let executionObject: JSON
    let stateMachineObject: JSON

    init(bindings: ResourceBindings, options: ExecutionOptions, recorder: EventRecorder, executionInput: JSON) {
        self.bindings = bindings
        self.options = options
        self.recorder = recorder
        self.executionObject = [
            "Id": .string(options.resolvedExecutionID), "Input": executionInput, "Name": .string(options.executionName),
            "StartTime": .string(options.startTime),
        ]
        self.stateMachineObject = ["Id": .string(options.resolvedStateMachineID), "Name": .string(options.stateMachineName)]
    }

    /// The context object (`$$`) for a state.
    func context(state: String, entered: String, retryCount: Int, mapItem: JSON? = nil) -> JSON {
        var members: [String: JSON] = [
            "Execution": executionObject,
            "State": ["EnteredTime": .string(entered), "Name": .string(state), "RetryCount": .number(Double(retryCount))],
            "StateMachine": stateMachineObject,
        ]
        if let mapItem { members["Map"] = ["Item": mapItem] }
        return .object(members)
    }

    /// Runs states from `branch.startAt` until a terminal state, a failure or cancellation.
    func runBranch(_ branch: Branch, input: JSON, previous: Int) async -> BranchOutcome {
        var name = branch.startAt
        var value = input
        let cursor = EventCursor(previous)
        while true {
            if Task.isCancelled { return .cancelled }
            guard let state = branch.states[name] else { return .failed(.runtime("No state named '\(name)'"), last: cursor.last) }
            let entered = options.now()
            cursor.last = await recorder.emit(
                state.eventPrefix + "StateEntered",
                previous: cursor.last,
                state: name,
                details: ["name": .string(name), "input": .string(value.text)]
            )
            let step = await execute(state, input: value, entered: entered, cursor: cursor)
            switch step {
            case .next(let nextName, let output):
                cursor.last = await exited(state, output: output, cursor: cursor)
                name = nextName
                value = output
            case .end(let output):
                cursor.last = await exited(state, output: output, cursor: cursor)
                return .succeeded(output, last: cursor.last)
            case .failed(let error):
                return .failed(error, last: cursor.last)
            case .cancelled:
                return .cancelled
            }
        }
    }

    private func exited(_ state: StateNode, output: JSON, cursor: EventCursor) async -> Int {
        await recorder.emit(
            state.eventPrefix + "StateExited",
            previous: cursor.last,
            state: state.name,
            details: ["name": .string(state.name), "output": .string(output.text)]
        )
    }

    private func transition(_ state: StateNode, _ output: JSON) -> Step {
        if let next = state.next { return .next(next, output) }
        return .end(output)
    }

    /// Runs one state once it has been entered.
    func execute(_ state: StateNode, input: JSON, entered: String, cursor: EventCursor) async -> Step {
        let context = context(state: state.name, entered: entered, retryCount: 0)
        do throws(ExecutionError) {
            switch state.kind {
            case .pass(let result):
                let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context)
                let parameters = try state.parameters?.evaluate(input: effective, context: context) ?? effective
                let value = result ?? parameters
                let merged = try DataFlow.applyResultPath(state.resultPath, result: value, to: input)
                return transition(state, try DataFlow.applyOutputPath(state.outputPath, to: merged, context: context))
            case .succeed:
                let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context)
                return .end(try DataFlow.applyOutputPath(state.outputPath, to: effective, context: context))
            case .fail(let spec):
                return .failed(try failure(spec, input: input, context: context))
            case .choice(let spec):
                let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context)
                var target = spec.defaultNext
                for choice in spec.choices where try choice.rule.evaluate(input: effective, context: context) {
                    target = choice.next
                    break
                }
                guard let target else {
                    throw ExecutionError(StatesErrors.noChoiceMatched, "No Choice rule matched and there is no Default in state '\(state.name)'")
                }
                return .next(target, try DataFlow.applyOutputPath(state.outputPath, to: effective, context: context))
            case .wait(let spec):
                let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context)
                let seconds = try waitSeconds(spec, input: effective, context: context)
                do {
                    try await options.sleep(seconds)
                } catch {
                    return .cancelled
                }
                return transition(state, try DataFlow.applyOutputPath(state.outputPath, to: effective, context: context))
            case .task(let spec):
                return await withRetry(state, input: input) { retryCount throws(ExecutionError) in
                    try await attemptTask(state, spec, input: input, entered: entered, retryCount: retryCount, cursor: cursor)
                }
            case .parallel(let branches):
                return await withRetry(state, input: input) { retryCount throws(ExecutionError) in
                    try await attemptParallel(state, branches, input: input, entered: entered, retryCount: retryCount, cursor: cursor)
                }
            case .map(let spec):
                return await withRetry(state, input: input) { retryCount throws(ExecutionError) in
                    try await attemptMap(state, spec, input: input, entered: entered, retryCount: retryCount, cursor: cursor)
                }
            }
        } catch {
            return .failed(error)
        }
    }

    private func failure(_ spec: FailSpec, input: JSON, context: JSON) throws(ExecutionError) -> ExecutionError {
        func resolve(_ path: JSONPath?, _ fixed: String?, _ field: String) throws(ExecutionError) -> String {
            guard let path else { return fixed ?? "" }
            guard case .string(let text)? = path.select(input: input, context: context) else {
                throw ExecutionError.runtime("The \(field) '\(path.text)' did not select a string in the input '\(input.text)'")
            }
            return text
        }
        return ExecutionError(try resolve(spec.errorPath, spec.error, "ErrorPath"), try resolve(spec.causePath, spec.cause, "CausePath"))
    }

    private func waitSeconds(_ spec: WaitSpec, input: JSON, context: JSON) throws(ExecutionError) -> Double {
        func secondsUntil(_ instant: Timestamps.Instant) -> Double {
            let now = Timestamps.parse(options.now())?.timeInterval ?? instant.timeInterval
            return max(0, instant.timeInterval - now)
        }
        switch spec.duration {
        case .seconds(let seconds):
            return seconds
        case .timestamp(let instant):
            return secondsUntil(instant)
        case .secondsPath(let path):
            guard let seconds = path.select(input: input, context: context)?.doubleValue, seconds >= 0 else {
                throw ExecutionError.runtime("The SecondsPath '\(path.text)' did not select a non-negative number in '\(input.text)'")
            }
            return seconds
        case .timestampPath(let path):
            guard let instant = path.select(input: input, context: context)?.stringValue.flatMap(Timestamps.parse) else {
                throw ExecutionError.runtime("The TimestampPath '\(path.text)' did not select an RFC 3339 timestamp in '\(input.text)'")
            }
            return secondsUntil(instant)
        }
    }

    /// Runs `attempt` under the state's Retry and Catch rules.
    private func withRetry(
        _ state: StateNode,
        input: JSON,
        attempt: (Int) async throws(ExecutionError) -> JSON
    ) async -> Step {
        let policy = RetryPolicy(retriers: state.retriers, catchers: state.catchers)
        var counts = Array(repeating: 0, count: state.retriers.count)
        var retryCount = 0
        while true {
            let error: ExecutionError
            do {
                return transition(state, try await attempt(retryCount))
            } catch let thrown {
                error = thrown
            }
            if Task.isCancelled { return .cancelled }
            switch policy.decide(error: error.error, retriesSoFar: counts) {
            case .retry(let index, let delay):
                counts[index] += 1
                retryCount += 1
                let wait = state.retriers[index].jitter == .full ? Double.random(in: 0...delay) : delay
                do {
                    try await options.sleep(wait)
                } catch {
                    return .cancelled
                }
            case .catch(let index):
                let catcher = state.catchers[index]
                do {
                    return .next(catcher.next, try DataFlow.applyResultPath(catcher.resultPath, result: error.output, to: input))
                } catch {
                    return .failed(error)
                }
            case .fail:
                return .failed(error)
            }
        }
    }
}
