import Dispatch
import Foundation
import Synchronization

/// SIGTERM and SIGINT while a command changes the data directory: the first signal lets the work in
/// progress finish (an execution, a replay, a processed batch) and says so; a second one stops at
/// once, and the next start repairs what was left (ABORTED, notified, batches processed again).
///
/// Without this, SIGTERM (systemd's stop, `kill`) ended `run` mid-execution: RUNNING in the
/// database, no notification.
final class GracefulStop {
    private let sources: [any DispatchSourceSignal]

    /// Starts handling both signals for as long as the value lives.
    init(finishing what: String) {
        let queue = DispatchQueue(label: "infra-monitor.signals")
        let received = LockedCounter()
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if received.increment() == 1 {
                    FileHandle.standardError.write(Data("infra-monitor: finishing \(what) before stopping; signal again to stop at once\n".utf8))
                } else {
                    FileHandle.standardError.write(Data("infra-monitor: stopped; the next start repairs the interrupted work\n".utf8))
                    exit(128 + number)
                }
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }
}

/// A counter shared by the signal handlers.
private final class LockedCounter: Sendable {
    private let value = Mutex(0)

    /// Adds one and returns the new value.
    func increment() -> Int {
        value.withLock { count in
            count += 1
            return count
        }
    }
}
