import Foundation

/// The local spool: batches that could not be stored in the bucket, kept crash-safely under
/// `<data-dir>/spool/<key>` until a later run uploads them with their keys unchanged.
///
/// Each file is written to a temporary name, flushed to disk, renamed into place and its folder
/// flushed, so that a crash leaves either the whole batch or none of it.
public struct Spool: Sendable {
    /// The spool folder.
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// The file that holds `key`.
    public func path(for key: String) -> String { root + "/" + key }

    /// Keeps `body` under `key`, replacing an earlier copy.
    /// - Throws: ``AWSBackendError/spool(path:reason:)``.
    public func store(_ body: [UInt8], key: String) throws {
        guard !key.isEmpty, !key.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }), !key.hasPrefix("/") else {
            throw AWSBackendError.spool(path: root, reason: "the key '\(key)' is not a relative object key")
        }
        let target = path(for: key)
        let folder = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw AWSBackendError.spool(path: folder, reason: error.localizedDescription)
        }
        let temporary = folder + "/.\((target as NSString).lastPathComponent).\(getpid()).tmp"
        try Self.writeSynced(body, to: temporary)
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw AWSBackendError.spool(path: target, reason: reason)
        }
        Self.syncFolder(folder)
    }

    /// The keys waiting in the spool, in key order.
    public func pending() throws -> [String] {
        guard FileManager.default.fileExists(atPath: root) else { return [] }
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw AWSBackendError.spool(path: root, reason: "cannot list the folder")
        }
        var keys: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            var isFolder: ObjCBool = false
            guard !name.hasPrefix("."), FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isFolder),
                !isFolder.boolValue
            else { continue }
            keys.append(relative)
        }
        return keys.sorted()
    }

    /// The spooled body of `key`.
    public func body(key: String) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path(for: key))))
        } catch {
            throw AWSBackendError.spool(path: path(for: key), reason: error.localizedDescription)
        }
    }

    /// Forgets `key` once it is stored in the bucket; empty folders are removed.
    public func remove(key: String) throws {
        let target = path(for: key)
        guard unlink(target) == 0 || errno == ENOENT else {
            throw AWSBackendError.spool(path: target, reason: String(cString: strerror(errno)))
        }
        var folder = (target as NSString).deletingLastPathComponent
        while folder.count > root.count, rmdir(folder) == 0 {
            folder = (folder as NSString).deletingLastPathComponent
        }
    }

    private static func writeSynced(_ body: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw AWSBackendError.spool(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var offset = 0
        while offset < body.count {
            let written = body[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else {
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw AWSBackendError.spool(path: path, reason: reason)
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw AWSBackendError.spool(path: path, reason: reason)
        }
    }

    private static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
