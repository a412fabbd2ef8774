public import Foundation

/// The data bucket's lifecycle applied to the embedded folder bucket (`lifecycle apply`): raw
/// batches older than the expiration (90 days in the seed) are deleted; those older than the
/// transition (30 days) are the ones S3 moves to STANDARD_IA. A folder has no storage classes, so
/// the transition is only recorded (by the caller, in the database) and the file stays as it is.
public struct BucketLifecycle: Sendable {
    /// The folder standing in for the bucket.
    public var root: String
    public var prefix = SeedNames.rawPrefix
    public var expirationDays = SeedNames.expirationDays
    public var transitionDays = SeedNames.transitionToIADays

    public init(root: String, transitionDays: Int = SeedNames.transitionToIADays, expirationDays: Int = SeedNames.expirationDays) {
        self.root = root
        self.transitionDays = transitionDays
        self.expirationDays = expirationDays
    }

    /// One object of the bucket with its age: what S3 keeps per object for its lifecycle.
    public struct Object: Sendable, Hashable {
        public var key: String
        public var bytes: Int64
        /// When the object was written (the file's modification time, as S3's creation time).
        public var created: Date

        public init(key: String, bytes: Int64, created: Date) {
            self.key = key
            self.bytes = bytes
            self.created = created
        }

        /// Whole and partial days since `created` at `now`.
        public func ageDays(at now: Date) -> Double { now.timeIntervalSince(created) / 86_400 }
    }

    /// What one pass found and did.
    public struct Report: Sendable {
        /// Keys deleted (or, in a dry run, that would be).
        public var expired: [String] = []
        public var expiredBytes: Int64 = 0
        /// Keys S3 would have moved to STANDARD_IA (older than the transition, not expired).
        public var infrequentAccess: [String] = []
        public var infrequentAccessBytes: Int64 = 0
        /// Keys younger than the transition.
        public var current = 0
        public var currentBytes: Int64 = 0
        public var dryRun = false
        /// The windows the pass used, for the summary.
        public var transitionDays = SeedNames.transitionToIADays
        public var expirationDays = SeedNames.expirationDays

        public init() {}
    }

    /// Every object under the prefix with its size and age, sorted by key; hidden files (a
    /// write's temporary file) are not objects.
    /// - Throws: ``DeployError/file(_:)`` when the folder or a file cannot be read.
    public func objects() throws -> [Object] {
        let manager = FileManager.default
        let base = root + "/" + prefix
        guard manager.fileExists(atPath: base) else { return [] }
        guard let enumerator = manager.enumerator(atPath: base) else {
            throw DeployError.file("cannot list \(base); check its permissions")
        }
        var objects: [Object] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: base + relative, isDirectory: &isDirectory), !isDirectory.boolValue,
                !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") })
            else { continue }
            let path = base + relative
            let attributes: [FileAttributeKey: Any]
            do {
                attributes = try manager.attributesOfItem(atPath: path)
            } catch {
                throw DeployError.file("cannot read \(path) (\(error.localizedDescription)); check its permissions")
            }
            let bytes = (attributes[.size] as? Int64) ?? Int64(attributes[.size] as? Int ?? 0)
            objects.append(Object(key: prefix + relative, bytes: bytes, created: attributes[.modificationDate] as? Date ?? Date()))
        }
        return objects.sorted { $0.key < $1.key }
    }

    /// Classifies the objects at `now` without changing anything: expired at or after
    /// `expirationDays`, STANDARD_IA at or after `transitionDays`, current otherwise.
    public func plan(now: Date = Date(), dryRun: Bool = true) throws -> Report {
        var report = Report()
        report.dryRun = dryRun
        report.transitionDays = transitionDays
        report.expirationDays = expirationDays
        for object in try objects() {
            let age = object.ageDays(at: now)
            if age >= Double(expirationDays) {
                report.expired.append(object.key)
                report.expiredBytes += object.bytes
            } else if age >= Double(transitionDays) {
                report.infrequentAccess.append(object.key)
                report.infrequentAccessBytes += object.bytes
            } else {
                report.current += 1
                report.currentBytes += object.bytes
            }
        }
        return report
    }

    /// Deletes the objects `keys` (missing ones are already gone) and prunes date folders left
    /// empty.
    /// - Throws: ``DeployError/file(_:)`` when a file cannot be deleted.
    public func delete(_ keys: [String]) throws {
        let manager = FileManager.default
        for key in keys {
            let path = root + "/" + key
            guard manager.fileExists(atPath: path) else { continue }
            do {
                try manager.removeItem(atPath: path)
            } catch {
                throw DeployError.file("cannot delete \(path) (\(error.localizedDescription)); check its permissions")
            }
        }
        pruneEmptyFolders(root + "/" + prefix)
    }

    /// ``plan(now:dryRun:)`` then, unless `dryRun`, ``delete(_:)`` of the expired objects.
    /// - Throws: ``DeployError/file(_:)`` when a file cannot be read or deleted.
    public func apply(now: Date = Date(), dryRun: Bool) throws -> Report {
        let report = try plan(now: now, dryRun: dryRun)
        if !dryRun { try delete(report.expired) }
        return report
    }

    /// Removes empty date folders below `base` (deepest first), keeping `base` itself.
    private func pruneEmptyFolders(_ base: String) {
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: base) else { return }
        var folders: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: base + relative, isDirectory: &isDirectory), isDirectory.boolValue {
                folders.append(base + relative)
            }
        }
        for folder in folders.sorted(by: { $0.count > $1.count }) {
            if let contents = try? manager.contentsOfDirectory(atPath: folder), contents.isEmpty {
                try? manager.removeItem(atPath: folder)
            }
        }
    }

    /// The operator's summary of a pass.
    public static func summary(_ report: Report) -> String {
        var lines: [String] = []
        let verb = report.dryRun ? "would delete" : "deleted"
        for key in report.expired { lines.append("\(verb) \(key)") }
        lines.append(
            "\(report.expired.count) object(s) older than \(report.expirationDays) days \(report.dryRun ? "to delete" : "deleted") (\(report.expiredBytes) bytes)"
                + (report.dryRun ? "; run without --dry-run to delete them" : "")
        )
        lines.append(
            "\(report.infrequentAccess.count) object(s) older than \(report.transitionDays) days (\(report.infrequentAccessBytes) bytes): "
                + "S3 moves these to STANDARD_IA; a local folder has no storage classes, so they stay as they are"
        )
        lines.append("\(report.current) object(s) younger than \(report.transitionDays) days kept (\(report.currentBytes) bytes)")
        return lines.joined(separator: "\n") + "\n"
    }
}
