import InfraJSON

/// The state of one running execution shared by all its branches.
struct ExecutionRun: Sendable {
    let bindings: ResourceBindings
    let options: ExecutionOptions
    let recorder: EventRecorder
    let executionObject: JSON
    let stateMachineObject: JSON
    /// The buckets of distributed Map states' `ItemReader` and `ResultWriter`.
    let storage: (any BucketStorage)?
    /// How many Map Runs each distributed Map state of this execution has started (their ids).
    let mapRuns = MapRunCounter()

    init(bindings: ResourceBindings, options: ExecutionOptions, recorder: EventRecorder, executionInput: JSON, storage: (any BucketStorage)? = nil) {
        self.bindings = bindings
        self.options = options
        self.recorder = recorder
        self.storage = storage
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
    ///
    /// `variables` are those of the enclosing scopes: the branch reads them and its own assignments
    /// stay in the branch (the Developer Guide's variables page, "Variable scope").
    func runBranch(_ branch: Branch, input: JSON, previous: Int, variables outer: [String: JSON] = [:]) async -> BranchOutcome {
        var name = branch.startAt
        var value = input
        var variables = outer
        let cursor = EventCursor(previous)
        while true {
            if Task.isCancelled { return .cancelled }
            // Step Functions quotas, "Maximum execution history size: 25,000 events in a single state
            // machine execution history. If the execution history reaches this quota, the execution
            // fails." (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html)
            if let limit = options.historyEventLimit, cursor.last + 1 >= limit {
                return .failed(
                    ExecutionError.runtime(
                        "The execution reached the quota of \(limit) history events before entering state '\(name)'"
                    ),
                    last: cursor.last
                )
            }
            guard let state = branch.states[name] else { return .failed(.runtime("No state named '\(name)'"), last: cursor.last) }
            let entered = options.now()
            cursor.last = await recorder.emit(
                state.eventPrefix + "StateEntered",
                previous: cursor.last,
                state: name,
                details: ["name": .string(name), "input": .string(value.text)]
            )
            let step = await execute(state, input: value, entered: entered, cursor: cursor, variables: &variables)
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

    func transition(_ state: StateNode, _ output: JSON) -> Step {
        if let next = state.next { return .next(next, output) }
        return .end(output)
    }

    /// Runs one state once it has been entered; on success its assignments are merged into `variables`.
    func execute(_ state: StateNode, input: JSON, entered: String, cursor: EventCursor, variables: inout [String: JSON]) async -> Step {
        if state.isJSONata { return await executeJSONata(state, input: input, entered: entered, cursor: cursor, variables: &variables) }
        let context = context(state: state.name, entered: entered, retryCount: 0)
        let scope = variables
        do throws(ExecutionError) {
            switch state.kind {
            case .pass(let result):
                let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context, variables: scope)
                let parameters = try state.parameters?.evaluate(input: effective, context: context, variables: scope) ?? effective
                let value = result ?? parameters
                let assigned = try state.assign?.evaluate(input: value, context: context, variables: scope) ?? [:]
                let merged = try DataFlow.applyResultPath(state.resultPath, result: value, to: input)
                let output = try DataFlow.applyOutputPath(state.outputPath, to: merged, context: context, variables: scope)
                try VariableLimits.merge(assigned, into: &variables, state: state.name)
                return transition(state, output)
            case .succeed:
                let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context, variables: scope)
                return .end(try DataFlow.applyOutputPath(state.outputPath, to: effective, context: context, variables: scope))
            case .fail(let spec):
                return .failed(try failure(spec, input: input, context: context, variables: scope))
            case .choice(let spec):
                let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context, variables: scope)
                var target = spec.defaultNext
                var ruleAssign: Assignment?
                for choice in spec.choices where try choice.rule?.evaluate(input: effective, context: context, variables: scope) ?? false {
                    target = choice.next
                    ruleAssign = choice.assign
                    break
                }
                guard let target else {
                    throw ExecutionError(StatesErrors.noChoiceMatched, "No Choice rule matched and there is no Default in state '\(state.name)'")
                }
                var assigned = try state.assign?.evaluate(input: effective, context: context, variables: scope) ?? [:]
                if let ruleAssign {
                    assigned.merge(try ruleAssign.evaluate(input: effective, context: context, variables: scope)) { _, rule in rule }
                }
                let output = try DataFlow.applyOutputPath(state.outputPath, to: effective, context: context, variables: scope)
                try VariableLimits.merge(assigned, into: &variables, state: state.name)
                return .next(target, output)
            case .wait(let spec):
                let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context, variables: scope)
                let seconds = try waitSeconds(spec, input: effective, context: context, variables: scope)
                let assigned = try state.assign?.evaluate(input: effective, context: context, variables: scope) ?? [:]
                do {
                    try await options.sleep(seconds)
                } catch {
                    return .cancelled
                }
                let output = try DataFlow.applyOutputPath(state.outputPath, to: effective, context: context, variables: scope)
                try VariableLimits.merge(assigned, into: &variables, state: state.name)
                return transition(state, output)
            case .task(let spec):
                return await withRetry(state, input: input, variables: &variables) { retryCount throws(ExecutionError) in
                    try await attemptTask(state, spec, input: input, entered: entered, retryCount: retryCount, cursor: cursor, variables: scope)
                }
            case .parallel(let branches):
                return await withRetry(state, input: input, variables: &variables) { retryCount throws(ExecutionError) in
                    try await attemptParallel(
                        state,
                        branches,
                        input: input,
                        entered: entered,
                        retryCount: retryCount,
                        cursor: cursor,
                        variables: scope
                    )
                }
            case .map(let spec):
                return await withRetry(state, input: input, variables: &variables) { retryCount throws(ExecutionError) in
                    try await attemptMapState(
                        state,
                        spec,
                        jsonata: false,
                        input: input,
                        entered: entered,
                        retryCount: retryCount,
                        cursor: cursor,
                        variables: scope
                    )
                }
            }
        } catch {
            return .failed(error)
        }
    }

    private func failure(_ spec: FailSpec, input: JSON, context: JSON, variables: [String: JSON]) throws(ExecutionError) -> ExecutionError {
        func resolve(_ source: FailSpec.Source?, _ fixed: String?, _ field: String) throws(ExecutionError) -> String {
            switch source {
            case nil:
                return fixed ?? ""
            case .path(let path):
                guard case .string(let text)? = path.select(input: input, context: context, variables: variables) else {
                    throw ExecutionError.runtime("The \(field) '\(path.text)' did not select a string in the input '\(input.text)'")
                }
                return text
            case .intrinsic(let call):
                guard case .string(let text) = try call.evaluate(input: input, context: context, variables: variables) else {
                    throw ExecutionError.runtime("The \(field) intrinsic function \(call.name) did not produce a string")
                }
                return text
            }
        }
        return ExecutionError(try resolve(spec.errorPath, spec.error, "ErrorPath"), try resolve(spec.causePath, spec.cause, "CausePath"))
    }

    /// How long a Wait state waits; `states` is the `$states` of a JSONata state.
    func waitSeconds(_ spec: WaitSpec, input: JSON, context: JSON, variables: [String: JSON], states: JSON = [:]) throws(ExecutionError) -> Double {
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
            guard let seconds = path.select(input: input, context: context, variables: variables)?.doubleValue, seconds >= 0 else {
                throw ExecutionError.runtime("The SecondsPath '\(path.text)' did not select a non-negative number in '\(input.text)'")
            }
            return seconds
        case .timestampPath(let path):
            guard let instant = path.select(input: input, context: context, variables: variables)?.stringValue.flatMap(Timestamps.parse) else {
                throw ExecutionError.runtime("The TimestampPath '\(path.text)' did not select an RFC 3339 timestamp in '\(input.text)'")
            }
            return secondsUntil(instant)
        case .secondsQuery(let query):
            let value = try query.evaluate(states: states, variables: variables, field: "Seconds")
            guard let seconds = value.intValue, seconds >= 0 else {
                throw ExecutionError(
                    StatesErrors.queryEvaluationError,
                    "The JSONata expression of the field 'Seconds' returned \(value.text), not a non-negative integer"
                )
            }
            return Double(seconds)
        case .timestampQuery(let query):
            let value = try query.evaluate(states: states, variables: variables, field: "Timestamp")
            guard let instant = value.stringValue.flatMap(Timestamps.parse) else {
                throw ExecutionError(
                    StatesErrors.queryEvaluationError,
                    "The JSONata expression of the field 'Timestamp' returned \(value.text), not an RFC 3339 timestamp"
                )
            }
            return secondsUntil(instant)
        }
    }

    /// Runs `attempt` under the state's Retry and Catch rules; merges the assignments of the attempt
    /// that succeeded, or of the catcher that handled the error, into `variables`.
    func withRetry(
        _ state: StateNode,
        input: JSON,
        variables: inout [String: JSON],
        attempt: (Int) async throws(ExecutionError) -> StateExit
    ) async -> Step {
        let policy = RetryPolicy(retriers: state.retriers, catchers: state.catchers)
        var counts = Array(repeating: 0, count: state.retriers.count)
        var retryCount = 0
        while true {
            let error: ExecutionError
            do {
                let exit = try await attempt(retryCount)
                try VariableLimits.merge(exit.assigned, into: &variables, state: state.name)
                return transition(state, exit.output)
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
                do throws(ExecutionError) {
                    let context = context(state: state.name, entered: options.now(), retryCount: retryCount)
                    let assigned: [String: JSON]
                    let output: JSON
                    if state.isJSONata {
                        let states: JSON = ["input": input, "context": context, "errorOutput": error.output]
                        assigned = try catcher.assign?.evaluate(states: states, variables: variables) ?? [:]
                        output = try catcher.output?.evaluate(states: states, variables: variables, field: "Output") ?? error.output
                    } else {
                        assigned = try catcher.assign?.evaluate(input: error.output, context: context, variables: variables) ?? [:]
                        output = try DataFlow.applyResultPath(catcher.resultPath, result: error.output, to: input)
                    }
                    try VariableLimits.merge(assigned, into: &variables, state: state.name)
                    return .next(catcher.next, output)
                } catch {
                    return .failed(error)
                }
            case .fail:
                return .failed(error)
            }
        }
    }
}

/// What a Task, Parallel or Map attempt produced: the state output and the variables it assigns.
struct StateExit: Sendable {
    var output: JSON
    var assigned: [String: JSON] = [:]
}
