#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif

/// A pull source of bytes: a file, an HTTP body, a buffer. Readers stream from it so that memory
/// does not grow with the size of an object.
public protocol ByteSource {
    /// Fills the start of `buffer` and returns how many bytes were written; 0 means the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A ``ByteSource`` over bytes already in memory.
public struct BufferByteSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// A ``ByteSource`` reading a file with POSIX `read`; the descriptor closes when the last copy goes.
public struct FileByteSource: ByteSource {
    private final class Descriptor {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        deinit { close(fd) }
    }

    private let descriptor: Descriptor
    /// The path the source reads, for error messages.
    public let path: String

    /// Opens `path` for reading; only a regular file (or a link to one) is read, so that a device
    /// such as `/dev/zero`, a FIFO or a directory is refused instead of read forever.
    /// - Throws: ``FileError`` when the file cannot be opened or is not a regular file.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileError(operation: "open", path: path, errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw FileError(operation: "open", path: path, errno: code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            let isDirectory = info.st_mode & S_IFMT == S_IFDIR
            throw FileError(operation: isDirectory ? "read" : "read (not a regular file)", path: path, errno: isDirectory ? EISDIR : EINVAL)
        }
        self.descriptor = Descriptor(fd: fd)
        self.path = path
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(descriptor.fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw FileError(operation: "read", path: path, errno: errno)
        }
    }
}

/// A failed file-system call, with the path and the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32

    public init(operation: String, path: String, errno code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// The system's text for the error number, e.g. "No space left on device".
    public var reason: String { String(cString: strerror(code)) }

    public var description: String {
        var hint = ""
        switch code {
        case ENOSPC: hint = "; free some space on that file system or point --data-dir elsewhere"
        case EROFS, EACCES, EPERM: hint = "; make it writable or point --data-dir at a writable folder"
        case ENOENT: hint = "; check the path"
        default: break
        }
        return "cannot \(operation) \(path): \(reason)\(hint)"
    }
}
