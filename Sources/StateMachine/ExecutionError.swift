import InfraJSON

/// A named error raised while a state runs, as the States Language represents it: an error name and a cause.
struct ExecutionError: Error, Sendable, Hashable {
    var error: String
    var cause: String

    init(_ error: String, _ cause: String) {
        self.error = error
        self.cause = cause
    }

    /// The error output a Catcher passes on: `{"Error": …, "Cause": …}`.
    var output: JSON { ["Error": .string(error), "Cause": .string(cause)] }

    static func runtime(_ cause: String) -> ExecutionError { ExecutionError(StatesErrors.runtime, cause) }
}

/// The predefined error names of the States Language (all begin with `States.`).
public enum StatesErrors {
    /// Wildcard matching any error name except the terminal ``runtime`` and ``dataLimitExceeded``.
    public static let all = "States.ALL"
    /// A Task ran longer than `TimeoutSeconds`, or an execution longer than its `TimeoutSeconds`.
    public static let timeout = "States.Timeout"
    /// A Task failed; in a Retrier or Catcher it matches any error name except ``timeout`` and ``heartbeatTimeout``.
    public static let taskFailed = "States.TaskFailed"
    /// A path in `Parameters` or `ResultSelector` did not match the input.
    public static let parameterPathFailure = "States.ParameterPathFailure"
    /// A `ResultPath` could not be applied to the state's input.
    public static let resultPathMatchFailure = "States.ResultPathMatchFailure"
    /// A branch of a Parallel state failed without an error of its own.
    public static let branchFailed = "States.BranchFailed"
    /// A Map state's failed iterations exceeded `ToleratedFailureCount` or `ToleratedFailurePercentage`.
    public static let exceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"
    /// A Map state's ItemReader could not read its items (distributed Map; never raised by this interpreter).
    public static let itemReaderFailed = "States.ItemReaderFailed"
    /// A Map state's ResultWriter could not write its results (distributed Map; never raised by this interpreter).
    public static let resultWriterFailed = "States.ResultWriterFailed"
    /// No Choice rule matched and the Choice state has no `Default`.
    public static let noChoiceMatched = "States.NoChoiceMatched"
    /// An intrinsic function failed.
    public static let intrinsicFailure = "States.IntrinsicFailure"
    /// An error the interpreter could not process (bad paths, type errors, unbound resources). Terminal: never retried or caught.
    public static let runtime = "States.Runtime"
    /// Terminal error for oversized payloads (never raised by this interpreter; listed for matching rules).
    public static let dataLimitExceeded = "States.DataLimitExceeded"
    /// A Task sent no heartbeat for longer than `HeartbeatSeconds`; ``timeout`` in a Retrier or Catcher also matches it.
    public static let heartbeatTimeout = "States.HeartbeatTimeout"
    /// A JSONata expression failed, or gave a value of the wrong type for its field (Developer Guide,
    /// "Transforming data with JSONata in Step Functions").
    public static let queryEvaluationError = "States.QueryEvaluationError"
    /// A Task had insufficient privileges (never raised by this interpreter).
    public static let permissions = "States.Permissions"
}
