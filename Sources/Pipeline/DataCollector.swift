public import Collectors
import Compression
public import InfraJSON
public import InfraMonitorCore
import Logging

/// The `data-collector` function: collects one metric, stores it as a raw batch under the
/// execution's key, and returns `{"metric","samples","key"}` to the state machine
/// (docs/design.md, "Raw batches").
public struct DataCollector: Sendable {
    public let collector: any MetricCollector
    public let objects: any ObjectStore
    public let state: any CollectorStateStore
    public let logs: any LogSink
    /// Where each target's scrape is recorded per execution; nil records nothing.
    public var targetHealth: (any TargetHealthStore)?

    public init(collector: any MetricCollector, objects: any ObjectStore, state: any CollectorStateStore, logs: any LogSink) {
        self.collector = collector
        self.objects = objects
        self.state = state
        self.logs = logs
    }

    /// The data-collector over a backend's ports.
    public init(collector: any MetricCollector, backend: Backend) {
        self.init(collector: collector, objects: backend.objects, state: backend.collectorState, logs: backend.logs)
        targetHealth = backend.targetHealth
    }

    /// What one invocation did.
    public struct Result: Sendable, Hashable {
        public var metric: Metric
        public var samples: Int
        public var key: String
        /// The size of the stored (gzip) object.
        public var bytes: Int
        /// Targets that could not be collected.
        public var failedTargets: [TargetFailure]

        /// The function's response payload.
        public var payload: JSON {
            var payload: [String: JSON] = [
                "metric": .string(metric.rawValue), "samples": .number(Double(samples)), "key": .string(key),
            ]
            if !failedTargets.isEmpty {
                payload["failed_targets"] = .array(
                    failedTargets.map { ["target": .string($0.target), "error": .string($0.error)] }
                )
            }
            return .object(payload)
        }
    }

    /// Handles a branch payload `{"metric","execution_id","scheduled_time"}`.
    /// - Throws: ``PipelineError/badPayload(_:)`` or the collector's error.
    public func handle(payload: JSON) async throws -> Result {
        guard let name = payload["metric"]?.stringValue, let metric = Metric(rawValue: name) else {
            throw PipelineError.badPayload(
                "\"metric\" must be one of \(Metric.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard let executionID = payload["execution_id"]?.stringValue, !executionID.isEmpty,
            !executionID.contains("/")
        else {
            throw PipelineError.badPayload("\"execution_id\" must be a non-empty name without '/'")
        }
        guard let timeText = payload["scheduled_time"]?.stringValue, let scheduled = Timestamp.parseRFC3339(timeText) else {
            throw PipelineError.badPayload("\"scheduled_time\" must be an RFC 3339 timestamp")
        }
        let shard = try Self.shard(in: payload)
        let collected: CollectedMetric
        do {
            collected = try await collect(metric, shard: shard)
        } catch let failure as CollectionFailure {
            await record(failure.targets, executionID: executionID, metric: metric)
            throw failure.error
        }
        await record(collected.targets, executionID: executionID, metric: metric)
        let key = ObjectKeys.rawBatch(
            scheduledAt: scheduled,
            executionID: executionID,
            metric: metric.rawValue,
            shard: shard.map { ($0.index, $0.count) }
        )
        var body = ""
        for sample in collected.samples {
            body += sample.jsonLine
            body += "\n"
        }
        let object = Gzip.compress(Array(body.utf8))
        try await objects.put(object, key: key)
        await logs.log(
            .dataCollector,
            level: .info,
            message: "stored raw batch",
            fields: ["metric": metric.rawValue, "samples": String(collected.samples.count), "key": key, "execution_id": executionID]
        )
        return Result(metric: metric, samples: collected.samples.count, key: key, bytes: object.count, failedTargets: collected.failedTargets)
    }

    /// Stores the branch's target scrapes; a failure to store them is logged and never fails the branch.
    func record(_ targets: [TargetHealth], executionID: String, metric: Metric) async {
        guard let targetHealth, !targets.isEmpty else { return }
        do {
            try await targetHealth.record(executionID: executionID, targets)
        } catch {
            await logs.log(
                .dataCollector,
                level: .warning,
                message: "could not store the target health",
                fields: ["metric": metric.rawValue, "execution_id": executionID, "error": "\(error)"]
            )
        }
    }

    /// Collects one metric now (one shard of the targets when `shard` is given and the collector
    /// has targets), keeping the counter state for the next collection.
    public func collect(_ metric: Metric, shard: CollectionShard? = nil) async throws -> CollectedMetric {
        do {
            if let shard, let sharded = collector as? any ShardedCollector {
                return try await sharded.collect(metric, shard: shard, state: state, now: .now())
            }
            return try await collector.collect(metric, state: state, now: .now())
        } catch {
            await logs.log(
                .dataCollector,
                level: .error,
                message: "collection failed",
                fields: ["metric": metric.rawValue, "error": "\(error)"]
            )
            throw error
        }
    }
}
