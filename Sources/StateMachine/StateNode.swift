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
}

struct FailSpec: Sendable {
    var error: String?
    var errorPath: JSONPath?
    var cause: String?
    var causePath: JSONPath?
}

struct WaitSpec: Sendable {
    enum Duration: Sendable {
        case seconds(Double)
        case secondsPath(JSONPath)
        case timestamp(Timestamps.Instant)
        case timestampPath(JSONPath)
    }

    var duration: Duration
}

struct MapSpec: Sendable {
    var iterator: Branch
    var itemsPath: JSONPath = .identity
    var itemSelector: PayloadTemplate?
    var maxConcurrency: Int = 0
    var toleratedFailureCount: Int?
    var toleratedFailureCountPath: JSONPath?
    var toleratedFailurePercentage: Double?
    var toleratedFailurePercentagePath: JSONPath?

    /// The failure tolerance, reading the `…Path` variants from the effective input.
    /// - Throws: `States.Runtime` when a path does not select a number in range.
    func tolerance(input: JSON, context: JSON) throws(ExecutionError) -> FailureTolerance {
        var tolerance = FailureTolerance(count: toleratedFailureCount, percentage: toleratedFailurePercentage)
        if let path = toleratedFailureCountPath {
            guard let count = path.select(input: input, context: context)?.intValue, count >= 0 else {
                throw ExecutionError.runtime("The ToleratedFailureCountPath '\(path.text)' did not select a non-negative integer in '\(input.text)'")
            }
            tolerance.count = count
        }
        if let path = toleratedFailurePercentagePath {
            guard let percentage = path.select(input: input, context: context)?.doubleValue, (0...100).contains(percentage) else {
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
    var choices: [(rule: ChoiceRule, next: String)]
    var defaultNext: String?
}
