import InfraJSON

/// One state of a compiled definition.
struct StateNode: Sendable {
    enum Kind: Sendable {
        case task(TaskSpec)
        case pass(result: JSON?)
        case succeed
        case fail(FailSpec)
        case choice(ChoiceSpec)
        case wait(WaitSpec)
        case parallel(branches: [Branch])
        case map(MapSpec)
    }

    var name: String
    var kind: Kind
    /// The next state, or `nil` for a terminal state (End, Succeed, Fail, Choice).
    var next: String?
    /// `nil` means the JSON `null`: the effective input is `{}`.
    var inputPath: JSONPath? = .identity
    /// `nil` means the JSON `null`: the output is `{}`.
    var outputPath: JSONPath? = .identity
    /// `nil` means the JSON `null`: the result is discarded and the input passes through.
    var resultPath: JSONPath? = .identity
    var parameters: PayloadTemplate?
    var resultSelector: PayloadTemplate?
    var retriers: [Retrier] = []
    var catchers: [Catcher] = []
    /// The state's `Assign`, applied when the state succeeds (not when a catcher handles its error).
    var assign: Assignment?
    /// Whether the state evaluates JSONata (`"QueryLanguage": "JSONata"`, its own or the machine's).
    var isJSONata = false
    /// JSONata `Arguments` (Task, Parallel): the task or branch input; absent means `$states.input`.
    var arguments: QueryTemplate?
    /// JSONata `Output`: the state output; absent means the result (Task, Parallel, Map) or the input.
    var output: QueryTemplate?

    /// The prefix of this state's history event names, e.g. `Task` in `TaskStateEntered`.
    var eventPrefix: String {
        switch kind {
        case .task: "Task"
        case .pass: "Pass"
        case .succeed: "Succeed"
        case .fail: "Fail"
        case .choice: "Choice"
        case .wait: "Wait"
        case .parallel: "Parallel"
        case .map: "Map"
        }
    }
}

/// A set of states with a start: the top level of a machine, a Parallel branch or a Map iterator.
struct Branch: Sendable {
    var startAt: String
    var states: [String: StateNode]
}

struct TaskSpec: Sendable {
    var resource: String
    var timeoutSeconds: Int?
    var timeoutSecondsPath: JSONPath?
    var heartbeatSeconds: Int?
    var heartbeatSecondsPath: JSONPath?
    /// JSONata `TimeoutSeconds` given as an expression.
    var timeoutQuery: QueryTemplate?
    /// JSONata `HeartbeatSeconds` given as an expression.
    var heartbeatQuery: QueryTemplate?
}

struct FailSpec: Sendable {
    /// Where `ErrorPath` or `CausePath` takes its text from: the spec says their values "MUST be
    /// Reference Paths or Intrinsic Functions".
    enum Source: Sendable {
        case path(JSONPath)
        case intrinsic(IntrinsicCall)
    }

    var error: String?
    var errorPath: Source?
    var cause: String?
    var causePath: Source?
    /// JSONata `Error` given as an expression.
    var errorQuery: QueryTemplate?
    /// JSONata `Cause` given as an expression.
    var causeQuery: QueryTemplate?
}

struct WaitSpec: Sendable {
    enum Duration: Sendable {
        case seconds(Double)
        case secondsPath(JSONPath)
        case timestamp(Timestamps.Instant)
        case timestampPath(JSONPath)
        /// JSONata `Seconds` given as an expression.
        case secondsQuery(QueryTemplate)
        /// JSONata `Timestamp` given as an expression.
        case timestampQuery(QueryTemplate)
    }

    var duration: Duration
}

struct MapSpec: Sendable {
    var iterator: Branch
    var itemsPath: JSONPath = .identity
    var itemSelector: PayloadTemplate?
    var maxConcurrency: Int = 0
    /// `MaxConcurrencyPath`: a reference path selecting a non-negative integer from the effective input.
    var maxConcurrencyPath: JSONPath?
    /// JSONata `Items`: the array to iterate, literal or an expression; absent means `$states.input`.
    var items: QueryTemplate?
    /// JSONata `ItemSelector`.
    var itemSelectorQuery: QueryTemplate?
    /// JSONata `MaxConcurrency` given as an expression.
    var maxConcurrencyQuery: QueryTemplate?
    /// JSONata `ToleratedFailureCount` given as an expression.
    var toleratedFailureCountQuery: QueryTemplate?
    /// JSONata `ToleratedFailurePercentage` given as an expression.
    var toleratedFailurePercentageQuery: QueryTemplate?
    var toleratedFailureCount: Int?
    var toleratedFailureCountPath: JSONPath?
    var toleratedFailurePercentage: Double?
    var toleratedFailurePercentagePath: JSONPath?
    /// The distributed Map's own fields, `nil` for an inline Map.
    var distributed: DistributedMapSpec?

    /// The failure tolerance, reading the `…Path` variants from the effective input.
    /// - Throws: `States.Runtime` when a path does not select a number in range.
    func tolerance(input: JSON, context: JSON, variables: [String: JSON] = [:]) throws(ExecutionError) -> FailureTolerance {
        var tolerance = FailureTolerance(count: toleratedFailureCount, percentage: toleratedFailurePercentage)
        if let path = toleratedFailureCountPath {
            guard let count = path.select(input: input, context: context, variables: variables)?.intValue, count >= 0 else {
                throw ExecutionError.runtime("The ToleratedFailureCountPath '\(path.text)' did not select a non-negative integer in '\(input.text)'")
            }
            tolerance.count = count
        }
        if let path = toleratedFailurePercentagePath {
            guard let percentage = path.select(input: input, context: context, variables: variables)?.doubleValue, (0...100).contains(percentage)
            else {
                throw ExecutionError.runtime(
                    "The ToleratedFailurePercentagePath '\(path.text)' did not select a number from 0 to 100 in '\(input.text)'"
                )
            }
            tolerance.percentage = percentage
        }
        return tolerance
    }
}

struct ChoiceSpec: Sendable {
    /// One top-level rule: its condition, its target and its own `Assign`.
    struct Choice: Sendable {
        /// The JSONPath rule; `nil` in a JSONata state.
        var rule: ChoiceRule?
        var next: String
        var assign: Assignment?
        /// The JSONata `Condition`, which must evaluate to a boolean.
        var condition: QueryTemplate?
        /// The JSONata `Output` of the rule.
        var output: QueryTemplate?
    }

    var choices: [Choice]
    var defaultNext: String?
}

/// A compiled `Assign` object: the variables a state sets. In a JSONPath state each comes from a
/// literal, a path or an intrinsic function (fields ending in `.$`); in a JSONata state from literal
/// JSON with `{% … %}` expressions. Evaluated against the state's result as the Developer Guide's
/// variables page orders it.
struct Assignment: Sendable {
    var template: PayloadTemplate?
    var query: QueryTemplate?
    /// The names of the variables assigned.
    var names: [String]

    /// The values to assign in a JSONPath state, from `input` (`$`), the context and the variables at state entry.
    func evaluate(input: JSON, context: JSON, variables: [String: JSON]) throws(ExecutionError) -> [String: JSON] {
        try template?.evaluate(input: input, context: context, variables: variables).objectValue ?? [:]
    }

    /// The values to assign in a JSONata state, from `$states` and the variables at state entry.
    func evaluate(states: JSON, variables: [String: JSON]) throws(ExecutionError) -> [String: JSON] {
        try query?.evaluate(states: states, variables: variables, field: "Assign").objectValue ?? [:]
    }
}
