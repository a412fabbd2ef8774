public import InfraJSON

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What a Task handler receives.
public struct TaskInvocation: Sendable {
    /// The Task's `Resource` string, e.g. `arn:aws:states:::lambda:invoke`.
    public var resource: String
    /// The name of the Task state.
    public var stateName: String
    /// The effective input: the state input after `InputPath` and `Parameters`.
    public var input: JSON
    /// The context object (`$$`) as the state sees it.
    public var context: JSON
    /// The attempt number: 1 for the first run, 2 for the first retry, …
    public var attempt: Int
    /// Reports that the task is still making progress, as `SendTaskHeartbeat` does on Step Functions.
    ///
    /// A Task with `HeartbeatSeconds` fails with `States.HeartbeatTimeout` when its handler lets that
    /// many seconds pass without calling this; without `HeartbeatSeconds` calling it does nothing.
    public var sendHeartbeat: @Sendable () -> Void

    /// Creates an invocation.
    public init(
        resource: String,
        stateName: String,
        input: JSON,
        context: JSON,
        attempt: Int,
        sendHeartbeat: @escaping @Sendable () -> Void = {}
    ) {
        self.resource = resource
        self.stateName = stateName
        self.input = input
        self.context = context
        self.attempt = attempt
        self.sendHeartbeat = sendHeartbeat
    }
}

/// Thrown by handlers to fail a task with a named error, as a Lambda function or service integration would.
///
/// Any other error a handler throws fails the task with the error's Swift type name as the error
/// name and `String(describing:)` of it as the cause (as Lambda reports `errorType`/`errorMessage`).
public struct TaskFailure: Error, Sendable, Hashable {
    /// The error name that Retriers and Catchers match, e.g. `Lambda.ServiceException`.
    public var error: String
    /// A human-readable cause.
    public var cause: String

    /// Creates a failure.
    public init(error: String, cause: String) {
        self.error = error
        self.cause = cause
    }
}

/// Runs a Task: receives the invocation, returns the task result.
public typealias TaskHandler = @Sendable (TaskInvocation) async throws -> JSON

/// Binds Task `Resource` strings to handlers.
///
/// A Task whose resource is not bound fails at run time with `States.Runtime` (terminal: not retried,
/// not caught) and a cause naming the resource.
public struct ResourceBindings: Sendable {
    private let resolver: @Sendable (String) -> TaskHandler?

    /// Binds exact resource strings.
    public init(_ handlers: [String: TaskHandler]) {
        self.resolver = { handlers[$0] }
    }

    /// Binds resources by a function (e.g. by prefix); return `nil` for unbound resources.
    public init(resolver: @escaping @Sendable (String) -> TaskHandler?) {
        self.resolver = resolver
    }

    /// The handler for `resource`, if bound.
    public func handler(for resource: String) -> TaskHandler? { resolver(resource) }
}

/// Per-execution settings: names, clock and sleeper.
public struct ExecutionOptions: Sendable {
    /// The execution's name (`$$.Execution.Name`).
    public var executionName: String
    /// When the execution started (`$$.Execution.StartTime`), RFC 3339 with milliseconds and `Z`.
    public var startTime: String
    /// The state machine's name (`$$.StateMachine.Name`).
    public var stateMachineName: String
    /// `$$.StateMachine.Id`; defaults to a local ARN built from ``stateMachineName``.
    public var stateMachineID: String?
    /// `$$.Execution.Id`; defaults to a local ARN built from the state machine and execution names.
    public var executionID: String?
    /// Waits this many seconds (Retry backoff, Wait states). Defaults to `Task.sleep`; inject a recorder in tests.
    public var sleep: @Sendable (Double) async throws -> Void
    /// The current time as RFC 3339 text (event timestamps, `$$.State.EnteredTime`, Wait `Timestamp`).
    public var now: @Sendable () -> String
    /// The most history events an execution may record before it fails with `States.Runtime`:
    /// 25,000 by default, Step Functions' quota for a Standard workflow's execution history; `nil`
    /// for no limit (as an Express workflow, which keeps no history).
    public var historyEventLimit: Int?

