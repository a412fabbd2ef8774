import Foundation
import Synchronization

/// Where a distributed Map state reads its items (`ItemReader`) and writes its results
/// (`ResultWriter`): the interpreter's port to S3-like buckets.
///
/// On Step Functions these are the S3 `GetObject`, `ListObjectsV2` and `PutObject` calls the
/// service makes for the Map Run (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html,
/// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html). Locally,
/// ``InMemoryBucketStorage`` serves tests and ``FolderBucketStorage`` a folder per bucket (the data
/// directory's `objects/<bucket>` tree, as `infra-monitor states run --data-dir` uses it).
public protocol BucketStorage: Sendable {
    /// The bytes of one object.
    func getObject(bucket: String, key: String) async throws(BucketStorageError) -> [UInt8]
    /// Creates or replaces one object.
    func putObject(bucket: String, key: String, body: [UInt8]) async throws(BucketStorageError)
    /// Every object whose key starts with `prefix`, in key order (as ListObjectsV2 lists them).
    func listObjects(bucket: String, prefix: String) async throws(BucketStorageError) -> [BucketObject]
}

/// One object as ListObjectsV2 describes it.
public struct BucketObject: Sendable, Hashable {
    /// The object key.
    public var key: String
    /// The size in bytes.
    public var size: Int
    /// When it was last written, in seconds since 1970.
    public var lastModified: Double
    /// The entity tag: the MD5 of the bytes in hex, in double quotes, as S3 gives it for a single-part upload.
    public var eTag: String

    /// Creates a description.
    public init(key: String, size: Int, lastModified: Double, eTag: String) {
        self.key = key
        self.size = size
        self.lastModified = lastModified
        self.eTag = eTag
    }

    /// The entity tag S3 gives a single-part upload of `bytes`: its MD5 in hex, in double quotes.
    public static func eTag(of bytes: [UInt8]) -> String { "\"" + (Digests.hex("MD5", bytes) ?? "") + "\"" }
}

/// Why a bucket operation failed.
public enum BucketStorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bucket does not exist.
    case noSuchBucket(String)
    /// The object does not exist.
    case noSuchKey(bucket: String, key: String)
    /// The bucket name or key cannot name an object (empty, `..`, leading `/`).
    case invalidName(String)
    /// Reading or writing failed, with the system's reason.
    case io(String)

    public var description: String {
        switch self {
        case .noSuchBucket(let bucket): "The bucket '\(bucket)' does not exist"
        case .noSuchKey(let bucket, let key): "The object '\(key)' does not exist in the bucket '\(bucket)'"
        case .invalidName(let name): "'\(name)' is not a valid bucket name or object key"
        case .io(let reason): reason
        }
    }
}

/// Buckets held in memory, for tests and benchmarks. A bucket exists once an object is put in it
/// or it is named in ``init(objects:)``.
public final class InMemoryBucketStorage: BucketStorage {
    private struct Stored {
        var body: [UInt8]
        var object: BucketObject
    }

    private let buckets: Mutex<[String: [String: Stored]]>
    private let clock: @Sendable () -> Double

    /// Creates buckets holding `objects` (bucket name → key → bytes); `now` gives `LastModified`.
    public init(objects: [String: [String: [UInt8]]] = [:], now: @escaping @Sendable () -> Double = { 1_767_225_600 }) {
        self.clock = now
        var initial: [String: [String: Stored]] = [:]
        let time = now()
        for (bucket, contents) in objects {
            var stored: [String: Stored] = [:]
            for (key, body) in contents {
                stored[key] = Stored(
                    body: body,
                    object: BucketObject(key: key, size: body.count, lastModified: time, eTag: BucketObject.eTag(of: body))
                )
            }
            initial[bucket] = stored
        }
        self.buckets = Mutex(initial)
    }

    public func getObject(bucket: String, key: String) async throws(BucketStorageError) -> [UInt8] {
        let found: [UInt8]?? = buckets.withLock { $0[bucket].map { $0[key]?.body } }
        guard let inBucket = found else { throw .noSuchBucket(bucket) }
        guard let body = inBucket else { throw .noSuchKey(bucket: bucket, key: key) }
        return body
    }

