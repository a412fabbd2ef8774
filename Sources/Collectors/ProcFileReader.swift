#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif

/// Reads small kernel files (procfs) with POSIX `open`/`read` into reusable buffers, so that a
/// collection allocates no buffer once warmed up.
///
/// procfs files report a size of 0, so a file is read until end of file; a buffer that turns out
/// too small is doubled and kept that size for the next reads. Buffers are pooled, so concurrent
/// collections (the four Parallel branches) each get their own.
final class ProcFileReader: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private var pool: [UnsafeMutableRawBufferPointer] = []
    private static let initialSize = 16 * 1024
    private static let poolLimit = 8

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
    }

    deinit {
        for buffer in pool { buffer.deallocate() }
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    private func take() -> UnsafeMutableRawBufferPointer {
        pthread_mutex_lock(lock)
        let buffer = pool.popLast()
        pthread_mutex_unlock(lock)
        return buffer ?? .allocate(byteCount: Self.initialSize, alignment: 16)
    }

    private func give(_ buffer: UnsafeMutableRawBufferPointer) {
        pthread_mutex_lock(lock)
        if pool.count < Self.poolLimit {
            pool.append(buffer)
            pthread_mutex_unlock(lock)
        } else {
            pthread_mutex_unlock(lock)
            buffer.deallocate()
        }
    }

    /// Reads the whole file at `path` and passes its bytes to `body`; the bytes are valid only
    /// during the call.
    /// - Throws: ``CollectorError/unreadable(path:reason:)`` when the file cannot be opened or read,
    ///   naming `root` instead when that folder itself is missing.
    func withContents<R>(
        of path: String,
        root: String,
        _ body: (UnsafeRawBufferPointer) throws(CollectorError) -> R
    ) throws(CollectorError) -> R {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.openError(path: path, root: root, code: errno) }
        defer { close(fd) }
        var buffer = take()
        defer { give(buffer) }
        var used = 0
        while true {
            if used == buffer.count {
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
                buffer.deallocate()
                buffer = bigger
            }
            let n = read(fd, buffer.baseAddress! + used, buffer.count - used)
            if n > 0 {
                used += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw CollectorError.unreadable(path: path, reason: Self.text(errno))
            }
        }
        return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
    }

    static func openError(path: String, root: String, code: Int32) -> CollectorError {
        if code == ENOENT {
            var info = stat()
            if stat(root, &info) != 0 {
                return .unreadable(path: root, reason: "\(text(errno)) (the proc root folder)")
            }
        }
        return .unreadable(path: path, reason: text(code))
    }

    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}
