public import InfraMonitorCore

/// What one collection of one metric produced.
public struct CollectedMetric: Sendable, Hashable {
    /// The samples, of one host or of every target of a fleet.
    public var samples: [Sample]
    /// Targets that could not be collected this time (empty for the local machine, which either
    /// works or fails the collection).
    public var failedTargets: [TargetFailure]
    /// Each scrape target's outcome, for the target-health table (empty for the local machine).
    public var targets: [TargetHealth]

    public init(samples: [Sample], failedTargets: [TargetFailure] = [], targets: [TargetHealth] = []) {
        self.samples = samples
        self.failedTargets = failedTargets
        self.targets = targets
    }
}

/// A scrape target that failed, as the notification and `executions show` list it.
public struct TargetFailure: Sendable, Hashable {
    /// The target's address, such as `10.0.0.7:9100`.
    public var target: String
    public var error: String

    public init(target: String, error: String) {
        self.target = target
        self.error = error
    }
}

/// A source of the four metrics: this machine's procfs, one node_exporter target, or a fleet.
///
/// cpu and network are averages since the previous collection (docs/design.md, "Metrics"): the
/// collector keeps the counters it needs for that in `state`, under names of its own choosing.
public protocol MetricCollector: Sendable {
    /// Collects `metric` at `now`, reading and updating its counter state in `state`.
    func collect(_ metric: Metric, state: any CollectorStateStore, now: Timestamp) async throws -> CollectedMetric
}

extension SystemCollector: MetricCollector {
    /// Collects with the state of this host, kept under (host, metric).
    public func collect(_ metric: Metric, state: any CollectorStateStore, now: Timestamp) async throws -> CollectedMetric {
        try await CounterStateSlot(host: hostName, metric: metric, store: state).collect { previous in
            try await collect(metric, previousState: previous, now: now)
        }
    }
}

extension NodeExporterCollector: MetricCollector {
    /// Collects with the state of this target's host, kept under (host, metric).
    public func collect(_ metric: Metric, state: any CollectorStateStore, now: Timestamp) async throws -> CollectedMetric {
        try await CounterStateSlot(host: hostName, metric: metric, store: state).collect { previous in
            try await collect(metric, previousState: previous, now: now)
        }
    }
}

/// One collector's state entry: load it, collect, and save what the collection returns.
struct CounterStateSlot {
    let host: String
    let metric: Metric
    let store: any CollectorStateStore

    func collect(
        _ body: (_ previous: String?) async throws -> (samples: [Sample], state: String?)
    ) async throws -> CollectedMetric {
        let previous = try await store.load(host: host, name: metric.rawValue)
        let result = try await body(previous)
        if let next = result.state {
            try await store.save(host: host, name: metric.rawValue, value: next)
        }
        return CollectedMetric(samples: result.samples)
    }
}

/// A collection that failed after it scraped its targets (every one failed): the error to report,
/// with each target's outcome, so that the target-health table still learns that they are down.
public struct CollectionFailure: Error, Sendable, CustomStringConvertible {
    /// The error the branch fails with.
    public var error: any Error & Sendable
    public var targets: [TargetHealth]

    public init(error: any Error & Sendable, targets: [TargetHealth]) {
        self.error = error
        self.targets = targets
    }

    public var description: String { "\(error)" }
}
