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
    /// The final output as JSON text, when it succeeded.
    public var output: String?

    public init(
        id: String,
        status: ExecutionStatus,
        scheduledTime: Timestamp,
        startedAt: Timestamp,
        finishedAt: Timestamp? = nil,
        error: String? = nil,
        cause: String? = nil,
        output: String? = nil
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

/// One history event of an execution (Step Functions' names: `TaskStateEntered`, ...).
public struct ExecutionEvent: Sendable, Hashable {
    public var id: Int
    public var previousID: Int
    public var type: String
    public var timestamp: String
    public var stateName: String?
    /// The event's details as JSON text.
    public var details: String

    public init(id: Int, previousID: Int, type: String, timestamp: String, stateName: String?, details: String) {
        self.id = id
        self.previousID = previousID
        self.type = type
        self.timestamp = timestamp
        self.stateName = stateName
        self.details = details
    }
}

/// Where executions and their history are kept (Step Functions, or SQLite).
public protocol ExecutionStore: Sendable {
    func started(_ execution: ExecutionSummary, input: String) async throws
    func append(_ event: ExecutionEvent, executionID: String) async throws
    func finished(_ execution: ExecutionSummary) async throws
    func list(limit: Int) async throws -> [ExecutionSummary]
    func execution(id: String) async throws -> ExecutionSummary?
    func events(executionID: String) async throws -> [ExecutionEvent]
}
