public import InfraMonitorCore

/// Where alarm instances keep their state and history (SQLite tables, DynamoDB items, or memory).
public protocol AlarmStateStore: Sendable {
    /// The state of one instance, or `nil` for an instance never stored.
    func state(of instanceID: String) async throws -> AlarmStateRecord?
    /// Every stored state, in instance id order.
    func allStates() async throws -> [AlarmStateRecord]
    /// Stores `states` (replacing those of the same instances) and appends `history`, atomically.
    func save(states: [AlarmStateRecord], history: [AlarmHistoryEntry]) async throws
    /// History entries, newest first: of the instances of `alarmName` (every alarm when `nil`),
    /// at most `limit` of them (all when `nil`).
    func history(alarmName: String?, limit: Int?) async throws -> [AlarmHistoryEntry]
    /// Deletes the history entries older than `cutoff` and returns how many went.
    /// (CloudWatch "preserves alarm history for two weeks"; the window is the caller's.)
    func pruneHistory(olderThan cutoff: Timestamp) async throws -> Int
}

extension AlarmStateStore {
    /// Stores one state.
    public func save(_ state: AlarmStateRecord) async throws {
        try await save(states: [state], history: [])
    }

    /// Appends one history entry.
    public func append(_ entry: AlarmHistoryEntry) async throws {
        try await save(states: [], history: [entry])
    }
}

/// An ``AlarmStateStore`` in memory, for tests and for `alarms simulate`-like tools.
public actor InMemoryAlarmStateStore: AlarmStateStore {
    private var states: [String: AlarmStateRecord] = [:]
    private var entries: [AlarmHistoryEntry] = []

    /// An empty store.
    public init() {}

    public func state(of instanceID: String) -> AlarmStateRecord? { states[instanceID] }

    public func allStates() -> [AlarmStateRecord] { states.keys.sorted().map { states[$0]! } }

    public func save(states newStates: [AlarmStateRecord], history: [AlarmHistoryEntry]) {
        for state in newStates { states[state.instance.id] = state }
        entries.append(contentsOf: history)
    }

    public func history(alarmName: String?, limit: Int?) -> [AlarmHistoryEntry] {
        // Appended in time order; stable for entries of the same instant.
        var selected = entries.enumerated().filter { alarmName == nil || $0.element.instance.alarmName == alarmName }
        selected.sort { ($0.element.time, $0.offset) > ($1.element.time, $1.offset) }
        let newestFirst = selected.map(\.element)
        guard let limit else { return newestFirst }
        return Array(newestFirst.prefix(max(0, limit)))
    }

    public func pruneHistory(olderThan cutoff: Timestamp) -> Int {
        let before = entries.count
        entries.removeAll { $0.time < cutoff }
        return before - entries.count
    }
}
