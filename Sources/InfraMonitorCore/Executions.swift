public import InfraJSON

/// The status of one pipeline execution, as Step Functions names them.
public enum ExecutionStatus: String, Sendable, Codable, CaseIterable {
    case running = "RUNNING"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"
    /// Interrupted (the process died or was stopped) before it finished.
    case aborted = "ABORTED"
}

/// One execution of the state machine: what `executions list` shows.
public struct ExecutionSummary: Sendable, Hashable {
    public var id: String
    public var status: ExecutionStatus
    public var scheduledTime: Timestamp
    public var startedAt: Timestamp
    public var finishedAt: Timestamp?
    public var error: String?
    public var cause: String?
    /// The final output, when it succeeded.
    public var output: JSON?

    public init(
        id: String,
        status: ExecutionStatus,
        scheduledTime: Timestamp,
        startedAt: Timestamp,
        finishedAt: Timestamp? = nil,
        error: String? = nil,
        cause: String? = nil,
        output: JSON? = nil
    ) {
        self.id = id
        self.status = status
        self.scheduledTime = scheduledTime
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.cause = cause
        self.output = output
    }

    /// Milliseconds from start to finish, when finished.
    public var durationMilliseconds: Int64? {
        finishedAt.map { $0.milliseconds - startedAt.milliseconds }
    }
}

/// The type of a history event, in Step Functions' words (`TaskStateEntered`, `ExecutionFailed`, …),
/// read once from its name so that nothing downstream matches names by substring.
public enum ExecutionEventType: Sendable, Hashable, CustomStringConvertible {
    /// `ExecutionStarted`, `ExecutionSucceeded`, `ExecutionFailed`, `ExecutionAborted`, `ExecutionTimedOut`.
    case execution(Phase)
    /// `<Kind>StateEntered` / `<Kind>StateExited` (Kind: Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map).
    case state(kind: String, Phase)
    /// `Task…`, `MapIteration…`, `ParallelState…`, `MapState…` and `LambdaFunction…` events: the
    /// prefix and the phase.
    case step(prefix: String, Phase)
    /// Any name this enum does not know, kept as it was.
    case other(String)

    /// What happened to the execution, state or step.
    public enum Phase: String, Sendable, Hashable, CaseIterable {
        case entered = "Entered"
        case exited = "Exited"
        case scheduled = "Scheduled"
        case started = "Started"
        case submitted = "Submitted"
        case succeeded = "Succeeded"
        case failed = "Failed"
        case timedOut = "TimedOut"
        case aborted = "Aborted"
    }

    private static let stepPrefixes = ["MapIteration", "ParallelState", "MapState", "LambdaFunction", "Task"]

    /// Reads a Step Functions event name.
    public init(name: String) {
        for phase in Phase.allCases where name.hasSuffix(phase.rawValue) {
            let head = String(name.dropLast(phase.rawValue.count))
            if head == "Execution" {
                self = .execution(phase)
                return
            }
            if phase == .entered || phase == .exited, head.hasSuffix("State"), head.count > 5 {
                self = .state(kind: String(head.dropLast(5)), phase)
                return
            }
            if Self.stepPrefixes.contains(head) {
                self = .step(prefix: head, phase)
                return
            }
        }
        self = .other(name)
    }

    /// The event's name as Step Functions writes it.
    public var name: String {
        switch self {
        case .execution(let phase): return "Execution" + phase.rawValue
        case .state(let kind, let phase): return kind + "State" + phase.rawValue
        case .step(let prefix, let phase): return prefix + phase.rawValue
        case .other(let name): return name
        }
    }

    public var description: String { name }

    /// The phase, for every event but ``other(_:)``.
    public var phase: Phase? {
        switch self {
        case .execution(let phase), .state(_, let phase), .step(_, let phase): return phase
        case .other: return nil
        }
    }

    /// Whether the event reports a failure, a time-out or an abort.
    public var isFailure: Bool {
        if case .state(kind: "Fail", .entered) = self { return true }
        return phase == .failed || phase == .timedOut || phase == .aborted
    }
}

/// One history event of an execution.
public struct ExecutionEvent: Sendable, Hashable {
    public var id: Int
    public var previousID: Int
    public var type: ExecutionEventType
    public var timestamp: String
    public var stateName: String?
    /// The event's details (`…EventDetails` on Step Functions).
    public var details: JSON

    public init(id: Int, previousID: Int, type: ExecutionEventType, timestamp: String, stateName: String?, details: JSON) {
        self.id = id
        self.previousID = previousID
        self.type = type
        self.timestamp = timestamp
        self.stateName = stateName
        self.details = details
    }

    /// The event as `executions show --events` and the JSON API print it.
    public var json: JSON {
        [
            "id": .number(Double(id)), "previousEventId": .number(Double(previousID)), "type": .string(type.name),
            "timestamp": .string(timestamp), "stateName": stateName.map(JSON.string) ?? .null, "details": details,
        ]
    }
}

/// The executions and their history, as read back (Step Functions, or SQLite).
public protocol ExecutionHistory: Sendable {
    /// The newest executions first, at most `limit`.
    func list(limit: Int) async throws -> [ExecutionSummary]
    /// One execution by its id (name), or nil.
    func execution(id: String) async throws -> ExecutionSummary?
    /// The execution's history, oldest first.
    func events(executionID: String) async throws -> [ExecutionEvent]
    /// Counts per status, total duration and the newest scheduled time, for `/metrics` and the scheduler.
    func totals() async throws -> ExecutionTotals
}

/// Executions per status and their total duration, for `/metrics`.
public struct ExecutionTotals: Sendable, Hashable {
    public var countByStatus: [ExecutionStatus: Int]
    /// Sum of (finished − started) over finished executions, in seconds.
    public var durationSeconds: Double
    /// The newest scheduled time of any execution, if there is one.
    public var latestScheduledTime: Timestamp?

    public init(countByStatus: [ExecutionStatus: Int], durationSeconds: Double, latestScheduledTime: Timestamp?) {
        self.countByStatus = countByStatus
        self.durationSeconds = durationSeconds
        self.latestScheduledTime = latestScheduledTime
    }

    /// The totals of `executions`.
    public init(_ executions: [ExecutionSummary]) {
        var counts: [ExecutionStatus: Int] = [:]
        var duration = 0.0
        for execution in executions {
            counts[execution.status, default: 0] += 1
            duration += Double(execution.durationMilliseconds ?? 0) / 1000
        }
        self.init(countByStatus: counts, durationSeconds: duration, latestScheduledTime: executions.map(\.scheduledTime).max())
    }
}

extension ExecutionHistory {
    /// The totals of the newest 10,000 executions (a service without aggregate queries).
    public func totals() async throws -> ExecutionTotals {
        ExecutionTotals(try await list(limit: 10_000))
    }
}

/// Where the executions interpreted on this machine are recorded (SQLite, or memory in tests).
public protocol ExecutionStore: ExecutionHistory {
    func started(_ execution: ExecutionSummary, input: JSON) async throws
    func append(_ event: ExecutionEvent, executionID: String) async throws
    func finished(_ execution: ExecutionSummary) async throws
    /// Marks executions left `RUNNING` by a process that died as `ABORTED`; returns their ids.
    /// Call only while holding the data directory's run lock.
    func abortInterrupted(now: Timestamp) async throws -> [String]
}
