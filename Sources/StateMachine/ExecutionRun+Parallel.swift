import InfraJSON

extension ExecutionRun {
    /// One attempt of a Parallel state: every branch runs concurrently on the effective input; the
    /// result is the array of branch outputs in branch order. The first branch to fail cancels the
    /// others and the state fails with that branch's error.
    func attemptParallel(
        _ state: StateNode,
        _ branches: [Branch],
        input: JSON,
        entered: String,
        retryCount: Int,
        cursor: EventCursor,
        variables: [String: JSON]
    ) async throws(ExecutionError) -> StateExit {
        let context = context(state: state.name, entered: entered, retryCount: retryCount)
        let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context, variables: variables)
        let branchInput = try state.parameters?.evaluate(input: effective, context: context, variables: variables) ?? effective
        let started = await recorder.emit("ParallelStateStarted", previous: cursor.last, state: state.name)
        cursor.last = started
        let jobs = branches.map { branch in (branch, branchInput) }
        let (outputs, failure, last) = await runConcurrently(jobs, limit: 0, previous: started, variables: variables)
        cursor.last = last
        return try await finishFanOut(
            "Parallel",
            state,
            result: .array(outputs),
            failure: failure,
            input: input,
            context: context,
            cursor: cursor,
            variables: variables
        )
    }

    /// One attempt of a Map state in either query language: a distributed Map runs its items as
    /// child executions (the same in both), an inline one by its language's rules.
    func attemptMapState(
        _ state: StateNode,
        _ spec: MapSpec,
        jsonata: Bool,
        input: JSON,
        entered: String,
        retryCount: Int,
        cursor: EventCursor,
        variables: [String: JSON]
    ) async throws(ExecutionError) -> StateExit {
        if let distributed = spec.distributed {
            return try await attemptDistributedMap(
                state,
                spec,
                distributed,
                input: input,
                entered: entered,
                retryCount: retryCount,
                cursor: cursor,
                variables: variables
            )
        }
        if jsonata {
            return try await attemptJSONataMap(
                state,
                spec,
                input: input,
                entered: entered,
                retryCount: retryCount,
                cursor: cursor,
                variables: variables
            )
        }
        return try await attemptMap(state, spec, input: input, entered: entered, retryCount: retryCount, cursor: cursor, variables: variables)
    }

    /// One attempt of an inline JSONPath Map state: the iterator runs once per item of
    /// `ItemsPath`, at most `MaxConcurrency` at a time (0: no limit); the result is the array of
    /// outputs in item order.
    private func attemptMap(
        _ state: StateNode,
        _ spec: MapSpec,
        input: JSON,
        entered: String,
        retryCount: Int,
        cursor: EventCursor,
        variables: [String: JSON]
    ) async throws(ExecutionError) -> StateExit {
        let context = context(state: state.name, entered: entered, retryCount: retryCount)
        let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context, variables: variables)
        guard case .array(let items)? = spec.itemsPath.select(input: effective, context: context, variables: variables) else {
            throw ExecutionError.runtime("The ItemsPath '\(spec.itemsPath.text)' did not select an array in '\(effective.text)'")
        }
        let tolerance = try spec.tolerance(input: effective, context: context, variables: variables)
        var maxConcurrency = spec.maxConcurrency
        if let path = spec.maxConcurrencyPath {
            guard let value = path.select(input: effective, context: context, variables: variables)?.intValue, value >= 0 else {
                throw ExecutionError.runtime("The MaxConcurrencyPath '\(path.text)' did not select a non-negative integer in '\(effective.text)'")
            }
            maxConcurrency = value
        }
        var jobs: [(Branch, JSON)] = []
        for (index, item) in items.enumerated() {
            let itemContext = self.context(
                state: state.name,
                entered: entered,
                retryCount: retryCount,
                mapItem: ["Index": .number(Double(index)), "Value": item]
            )
            jobs.append((spec.iterator, try spec.itemSelector?.evaluate(input: effective, context: itemContext, variables: variables) ?? item))
        }
        let (outputs, failure) = await runMapIterations(
            state,
            jobs: jobs,
            maxConcurrency: maxConcurrency,
            tolerance: tolerance,
            cursor: cursor,
            variables: variables
        )
        return try await finishFanOut(
            "Map",
            state,
            result: .array(outputs),
            failure: failure,
            input: input,
            context: context,
            cursor: cursor,
            variables: variables
        )
    }

    /// The common end of a Parallel or Map state: records `<kind>StateFailed` and rethrows the
    /// failure, or records `<kind>StateSucceeded` and applies ResultSelector, ResultPath and
    /// OutputPath to the array of outputs.
    func finishFanOut(
        _ kind: String,
        _ state: StateNode,
        result: JSON,
        failure: ExecutionError?,
        input: JSON,
        context: JSON,
        cursor: EventCursor,
        variables: [String: JSON]
    ) async throws(ExecutionError) -> StateExit {
        try await recordFanOut(kind, state, failure: failure, cursor: cursor)
        let selected = try state.resultSelector?.evaluate(input: result, context: context, variables: variables) ?? result
        let assigned = try state.assign?.evaluate(input: selected, context: context, variables: variables) ?? [:]
        let merged = try DataFlow.applyResultPath(state.resultPath, result: selected, to: input)
        return StateExit(
            output: try DataFlow.applyOutputPath(state.outputPath, to: merged, context: context, variables: variables),
            assigned: assigned
        )
    }

    /// Records `<kind>StateFailed` and rethrows the failure, or records `<kind>StateSucceeded`.
    func recordFanOut(_ kind: String, _ state: StateNode, failure: ExecutionError?, cursor: EventCursor) async throws(ExecutionError) {
        if let failure {
            cursor.last = await recorder.emit(
                "\(kind)StateFailed",
                previous: cursor.last,
                state: state.name,
                details: ["error": .string(failure.error), "cause": .string(failure.cause)]
            )
            throw failure
        }
        cursor.last = await recorder.emit("\(kind)StateSucceeded", previous: cursor.last, state: state.name)
    }

    /// One attempt of a JSONata Parallel state: every branch gets `Arguments` (default
    /// `$states.input`); `Assign` and `Output` (default `$states.result`) see the array of outputs.
    func attemptJSONataParallel(
        _ state: StateNode,
        _ branches: [Branch],
        input: JSON,
        entered: String,
        retryCount: Int,
        cursor: EventCursor,
        variables: [String: JSON]
    ) async throws(ExecutionError) -> StateExit {
        let context = context(state: state.name, entered: entered, retryCount: retryCount)
        var states: [String: JSON] = ["input": input, "context": context]
        let branchInput = try state.arguments?.evaluate(states: .object(states), variables: variables, field: "Arguments") ?? input
        let started = await recorder.emit("ParallelStateStarted", previous: cursor.last, state: state.name)
        cursor.last = started
        let (outputs, failure, last) = await runConcurrently(branches.map { ($0, branchInput) }, limit: 0, previous: started, variables: variables)
        cursor.last = last
        try await recordFanOut("Parallel", state, failure: failure, cursor: cursor)
        states["result"] = .array(outputs)
        let assigned = try state.assign?.evaluate(states: .object(states), variables: variables) ?? [:]
        let output = try state.output?.evaluate(states: .object(states), variables: variables, field: "Output") ?? .array(outputs)
        return StateExit(output: output, assigned: assigned)
    }

    /// One attempt of an inline JSONata Map state: `Items` (default `$states.input`) must be an array; each
    /// item goes through `ItemSelector` (with `$states.context.Map.Item`); `Assign` and `Output`
    /// (default `$states.result`) see the array of outputs.
    private func attemptJSONataMap(
        _ state: StateNode,
        _ spec: MapSpec,
        input: JSON,
        entered: String,
        retryCount: Int,
        cursor: EventCursor,
        variables: [String: JSON]
    ) async throws(ExecutionError) -> StateExit {
        let context = context(state: state.name, entered: entered, retryCount: retryCount)
        var states: [String: JSON] = ["input": input, "context": context]
        let itemsValue = try spec.items?.evaluate(states: .object(states), variables: variables, field: "Items") ?? input
        guard case .array(let items) = itemsValue else {
            throw ExecutionError(
                spec.items == nil ? StatesErrors.runtime : StatesErrors.queryEvaluationError,
                "The Map state's items (\(spec.items == nil ? "$states.input" : "Items")) are \(itemsValue.typeName), not an array"
            )
        }
        func integer(_ query: QueryTemplate?, _ field: String) throws(ExecutionError) -> Double? {
            guard let query else { return nil }
            let value = try query.evaluate(states: .object(states), variables: variables, field: field)
            guard let number = value.doubleValue, number >= 0 else {
                throw ExecutionError(
                    StatesErrors.queryEvaluationError,
                    "The JSONata expression of the field '\(field)' returned \(value.text), not a non-negative number"
                )
            }
            return number
        }
        let maxConcurrency = try integer(spec.maxConcurrencyQuery, "MaxConcurrency").map { Int($0) } ?? spec.maxConcurrency
        var tolerance = FailureTolerance(count: spec.toleratedFailureCount, percentage: spec.toleratedFailurePercentage)
        if let count = try integer(spec.toleratedFailureCountQuery, "ToleratedFailureCount") { tolerance.count = Int(count) }
        if let percentage = try integer(spec.toleratedFailurePercentageQuery, "ToleratedFailurePercentage") {
            guard percentage <= 100 else {
                throw ExecutionError(
                    StatesErrors.queryEvaluationError,
                    "ToleratedFailurePercentage must be from 0 to 100, got \(JSON.number(percentage).text)"
                )
            }
            tolerance.percentage = percentage
        }
        var jobs: [(Branch, JSON)] = []
        for (index, item) in items.enumerated() {
            guard let selector = spec.itemSelectorQuery else {
                jobs.append((spec.iterator, item))
                continue
            }
            let itemContext = self.context(
                state: state.name,
                entered: entered,
                retryCount: retryCount,
                mapItem: ["Index": .number(Double(index)), "Value": item]
            )
            let itemStates: JSON = ["input": input, "context": itemContext]
            jobs.append((spec.iterator, try selector.evaluate(states: itemStates, variables: variables, field: "ItemSelector")))
        }
        let (outputs, failure) = await runMapIterations(
            state,
            jobs: jobs,
            maxConcurrency: maxConcurrency,
            tolerance: tolerance,
            cursor: cursor,
            variables: variables
        )
        try await recordFanOut("Map", state, failure: failure, cursor: cursor)
        states["result"] = .array(outputs)
        let assigned = try state.assign?.evaluate(states: .object(states), variables: variables) ?? [:]
        let output = try state.output?.evaluate(states: .object(states), variables: variables, field: "Output") ?? .array(outputs)
        return StateExit(output: output, assigned: assigned)
    }

    /// Records `MapStateStarted` and runs one iteration per job, at most `maxConcurrency` at once
    /// (0: no limit of the state's own) and never more than an inline Map runs; the cursor moves to
    /// the latest event. Shared by the JSONPath and the JSONata Map states.
    private func runMapIterations(
        _ state: StateNode,
        jobs: [(Branch, JSON)],
        maxConcurrency: Int,
        tolerance: FailureTolerance,
        cursor: EventCursor,
        variables: [String: JSON]
    ) async -> (outputs: [JSON], failure: ExecutionError?) {
        let started = await recorder.emit(
            "MapStateStarted",
            previous: cursor.last,
            state: state.name,
            details: ["length": .number(Double(jobs.count))]
        )
        let (outputs, failure, last) = await runConcurrently(
            jobs,
            limit: min(maxConcurrency == 0 ? Self.inlineMapConcurrency : maxConcurrency, Self.inlineMapConcurrency),
            previous: started,
            variables: variables,
            mapState: state.name,
            tolerance: tolerance
        )
        cursor.last = last
        return (outputs, failure)
    }

    /// How many iterations of an inline Map state run at once at most, whatever `MaxConcurrency`
    /// says: Step Functions runs inline Map states with up to 40 concurrent iterations.
    static let inlineMapConcurrency = 40

    /// Runs branches concurrently (at most `limit` at once, 0 for all). Failures count against `tolerance`;
    /// once it is exceeded the remaining branches are cancelled. For a Map state (`mapState` set) every
    /// iteration records `MapIterationStarted` and `MapIterationSucceeded`/`MapIterationFailed`;
    /// `iteration`, when given, runs each job instead (a distributed Map's child executions).
    /// - Returns: the outputs in job order (a failed, tolerated iteration yields its error output), the
    ///   failure that stopped the run, and the id of the latest event.
    func runConcurrently(
        _ jobs: [(Branch, JSON)],
        limit: Int,
        previous: Int,
        variables: [String: JSON] = [:],
        mapState: String? = nil,
        tolerance: FailureTolerance = FailureTolerance(),
        iteration: (@Sendable (_ index: Int, _ branch: Branch, _ input: JSON) async -> BranchOutcome)? = nil
    ) async -> (outputs: [JSON], failure: ExecutionError?, last: Int) {
        await withTaskGroup(of: (Int, BranchOutcome).self) { group in
            var outputs = [JSON?](repeating: nil, count: jobs.count)
            var failure: ExecutionError?
            var failures = 0
            var last = previous
            var nextJob = 0
            let width = limit > 0 ? limit : jobs.count
            func launch() {
                guard nextJob < jobs.count, failure == nil else { return }
                let index = nextJob
                let (branch, input) = jobs[index]
                nextJob += 1
                group.addTask {
                    if let iteration { return (index, await iteration(index, branch, input)) }
                    guard let mapState else { return (index, await runBranch(branch, input: input, previous: previous, variables: variables)) }
                    let identity: JSON = ["name": .string(mapState), "index": .number(Double(index))]
                    let started = await recorder.emit("MapIterationStarted", previous: previous, state: mapState, details: identity)
                    let outcome = await runBranch(branch, input: input, previous: started, variables: variables)
                    switch outcome {
                    case .succeeded(let output, let branchLast):
                        let id = await recorder.emit("MapIterationSucceeded", previous: branchLast, state: mapState, details: identity)
                        return (index, .succeeded(output, last: id))
                    case .failed(let error, let branchLast):
                        let id = await recorder.emit("MapIterationFailed", previous: branchLast, state: mapState, details: identity)
                        return (index, .failed(error, last: id))
                    case .cancelled:
                        await recorder.emit("MapIterationAborted", previous: started, state: mapState, details: identity)
                        return (index, .cancelled)
                    }
                }
            }
            for _ in 0..<width { launch() }
            for await (index, outcome) in group {
                switch outcome {
                case .succeeded(let output, let branchLast):
                    outputs[index] = output
                    last = max(last, branchLast)
                    launch()
                case .failed(let error, let branchLast):
                    last = max(last, branchLast)
                    failures += 1
                    outputs[index] = error.output
                    if failure == nil, tolerance.isExceeded(failures: failures, total: jobs.count) {
                        failure =
                            tolerance.isSet
                            ? ExecutionError(StatesErrors.exceedToleratedFailureThreshold, tolerance.cause(failures, jobs.count)) : error
                        group.cancelAll()
                    } else {
                        launch()
                    }
                case .cancelled:
                    break
                }
            }
            if failure == nil, outputs.contains(where: { $0 == nil }) {
                failure = ExecutionError(StatesErrors.branchFailed, "A branch was cancelled before it finished")
            }
            return (outputs.map { $0 ?? .null }, failure, last)
        }
    }
}

/// How many failed Map iterations a Map state tolerates (`ToleratedFailureCount`, `ToleratedFailurePercentage`).
/// With neither set, the first failure fails the state with that iteration's error.
struct FailureTolerance: Sendable {
    var count: Int?
    var percentage: Double?

    var isSet: Bool { count != nil || percentage != nil }

    /// Whether `failures` of `total` iterations exceed either threshold.
    func isExceeded(failures: Int, total: Int) -> Bool {
        guard isSet else { return failures > 0 }
        if let count, failures > count { return true }
        if let percentage, total > 0, Double(failures) * 100 / Double(total) > percentage { return true }
        return false
    }

    func cause(_ failures: Int, _ total: Int) -> String {
        let limits = [count.map { "ToleratedFailureCount \($0)" }, percentage.map { "ToleratedFailurePercentage \(JSON.number($0).text)" }]
        return "\(failures) of \(total) iterations failed, more than \(limits.compactMap { $0 }.joined(separator: " / ")) allows"
    }
}
