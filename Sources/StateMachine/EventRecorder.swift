import InfraJSON
import Synchronization

/// Numbers history events and delivers them, in id order, to the caller's callback.
///
/// Delivery runs beside the execution, but at most ``backlogLimit`` events wait for it: an
/// execution that records faster than the callback consumes is held back, so a long run keeps
/// memory bounded instead of buffering its whole history.
actor EventRecorder {
    /// How many recorded events may wait for delivery before `emit` suspends.
    static let backlogLimit = 512

    private var nextID = 1
    private let now: @Sendable () -> String
    private let continuation: AsyncStream<HistoryEvent>.Continuation?
    private let progress = DeliveryProgress()
    private let delivery: Task<Void, Never>?

    /// A recorder that only numbers events, delivering them to no one (a distributed Map's child
    /// execution when nobody asked for child histories).
    init(now: @escaping @Sendable () -> String) {
        self.now = now
        self.continuation = nil
        self.delivery = nil
    }

    init(now: @escaping @Sendable () -> String, onEvent: @escaping @Sendable (HistoryEvent) async -> Void) {
        self.now = now
        let (stream, continuation) = AsyncStream<HistoryEvent>.makeStream(bufferingPolicy: .unbounded)
        self.continuation = continuation
        let progress = progress
        self.delivery = Task {
            var unreported = 0
            for await event in stream {
                await onEvent(event)
                unreported += 1
                if unreported == DeliveryProgress.reportEvery {
                    progress.delivered(unreported)
                    unreported = 0
                }
            }
        }
    }

    /// Records an event and returns its id; waits while too many events are still undelivered.
    @discardableResult
    func emit(_ type: String, previous: Int, state: String? = nil, details: JSON = [:]) async -> Int {
        let id = nextID
        nextID += 1
        guard let continuation else { return id }
        continuation.yield(HistoryEvent(id: id, previousEventID: previous, type: type, timestamp: now(), stateName: state, details: details))
        let target = id - Self.backlogLimit
        if progress.isBehind(target) { await progress.wait(untilDelivered: target) }
        return id
    }

    /// Waits until every recorded event has been delivered.
    func finish() async {
        continuation?.finish()
        await delivery?.value
    }
}

/// How many events the delivery task has passed on, and who waits for it to catch up.
private final class DeliveryProgress: Sendable {
    /// The delivery task reports in steps of this many events (well below the backlog limit).
    static let reportEvery = 64

    private struct State {
        var delivered = 0
        var waiting: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    func delivered(_ count: Int) {
        let ready = state.withLock { state in
            state.delivered += count
            let delivered = state.delivered
            let ready = state.waiting.filter { $0.target <= delivered }
            state.waiting.removeAll { $0.target <= delivered }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Whether fewer than `target` events have been delivered so far.
    func isBehind(_ target: Int) -> Bool { state.withLock { $0.delivered < target } }

    func wait(untilDelivered target: Int) async {
        await withCheckedContinuation { continuation in
            let already = state.withLock { state in
                if state.delivered >= target { return true }
                state.waiting.append((target, continuation))
                return false
            }
            if already { continuation.resume() }
        }
    }
}
