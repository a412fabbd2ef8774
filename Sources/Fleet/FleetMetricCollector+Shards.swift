public import Collectors
public import InfraMonitorCore

extension FleetMetricCollector: ShardedCollector {
    public func targetCount() async -> Int { await discovery.discover().targets.count }

    /// The targets are sorted by ``ScrapeTarget/stateKey`` and dealt round-robin to the shards, so
    /// every invocation of one execution takes the same share (unless discovery changes between
    /// them: a target that appears mid-execution is scraped by the next one). Discovery problems
    /// and this machine (`collect_local`) belong to shard 0 only.
    public func collect(
        _ metric: Metric,
        shard: CollectionShard,
        state: any CollectorStateStore,
        now: Timestamp
    ) async throws
        -> CollectedMetric
    {
        guard shard.count > 1 else { return try await collect(metric, state: state, now: now) }
        let found = await discovery.discover()
        let sorted = found.targets.sorted { $0.stateKey < $1.stateKey }
        let share = sorted.enumerated().filter { shard.contains(position: $0.offset) }.map(\.element)
        let scraper = FleetScraper(fetcher: fetcher, stateStore: state, options: options)
        let result = await scraper.collect(metric, targets: share, now: now)
        var failed = result.failedTargetList.map { TargetFailure(target: $0.target, error: $0.error) }
        var samples = result.samples
        if shard.index == 0 {
            failed += found.problems.map { TargetFailure(target: "(discovery)", error: "\($0)") }
            if let local { samples += try await local.collect(metric, state: state, now: now).samples }
        }
        return CollectedMetric(samples: samples, failedTargets: failed, targets: Self.health(of: result, metric: metric, at: now))
    }
}
