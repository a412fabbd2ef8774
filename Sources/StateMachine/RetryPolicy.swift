import InfraJSON

/// A Retrier: which errors to retry, and how long to wait between attempts.
struct Retrier: Sendable, Hashable {
    enum Jitter: String, Sendable, Hashable {
        case full = "FULL"
        case none = "NONE"
    }

    var errorEquals: [String]
    var intervalSeconds: Double = 1
    var maxAttempts: Int = 3
    var backoffRate: Double = 2
    var maxDelaySeconds: Double?
    var jitter: Jitter = .none

    /// The longest delay computed (one year), so that large backoffs stay finite for jitter.
    static let longestDelay: Double = 31_536_000

    /// The delay before retry number `retry` (0 for the first retry) of this retrier, before jitter:
    /// `IntervalSeconds × BackoffRate^retry`, capped at `MaxDelaySeconds` and at one year.
    func delay(forRetry retry: Int) -> Double {
        var delay = intervalSeconds
        for _ in 0..<retry where delay < Self.longestDelay { delay *= backoffRate }
        if let maxDelaySeconds { delay = min(delay, maxDelaySeconds) }
        return min(delay, Self.longestDelay)
    }
}

/// A Catcher: which errors to catch, where to put the error output and which state runs next.
struct Catcher: Sendable {
    var errorEquals: [String]
    /// `nil` means the JSON `null`: the error output is discarded and the state input passes on.
    var resultPath: JSONPath? = .identity
    var next: String
    /// The catcher's `Assign`, evaluated against the error output.
    var assign: Assignment?
    /// The catcher's JSONata `Output`; absent means `$states.errorOutput`.
    var output: QueryTemplate?
}

/// The pure Retry/Catch decision logic of a state: which retrier or catcher applies to an error.
struct RetryPolicy: Sendable {
    var retriers: [Retrier]
    var catchers: [Catcher]

    /// Whether an `ErrorEquals` list matches the error name, with the wildcards `States.ALL`,
    /// `States.TaskFailed` (everything but the two timeouts) and `States.Timeout` (which also covers
    /// `States.HeartbeatTimeout`, as on Step Functions); terminal errors never match.
    static func matches(_ errorEquals: [String], error: String) -> Bool {
        if error == StatesErrors.runtime || error == StatesErrors.dataLimitExceeded { return false }
        let isTimeout = error == StatesErrors.timeout || error == StatesErrors.heartbeatTimeout
        for name in errorEquals {
            if name == error || name == StatesErrors.all { return true }
            if name == StatesErrors.taskFailed, !isTimeout { return true }
            if name == StatesErrors.timeout, isTimeout { return true }
        }
        return false
    }

    /// What to do about `error` given how often each retrier has already retried.
    enum Decision: Equatable {
        /// Retry, after `delay` seconds (before jitter), counting against retrier `retrier`.
        case retry(retrier: Int, delay: Double)
        /// Hand the error to catcher `catcher`.
        case `catch`(catcher: Int)
        /// Fail the state with the error.
        case fail
    }

    func decide(error: String, retriesSoFar: [Int]) -> Decision {
        if let index = retriers.firstIndex(where: { Self.matches($0.errorEquals, error: error) }) {
            let retrier = retriers[index]
            let done = index < retriesSoFar.count ? retriesSoFar[index] : 0
            if done < retrier.maxAttempts { return .retry(retrier: index, delay: retrier.delay(forRetry: done)) }
        }
        if let index = catchers.firstIndex(where: { Self.matches($0.errorEquals, error: error) }) { return .catch(catcher: index) }
        return .fail
    }
}
