import Collectors
import Compression
import InfraJSON
import InfraMonitorCore

/// The `data-collector` function: collects one metric, stores it as a raw batch under the
/// execution's key, and returns `{"metric","samples","key"}` to the state machine.
public struct DataCollector: Sendable {
    public let collector: SystemCollector
    public let hostName: String
    public let objects: any ObjectStore
    public let state: any CollectorStateStore
    public let logs: any LogSink

    public init(
        collector: SystemCollector,
        hostName: String,
        objects: any ObjectStore,
        state: any CollectorStateStore,
        logs: any LogSink
    ) {
        self.collector = collector
        self.hostName = hostName
        self.objects = objects
        self.state = state
        self.logs = logs
    }

    /// What one invocation did.
    public struct Result: Sendable, Hashable {
        public var metric: Metric
        public var samples: Int
        public var key: String

        /// The function's response payload.
        public var payload: JSON {
            ["metric": .string(metric.rawValue), "samples": .number(Double(samples)), "key": .string(key)]
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
        let (samples, _) = try await collect(metric)
        let key = ObjectKeys.rawBatch(scheduledAt: scheduled, executionID: executionID, metric: metric.rawValue)
        var body = ""
        for sample in samples {
            body += sample.jsonLine
            body += "\n"
        }
        try await objects.put(Gzip.compress(Array(body.utf8)), key: key)
        await logs.log(
            .dataCollector,
            level: "info",
            message: "stored raw batch",
            fields: ["metric": metric.rawValue, "samples": String(samples.count), "key": key, "execution_id": executionID]
        )
        return Result(metric: metric, samples: samples.count, key: key)
    }

    /// Collects one metric now, keeping the counter state for the next collection.
    public func collect(_ metric: Metric) async throws -> (samples: [Sample], state: String?) {
        let previous = try await state.load(host: hostName, name: metric.rawValue)
        do {
            let result = try await collector.collect(metric, previousState: previous, now: .now())
            if let next = result.state {
                try await state.save(host: hostName, name: metric.rawValue, value: next)
            }
            return result
        } catch {
            await logs.log(
                .dataCollector,
                level: "error",
                message: "collection failed",
                fields: ["metric": metric.rawValue, "error": "\(error)"]
            )
            throw error
        }
    }
}
