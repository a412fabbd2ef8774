import InfraJSON

extension ExecutionRun {
    /// Runs one JSONata state (Developer Guide, "Transforming data with JSONata in Step Functions"):
    /// `$states.input` is the state input, `$states.context` the context object; `Output` (default:
    /// the input, or the result for Task, Parallel and Map) is the state output; `Assign` and `Output`
    /// both read the variables as they were when the state was entered.
    func executeJSONata(_ state: StateNode, input: JSON, entered: String, cursor: EventCursor, variables: inout [String: JSON]) async -> Step {
        let context = context(state: state.name, entered: entered, retryCount: 0)
        let scope = variables
        let states: JSON = ["input": input, "context": context]
        do throws(ExecutionError) {
            switch state.kind {
            case .pass:
                let assigned = try state.assign?.evaluate(states: states, variables: scope) ?? [:]
                let output = try state.output?.evaluate(states: states, variables: scope, field: "Output") ?? input
                try VariableLimits.merge(assigned, into: &variables, state: state.name)
                return transition(state, output)
            case .succeed:
                return .end(try state.output?.evaluate(states: states, variables: scope, field: "Output") ?? input)
            case .fail(let spec):
                func text(_ fixed: String?, _ query: QueryTemplate?, _ field: String) throws(ExecutionError) -> String {
                    guard let query else { return fixed ?? "" }
                    let value = try query.evaluate(states: states, variables: scope, field: field)
                    guard let text = value.stringValue else {
                        throw ExecutionError(
                            StatesErrors.queryEvaluationError,
                            "The JSONata expression of the field '\(field)' returned \(value.text), not a string"
                        )
                    }
                    return text
                }
                return .failed(ExecutionError(try text(spec.error, spec.errorQuery, "Error"), try text(spec.cause, spec.causeQuery, "Cause")))
            case .choice(let spec):
                var target = spec.defaultNext
                var matched: ChoiceSpec.Choice?
                for choice in spec.choices {
                    let value = try choice.condition?.evaluate(states: states, variables: scope, field: "Condition") ?? false
                    guard case .bool(let holds) = value else {
                        throw ExecutionError(
                            StatesErrors.queryEvaluationError,
                            "The Condition of a choice rule of state '\(state.name)' returned \(value.text), not a boolean"
                        )
                    }
                    if holds {
                        target = choice.next
                        matched = choice
                        break
                    }
                }
                guard let target else {
                    throw ExecutionError(StatesErrors.noChoiceMatched, "No Choice rule matched and there is no Default in state '\(state.name)'")
                }
                var assigned = try state.assign?.evaluate(states: states, variables: scope) ?? [:]
                if let ruleAssign = matched?.assign {
                    assigned.merge(try ruleAssign.evaluate(states: states, variables: scope)) { _, rule in rule }
                }
                let output = try (matched?.output ?? state.output)?.evaluate(states: states, variables: scope, field: "Output") ?? input
                try VariableLimits.merge(assigned, into: &variables, state: state.name)
                return .next(target, output)
            case .wait(let spec):
                let seconds = try waitSeconds(spec, input: input, context: context, variables: scope, states: states)
                let assigned = try state.assign?.evaluate(states: states, variables: scope) ?? [:]
                let output = try state.output?.evaluate(states: states, variables: scope, field: "Output") ?? input
                do {
                    try await options.sleep(seconds)
                } catch {
                    return .cancelled
                }
                try VariableLimits.merge(assigned, into: &variables, state: state.name)
                return transition(state, output)
            case .task(let spec):
                return await withRetry(state, input: input, variables: &variables) { retryCount throws(ExecutionError) in
                    try await attemptJSONataTask(
                        state,
                        spec,
                        input: input,
                        entered: entered,
                        retryCount: retryCount,
                        cursor: cursor,
                        variables: scope
                    )
                }
            case .parallel(let branches):
                return await withRetry(state, input: input, variables: &variables) { retryCount throws(ExecutionError) in
                    try await attemptJSONataParallel(
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
                        jsonata: true,
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
}
