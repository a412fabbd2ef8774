/// An object was stored: what S3 sends to the log-processor (`s3:ObjectCreated:*`).
public struct ObjectCreatedEvent: Sendable, Hashable {
    public var bucket: String
    public var key: String
    public var size: Int

    public init(bucket: String, key: String, size: Int) {
        self.bucket = bucket
        self.key = key
        self.size = size
    }
}

/// The data bucket: raw batches and quarantined lines (S3, or a folder on one machine).
public protocol ObjectStore: Sendable {
    /// Stores `body` under `key` atomically, replacing any object of that key, and emits a
    /// created-event to the subscribers of the key's prefix.
    func put(_ body: [UInt8], key: String) async throws
    /// The whole object.
    func get(key: String) async throws -> [UInt8]
    /// A streaming reader of the object.
    func reader(key: String) async throws -> any ByteSource
    /// Keys under `prefix`, in key order.
    func list(prefix: String) async throws -> [String]
}

/// The `InfraMetrics` table (DynamoDB, or SQLite `infra_metrics`).
public protocol MetricTable: Sendable {
    /// Writes records, replacing any with the same (metric_id, timestamp).
    func upsert(_ records: [MetricRecord]) async throws
    /// Records of one series (or all when `metricID` is nil) with `from <= timestamp < to`,
    /// ordered by (metric_id, timestamp).
    func records(metricID: String?, from: Timestamp?, to: Timestamp?, limit: Int?) async throws -> [MetricRecord]
}

/// The queryable per-sample table `metrics` (Athena over raw objects, or SQLite).
public protocol SampleIndex: Sendable {
    /// Replaces the samples indexed from `source` by those `produce` emits, atomically: a crash
    /// or error leaves the earlier state, and processing the same object twice leaves one copy.
    func replaceSamples(source: String, produce: (_ emit: (Sample) throws -> Void) throws -> Void) throws
}

/// A message for the `InfraMonitoring-Alarms` topic (DESIGN §7).
public struct PipelineNotification: Sendable, Hashable {
    public var subject: String
    /// The JSON body.
    public var message: String

    public init(subject: String, message: String) {
        self.subject = subject
        self.message = message
    }
}

/// SNS, or the local outbox with its optional webhook and sendmail deliveries.
public protocol Notifier: Sendable {
    func publish(_ notification: PipelineNotification) async throws
}

/// The two Lambda log groups of the seed.
public enum LogGroup: String, Sendable, CaseIterable {
    case dataCollector = "/aws/lambda/data-collector"
    case logProcessor = "/aws/lambda/log-processor"

    /// A file-name-safe short name.
    public var shortName: String {
        switch self {
        case .dataCollector: return "data-collector"
        case .logProcessor: return "log-processor"
        }
    }
}

/// Structured log lines per log group (CloudWatch Logs, or JSON Lines files).
public protocol LogSink: Sendable {
    /// Appends one event; `fields` become the JSON object's keys beside `time`, `level` and `message`.
    func log(_ group: LogGroup, level: String, message: String, fields: [String: String]) async
}

/// Collector state kept between runs: the previous counters of cpu and network per host.
public protocol CollectorStateStore: Sendable {
    func load(host: String, name: String) async throws -> String?
    func save(host: String, name: String, value: String) async throws
}