    public func putObject(bucket: String, key: String, body: [UInt8]) async throws(BucketStorageError) {
        guard !bucket.isEmpty, !key.isEmpty else { throw .invalidName(bucket.isEmpty ? bucket : key) }
        let object = BucketObject(key: key, size: body.count, lastModified: clock(), eTag: BucketObject.eTag(of: body))
        buckets.withLock { $0[bucket, default: [:]][key] = Stored(body: body, object: object) }
    }

    public func listObjects(bucket: String, prefix: String) async throws(BucketStorageError) -> [BucketObject] {
        let found: [BucketObject]? = buckets.withLock { buckets in
            buckets[bucket].map { $0.values.map(\.object).filter { $0.key.hasPrefix(prefix) } }
        }
        guard let found else { throw .noSuchBucket(bucket) }
        return found.sorted { $0.key < $1.key }
    }

    /// The bytes of an object, or `nil` (for test assertions).
    public func object(bucket: String, key: String) -> [UInt8]? {
        buckets.withLock { $0[bucket]?[key]?.body }
    }

    /// The keys of a bucket, sorted (for test assertions).
    public func keys(bucket: String) -> [String] {
        buckets.withLock { ($0[bucket] ?? [:]).keys.sorted() }
    }
}

/// Buckets as folders: the object `key` of `bucket` is the file `<root>/<bucket>/<key>`, the layout of
/// the data directory's `objects` folder (LocalBackend's folder object store). Writes go through a
/// temporary file and a rename, so a reader never sees half an object.
public struct FolderBucketStorage: BucketStorage {
    /// The folder holding one folder per bucket.
    public let root: String

    /// Creates storage over `root` (e.g. `<data-dir>/objects`).
    public init(root: String) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    /// The folder of a bucket.
    func folder(_ bucket: String) throws(BucketStorageError) -> String {
        guard !bucket.isEmpty, !bucket.contains("/"), bucket != ".", bucket != ".." else { throw .invalidName(bucket) }
        return root + "/" + bucket
    }

    /// The file of an object; refuses keys that would leave the bucket's folder.
    func file(_ bucket: String, _ key: String) throws(BucketStorageError) -> String {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !key.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == ".." || $0 == "." }) else {
            throw .invalidName(key)
        }
        return try folder(bucket) + "/" + key
    }

    private func bucketExists(_ bucket: String) throws(BucketStorageError) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: try folder(bucket), isDirectory: &isDirectory) && isDirectory.boolValue
    }

    public func getObject(bucket: String, key: String) async throws(BucketStorageError) -> [UInt8] {
        let path = try file(bucket, key)
        guard try bucketExists(bucket) else { throw .noSuchBucket(bucket) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .noSuchKey(bucket: bucket, key: key) }
        return [UInt8](data)
    }

    public func putObject(bucket: String, key: String, body: [UInt8]) async throws(BucketStorageError) {
        let path = try file(bucket, key)
        let parent = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create the folder \(parent): \(error)")
        }
        let temporary = parent + "/.\(path[path.index(after: path.lastIndex(of: "/")!)...]).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(body)) else {
            throw .io("cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io("cannot rename \(temporary) to \(path): \(reason)")
        }
    }

    public func listObjects(bucket: String, prefix: String) async throws(BucketStorageError) -> [BucketObject] {
        let base = try folder(bucket)
        guard try bucketExists(bucket) else { throw .noSuchBucket(bucket) }
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [] }
        var objects: [BucketObject] = []
        while let relative = enumerator.nextObject() as? String {
            let path = base + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if !relative.hasPrefix(prefix), !prefix.hasPrefix(relative + "/") { enumerator.skipDescendants() }
                continue
            }
            let name = relative.split(separator: "/").last.map(String.init) ?? relative
            guard relative.hasPrefix(prefix), !name.hasPrefix("."), let data = FileManager.default.contents(atPath: path) else { continue }
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let bytes = [UInt8](data)
            objects.append(BucketObject(key: relative, size: bytes.count, lastModified: modified.rounded(.down), eTag: BucketObject.eTag(of: bytes)))
        }
        return objects.sorted { $0.key < $1.key }
    }
}
