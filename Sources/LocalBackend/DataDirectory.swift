public import Foundation
import InfraMonitorCore
import Synchronization

/// The embedded installation's folder: the bucket, the database, the logs and the config.
///
/// ```
/// <data-dir>/config.yaml
/// <data-dir>/infra-monitor.sqlite
/// <data-dir>/objects/infra-monitoring-pipeline-data/raw-metrics/YYYY/MM/DD/…
/// <data-dir>/logs/data-collector.jsonl, log-processor.jsonl
/// ```
public struct DataDirectory: Sendable, Hashable {
    public let path: String

    public init(path: String) {
        self.path = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    }

    /// `--data-dir`, else `$INFRA_MONITOR_DATA_DIR`, else `$XDG_DATA_HOME/infra-monitor`, else
    /// `~/.local/share/infra-monitor` (docs/design.md, "Command line").
    public static func resolve(
        explicit: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    )
        -> DataDirectory
    {
        if let explicit, !explicit.isEmpty { return DataDirectory(path: explicit) }
        if let env = environment["INFRA_MONITOR_DATA_DIR"], !env.isEmpty { return DataDirectory(path: env) }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return DataDirectory(path: xdg + "/infra-monitor") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return DataDirectory(path: home + "/.local/share/infra-monitor")
    }

    public var configPath: String { path + "/config.yaml" }
    public var databasePath: String { path + "/infra-monitor.sqlite" }
    public var objectsRoot: String { path + "/objects/" + ObjectKeys.bucket }
    public var logsFolder: String { path + "/logs" }
    public var lockPath: String { path + "/run.lock" }

    /// Creates the folder if needed and checks that it is writable.
    /// - Throws: ``LocalBackendError/file(_:)`` saying why it is not usable.
    public func prepare() throws {
        try AtomicFile.makeFolder(path)
        let probe = path + "/.write-probe"
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocalBackendError.file(FileError(operation: "write in", path: path, errno: errno)) }
        close(fd)
        unlink(probe)
    }
}

/// An exclusive lock on the data directory held for one pipeline run (flock; released when the
/// process exits, even by a crash).
public final class RunLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// Takes the lock, waiting at most `timeoutSeconds` (0: not at all). While it waits, a dedicated
    /// thread blocks in `flock` — no thread of the cooperative pool is held and nothing polls — and
    /// `onWait` is told once, so that the operator knows why nothing happens.
    /// - Throws: ``LocalBackendError/busy(path:)`` when another run keeps it.
    public static func acquire(
        path: String,
        timeoutSeconds: Double = 60,
        onWait: @escaping @Sendable () -> Void = {}
    ) async throws -> RunLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocalBackendError.file(FileError(operation: "open", path: path, errno: errno)) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return RunLock(fd: fd) }
        guard timeoutSeconds > 0 else {
            close(fd)
            throw LocalBackendError.busy(path: path)
        }
        onWait()
        let outcome = LockWait()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RunLock, any Error>) in
            let waiter = Thread {
                while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
                if outcome.settle() {
                    continuation.resume(returning: RunLock(fd: fd))
                } else {
                    flock(fd, LOCK_UN)
                    close(fd)
                }
            }
            waiter.start()
            Task {
                try? await Task.sleep(for: .milliseconds(Int64(timeoutSeconds * 1000)))
                if outcome.settle() { continuation.resume(throwing: LocalBackendError.busy(path: path)) }
            }
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Which of the lock's waiter and its time limit finished first; the other one gives way.
private final class LockWait: Sendable {
    private let settled = Mutex(false)

    /// True for the first caller only.
    func settle() -> Bool {
        settled.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
