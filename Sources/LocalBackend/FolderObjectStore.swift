import Foundation
public import InfraMonitorCore

/// The data bucket as a folder: each key is a file path below `root`.
///
/// Writes are atomic (temporary file, fsync, rename, fsync of the folder), so a crash leaves
/// either the old object or the new one, never half of one.
public struct FolderObjectStore: ObjectStore {
    /// The folder that holds the bucket's objects.
    public let root: String
    public let bucket: String

    public init(root: String, bucket: String = ObjectKeys.bucket) {
        self.root = root
        self.bucket = bucket
    }

    /// The file that holds `key`.
    public func path(forKey key: String) throws -> String {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !key.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == ".." || $0 == "." }) else {
            throw LocalBackendError.invalidKey(key)
        }
        return root + "/" + key
    }

    public func put(_ body: [UInt8], key: String) async throws {
        let target = try path(forKey: key)
        try AtomicFile.write(body, to: target)
    }

    /// Removes the temporary files of writes a killed process left (`.<name>.tmp-<pid>-<n>`): those
    /// whose writing process no longer exists, and any older than `age` seconds (a younger one of
    /// a live process may be a write in progress); returns their paths.
    @discardableResult
    public func removeLeftoverTemporaryFiles(olderThan age: Double = 60) -> [String] {
        let now = Date()
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var removed: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard name.hasPrefix("."), name.contains(".tmp-") else { continue }
            let path = root + "/" + relative
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
            if now.timeIntervalSince(modified) >= age || !Self.writerIsAlive(name: name), unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }

    /// Every temporary file below the bucket whose writing process is gone (a crashed write).
    public func leftoverTemporaryFiles() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix("."), name.contains(".tmp-"), !Self.writerIsAlive(name: name) { found.append(root + "/" + relative) }
        }
        return found.sorted()
    }

    /// Whether the process whose id a temporary file's name carries (`.tmp-<pid>-`) still runs; true
    /// when the name carries none (age alone decides then).
    static func writerIsAlive(name: String) -> Bool {
        guard let range = name.range(of: ".tmp-", options: .backwards),
            let pid = Int32(name[range.upperBound...].prefix { $0.isNumber }), pid > 0
        else { return true }
        return kill(pid, 0) == 0 || errno != ESRCH
    }

    public func get(key: String) async throws -> [UInt8] {
        var source = try await reader(key: key)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    public func reader(key: String) async throws -> any ByteSource {
        let file = try path(forKey: key)
        guard FileManager.default.fileExists(atPath: file) else { throw LocalBackendError.objectNotFound(key: key) }
        do {
            return try FileByteSource(path: file)
        } catch let error as FileError {
            throw LocalBackendError.file(error)
        }
    }

    public func list(prefix: String) async throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var keys: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard relative.hasPrefix(prefix) || prefix.hasPrefix(relative),
                FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
            else {
                if !prefix.hasPrefix(relative) { enumerator.skipDescendants() }
                continue
            }
            if !isDirectory.boolValue, relative.hasPrefix(prefix), !relative.split(separator: "/").last!.hasPrefix(".") {
                keys.append(relative)
            }
        }
        return keys.sorted()
    }
}

/// Crash-safe file replacement.
public enum AtomicFile {
    /// Writes `bytes` to `path` through a temporary file in the same folder, fsyncs it, renames
    /// it over `path`, and fsyncs the folder.
    /// - Throws: ``LocalBackendError/file(_:)`` naming the path and the system's reason (full disk,
    ///   read-only file system, permissions).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try makeFolder(folder)
        let temporary = folder + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocalBackendError.file(FileError(operation: "create", path: temporary, errno: errno)) }
        var failure: FileError?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = FileError(operation: "write", path: temporary, errno: errno)
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = FileError(operation: "fsync", path: temporary, errno: errno) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = FileError(operation: "rename", path: path, errno: errno) }
        if let failure {
            unlink(temporary)
            throw LocalBackendError.file(failure)
        }
        let dirfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    /// Creates `folder` and its parents.
    /// - Throws: ``LocalBackendError/file(_:)`` with the system's own reason (read-only file
    ///   system, no space, permission).
    public static func makeFolder(_ folder: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue { return }
        let parent = (folder as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != folder { try makeFolder(parent) }
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw LocalBackendError.file(FileError(operation: "create folder", path: folder, errno: errno))
        }
    }
}