    /// Receives the history events of every child execution a distributed Map state starts, with
    /// the child's execution ARN; each child's history is its own (its own ids, from 1, and its own
    /// event quota), apart from the parent's. `nil`: child histories are not kept.
    public var onChildExecutionEvent: (@Sendable (_ executionID: String, _ event: HistoryEvent) async -> Void)?

    /// Step Functions' quota of history events per execution of a Standard workflow.
    public static let standardHistoryEventLimit = 25_000

    /// Creates options; every argument has a sensible default.
    public init(
        executionName: String = UUID().uuidString.lowercased(),
        startTime: String? = nil,
        stateMachineName: String = "StateMachine",
        stateMachineID: String? = nil,
        executionID: String? = nil,
        sleep: @escaping @Sendable (Double) async throws -> Void = ExecutionOptions.realSleep,
        now: @escaping @Sendable () -> String = ExecutionOptions.systemNow,
        historyEventLimit: Int? = ExecutionOptions.standardHistoryEventLimit,
        onChildExecutionEvent: (@Sendable (_ executionID: String, _ event: HistoryEvent) async -> Void)? = nil
    ) {
        self.historyEventLimit = historyEventLimit
        self.onChildExecutionEvent = onChildExecutionEvent
        self.executionName = executionName
        self.startTime = startTime ?? now()
        self.stateMachineName = stateMachineName
        self.stateMachineID = stateMachineID
        self.executionID = executionID
        self.sleep = sleep
        self.now = now
    }

    /// Sleeps with `Task.sleep` (cancellable).
    public static let realSleep: @Sendable (Double) async throws -> Void = { seconds in
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: nanoseconds(seconds))
    }

    /// `seconds` as nanoseconds for `Task.sleep`, capped at one year so that huge values cannot overflow.
    static func nanoseconds(_ seconds: Double) -> UInt64 {
        guard seconds > 0 else { return 0 }
        return UInt64(min(seconds, 31_536_000) * 1_000_000_000)
    }

    /// The system clock as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static let systemNow: @Sendable () -> String = { Timestamps.now() }

    var resolvedStateMachineID: String {
        stateMachineID ?? "arn:aws:states:local:000000000000:stateMachine:\(stateMachineName)"
    }

    var resolvedExecutionID: String {
        executionID ?? "arn:aws:states:local:000000000000:execution:\(stateMachineName):\(executionName)"
    }
}

/// One event of an execution's history, named as Step Functions names them.
///
/// `details` mirrors the Step Functions `…EventDetails` objects; as there, `input` and `output`
/// are JSON *text* (strings), e.g. `{"name":"Collect","input":"{\"time\":\"…\"}"}`.
public struct HistoryEvent: Sendable, Hashable {
    /// 1, 2, 3, … unique and increasing within an execution, also across concurrent branches.
    public var id: Int
    /// The event this one follows in its branch of execution (0 for `ExecutionStarted`).
    public var previousEventID: Int
    /// E.g. `ExecutionStarted`, `TaskStateEntered`, `TaskScheduled`, `TaskFailed`, `ParallelStateSucceeded`.
    public var type: String
    /// From ``ExecutionOptions/now``.
    public var timestamp: String
    /// The state the event belongs to, if any.
    public var stateName: String?
    /// Event-specific details (see the type's documentation).
    public var details: JSON

    /// Creates an event.
    public init(id: Int, previousEventID: Int, type: String, timestamp: String, stateName: String?, details: JSON) {
        self.id = id
        self.previousEventID = previousEventID
        self.type = type
        self.timestamp = timestamp
        self.stateName = stateName
        self.details = details
    }
}

/// How an execution ended.
public enum ExecutionResult: Sendable, Hashable {
    /// The machine reached a terminal state; its output.
    case succeeded(output: JSON)
    /// The machine failed (a Fail state, or an error nothing caught).
    case failed(error: String, cause: String)
}
