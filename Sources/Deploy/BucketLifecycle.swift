public import Foundation

/// The data bucket's lifecycle applied to the embedded folder bucket (`lifecycle apply`): raw
/// batches older than 90 days are deleted. STANDARD_IA has no local equivalent: objects past
/// 30 days are reported as the ones S3 would move, and stay as they are.
public struct BucketLifecycle: Sendable {
    /// The folder standing in for the bucket.
    public var root: String
    public var prefix = SeedNames.rawPrefix
    public var expirationDays = SeedNames.expirationDays
    public var transitionDays = SeedNames.transitionToIADays

    public init(root: String) {
        self.root = root
    }

    /// What one pass found and did.
    public struct Report: Sendable {
        /// Keys deleted (or, in a dry run, that would be).
        public var expired: [String] = []
        public var expiredBytes: Int64 = 0
        /// Keys S3 would have moved to STANDARD_IA (older than 30 days, not expired).
        public var infrequentAccess: [String] = []
        /// Keys younger than 30 days.
        public var current = 0
        public var dryRun = false
    }

    /// Walks the objects under the prefix; ages come from the files' modification times, as S3's
    /// come from the objects' creation times. Deletes the expired ones unless `dryRun`, and prunes
    /// date folders left empty.
    /// - Throws: ``DeployError/file(_:)`` when a file cannot be read or deleted.
    public func apply(now: Date = Date(), dryRun: Bool) throws -> Report {
        var report = Report()
        report.dryRun = dryRun
        let manager = FileManager.default
        let base = root + "/" + prefix
        guard manager.fileExists(atPath: base) else { return report }
        guard let enumerator = manager.enumerator(atPath: base) else {
            throw DeployError.file("cannot list \(base); check its permissions")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: base + relative, isDirectory: &isDirectory), !isDirectory.boolValue,
                !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") })
            {
                files.append(relative)
            }
        }
        for relative in files.sorted() {
            let path = base + relative
            let attributes: [FileAttributeKey: Any]
            do {
                attributes = try manager.attributesOfItem(atPath: path)
            } catch {
                throw DeployError.file("cannot read \(path) (\(error.localizedDescription)); check its permissions")
            }
            let modified = attributes[.modificationDate] as? Date ?? now
            let ageDays = now.timeIntervalSince(modified) / 86_400
            let key = prefix + relative
            if ageDays >= Double(expirationDays) {
                report.expired.append(key)
                report.expiredBytes += (attributes[.size] as? Int64) ?? Int64(attributes[.size] as? Int ?? 0)
                if !dryRun {
                    do {
                        try manager.removeItem(atPath: path)
                    } catch {
                        throw DeployError.file("cannot delete \(path) (\(error.localizedDescription)); check its permissions")
                    }
                }
            } else if ageDays >= Double(transitionDays) {
                report.infrequentAccess.append(key)
            } else {
                report.current += 1
            }
        }
        if !dryRun { pruneEmptyFolders(base) }
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
            "\(report.expired.count) object(s) older than \(SeedNames.expirationDays) days \(verb) (\(report.expiredBytes) bytes)"
                + (report.dryRun ? "; run without --dry-run to delete them" : "")
        )
        lines.append(
            "\(report.infrequentAccess.count) object(s) older than \(SeedNames.transitionToIADays) days: S3 moves these to STANDARD_IA; "
                + "a local folder has no storage classes, so they stay as they are"
        )
        lines.append("\(report.current) object(s) younger than \(SeedNames.transitionToIADays) days kept")
        return lines.joined(separator: "\n") + "\n"
    }
}
