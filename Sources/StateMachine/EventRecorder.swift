import InfraJSON

/// Numbers history events and delivers them, in id order, to the caller's callback.
actor EventRecorder {
    private var nextID = 1
    private let now: @Sendable () -> String
    private let continuation: AsyncStream<HistoryEvent>.Continuation
    private let delivery: Task<Void, Never>

    init(now: @escaping @Sendable () -> String, onEvent: @escaping @Sendable (HistoryEvent) async -> Void) {
        self.now = now
        let (stream, continuation) = AsyncStream<HistoryEvent>.makeStream(bufferingPolicy: .unbounded)
        self.continuation = continuation
        self.delivery = Task {
            for await event in stream { await onEvent(event) }
        }
    }

    /// Records an event and returns its id.
    @discardableResult
    func emit(_ type: String, previous: Int, state: String? = nil, details: JSON = [:]) -> Int {
        let id = nextID
        nextID += 1
        continuation.yield(HistoryEvent(id: id, previousEventID: previous, type: type, timestamp: now(), stateName: state, details: details))
        return id
    }

    /// Waits until every recorded event has been delivered.
    func finish() async {
        continuation.finish()
        await delivery.value
    }
}
