public import InfraMonitorCore

/// One share of a collector's targets: the `index`-th of `count` (docs/deploy.md, "Fleets"),
/// so that one invocation of a 128 MB, 30 s data-collector scrapes a bounded number of targets.
public struct CollectionShard: Sendable, Hashable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Whether the item at `position` of the sorted target list belongs to this shard: targets are
    /// dealt round-robin, so shards differ in size by at most one.
    public func contains(position: Int) -> Bool { position % count == index }

    /// The shards for `targets` targets at most `size` each: at least one, so that a collector
    /// without targets (the local machine) runs exactly once, as before sharding.
    public static func plan(targets: Int, size: Int) -> [CollectionShard] {
        let count = max(1, (targets + max(size, 1) - 1) / max(size, 1))
        return (0..<count).map { CollectionShard(index: $0, count: count) }
    }
}

/// A collector over many targets that can collect one shard of them at a time.
public protocol ShardedCollector: MetricCollector {
    /// How many targets a collection would scrape now (after discovery and relabeling).
    func targetCount() async -> Int

    /// Collects `metric` from the targets of `shard` only; every target failing fails the
    /// collection only when the shard is the whole fleet (`shard.count == 1`).
    func collect(_ metric: Metric, shard: CollectionShard, state: any CollectorStateStore, now: Timestamp) async throws -> CollectedMetric
}
