import Foundation
public import InfraMonitorCore

/// Watches the file_sd files of scrape configs between executions: every `interval` it expands the
/// globs and compares each file's modification time, size and inode with the previous poll; when
/// a file appeared, changed or went away it runs discovery again and publishes the result, so that
/// `serve` shows new targets without waiting for the next execution. A malformed file keeps its
/// previous targets (``TargetDiscovery`` keeps them) and is in the result's problems.
public struct FileSDWatcher: Sendable {
    /// One file as a poll saw it.
    public struct Stamp: Sendable, Hashable {
        public var path: String
        public var modifiedNanoseconds: Int64
        public var size: Int64
        public var inode: UInt64
    }

    public let discovery: TargetDiscovery
    public let interval: Duration
    /// Receives each discovery: the first at once, then one after every change.
    public let publish: @Sendable (DiscoveryResult) async -> Void

    public init(discovery: TargetDiscovery, interval: Duration, publish: @escaping @Sendable (DiscoveryResult) async -> Void) {
        self.discovery = discovery
        self.interval = interval
        self.publish = publish
    }

    /// The glob patterns of every job's `file_sd_configs`.
    public var patterns: [String] {
        discovery.configs.flatMap { $0.fileSDConfigs.flatMap(\.files) }
    }

    /// The files the patterns name now, with their stamps, sorted by path; a file that vanished
    /// between the glob and `stat` is left out.
    public static func stamps(of patterns: [String]) -> [Stamp] {
        var stamps: [Stamp] = []
        for path in Set(patterns.flatMap(FileSD.expand)).sorted() {
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            stamps.append(
                Stamp(
                    path: path,
                    modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                    size: Int64(info.st_size),
                    inode: UInt64(info.st_ino)
                )
            )
        }
        return stamps
    }

    /// One poll: discovers and publishes when the files differ from `previous`; returns the
    /// stamps to compare the next poll with.
    @discardableResult
    public func poll(since previous: [Stamp]) async -> [Stamp] {
        let now = Self.stamps(of: patterns)
        guard now != previous else { return previous }
        await publish(await discovery.discover())
        return now
    }

    /// Publishes a first discovery, then polls every `interval` until the task is cancelled.
    public func run() async {
        var stamps = Self.stamps(of: patterns)
        await publish(await discovery.discover())
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            stamps = await poll(since: stamps)
        }
    }
}

extension DiscoveryResult {
    /// The targets as the dashboard lists them before any scrape.
    public var discoveredTargets: [DiscoveredTarget] {
        targets.map { DiscoveredTarget(job: $0.job, target: $0.address, host: $0.host(nodename: nil), labels: $0.labels) }
    }
}
