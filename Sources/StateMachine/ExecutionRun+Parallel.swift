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
        cursor: EventCursor
    ) async throws(ExecutionError) -> JSON {
        let context = context(state: state.name, entered: entered, retryCount: retryCount)
        let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context)
        let branchInput = try state.parameters?.evaluate(input: effective, context: context) ?? effective
        let started = await recorder.emit("ParallelStateStarted", previous: cursor.last, state: state.name)
        cursor.last = started
        let jobs = branches.map { branch in (branch, branchInput) }
        let (outputs, failure, last) = await runConcurrently(jobs, limit: 0, previous: started)
        cursor.last = last
        if let failure {
            cursor.last = await recorder.emit(
                "ParallelStateFailed",
                previous: cursor.last,
                state: state.name,
                details: ["error": .string(failure.error), "cause": .string(failure.cause)]
            )
            throw failure
        }
        cursor.last = await recorder.emit("ParallelStateSucceeded", previous: cursor.last, state: state.name)
        let result = JSON.array(outputs)
        let selected = try state.resultSelector?.evaluate(input: result, context: context) ?? result
        let merged = try DataFlow.applyResultPath(state.resultPath, result: selected, to: input)
        return try DataFlow.applyOutputPath(state.outputPath, to: merged, context: context)
    }

    /// One attempt of a Map state: the iterator runs once per item of `ItemsPath`, at most
    /// `MaxConcurrency` at a time (0: no limit); the result is the array of outputs in item order.
    func attemptMap(
        _ state: StateNode,
        _ spec: MapSpec,
        input: JSON,
        entered: String,
        retryCount: Int,
        cursor: EventCursor
    ) async throws(ExecutionError) -> JSON {
        let context = context(state: state.name, entered: entered, retryCount: retryCount)
        let effective = try DataFlow.applyInputPath(state.inputPath, to: input, context: context)
        guard case .array(let items)? = spec.itemsPath.select(input: effective, context: context) else {
            throw ExecutionError.runtime("The ItemsPath '\(spec.itemsPath.text)' did not select an array in '\(effective.text)'")
        }
        var jobs: [(Branch, JSON)] = []
        for (index, item) in items.enumerated() {
            let itemContext = self.context(
                state: state.name,
                entered: entered,
                retryCount: retryCount,
                mapItem: ["Index": .number(Double(index)), "Value": item]
            )
            jobs.append((spec.iterator, try spec.itemSelector?.evaluate(input: effective, context: itemContext) ?? item))
        }
        let started = await recorder.emit(
            "MapStateStarted",
            previous: cursor.last,
            state: state.name,
            details: ["length": .number(Double(items.count))]
        )
        let (outputs, failure, last) = await runConcurrently(jobs, limit: spec.maxConcurrency, previous: started)
        cursor.last = last
        if let failure {
            cursor.last = await recorder.emit(
                "MapStateFailed",
                previous: cursor.last,
                state: state.name,
                details: ["error": .string(failure.error), "cause": .string(failure.cause)]
            )
            throw failure
        }
        cursor.last = await recorder.emit("MapStateSucceeded", previous: cursor.last, state: state.name)
        let result = JSON.array(outputs)
        let selected = try state.resultSelector?.evaluate(input: result, context: context) ?? result
        let merged = try DataFlow.applyResultPath(state.resultPath, result: selected, to: input)
        return try DataFlow.applyOutputPath(state.outputPath, to: merged, context: context)
    }

    /// Runs branches concurrently (at most `limit` at once, 0 for all), stopping the rest at the first failure.
    /// - Returns: the outputs in job order, the first failure, and the id of the latest event.
    private func runConcurrently(
        _ jobs: [(Branch, JSON)],
        limit: Int,
        previous: Int
    ) async -> (outputs: [JSON], failure: ExecutionError?, last: Int) {
        await withTaskGroup(of: (Int, BranchOutcome).self) { group in
            var outputs = [JSON?](repeating: nil, count: jobs.count)
            var failure: ExecutionError?
            var last = previous
            var nextJob = 0
            let width = limit > 0 ? limit : jobs.count
            func launch() {
                guard nextJob < jobs.count, failure == nil else { return }
                let index = nextJob
                let (branch, input) = jobs[index]
                nextJob += 1
                group.addTask { (index, await runBranch(branch, input: input, previous: previous)) }
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
                    if failure == nil {
                        failure = error
                        group.cancelAll()
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
