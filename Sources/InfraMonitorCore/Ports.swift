public import InfraJSON
public import Logging

// The ports of the pipeline (docs/design.md, "Architecture"): what the pipeline asks of the place
// it runs in. The embedded backend (`LocalBackend`) and the AWS backend (`AWSBackend`) implement
// every one of them; `InfraMonitorTesting` holds an in-memory implementation of each for tests.

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
///
/// Storing an object emits nothing: the pipeline hands each stored raw batch to the processor
/// itself (`PipelineRunner`), as S3's event notification hands it to the log-processor Lambda.
public protocol ObjectStore: Sendable {
    /// The bucket's name, for created-events.
    var bucket: String { get }
    /// Stores `body` under `key` atomically, replacing any object of that key.
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

/// Where processed series are published as metric data (CloudWatch on AWS; nothing embedded,
/// where the dashboard reads the tables themselves).
public protocol MetricPublisher: Sendable {
    func publish(_ records: [MetricRecord]) async throws
}

/// The queryable per-sample table `metrics` (Athena over raw objects, or SQLite).
public protocol SampleIndex: Sendable {
    /// Replaces the samples indexed from `source` by those `produce` emits, atomically: a crash
    /// or error leaves the earlier state, and processing the same object twice leaves one copy.
    /// `produce` may block on I/O: implementations run it off the cooperative thread pool.
    func replaceSamples(source: String, produce: @escaping @Sendable (_ emit: (Sample) throws -> Void) throws -> Void) async throws

    /// Stores one processed object: the samples `produce` emits (replacing those indexed from
    /// `source`), the records it returns (written to `table`) and the record that `source` was
    /// processed. Where samples and records live in one database (SQLite) the three are one
    /// transaction, so a crash leaves either the whole batch or the earlier state; elsewhere (the
    /// AWS side: DynamoDB and Athena share no transaction) they are separate writes, repeated
    /// safely because every write is idempotent.
    func storeProcessedBatch(
        source: String,
        table: any MetricTable,
        produce: @escaping @Sendable (_ emit: (Sample) throws -> Void) throws -> [MetricRecord]
    ) async throws

    /// The raw batches in `objects` that have no processed-object record: stored, but never
    /// processed (a crash between storing and processing). Backends whose processing is driven by
    /// the bucket's own event notifications keep no such record, return none and list nothing.
    func unprocessedBatches(in objects: any ObjectStore) async throws -> [String]
}

extension SampleIndex {
    /// Separate writes: the samples, then the records; no processed-object record is kept.
    public func storeProcessedBatch(
        source: String,
        table: any MetricTable,
        produce: @escaping @Sendable (_ emit: (Sample) throws -> Void) throws -> [MetricRecord]
    ) async throws {
        let produced = ProducedRecords()
        try await replaceSamples(source: source) { emit in produced.records = try produce(emit) }
        try await table.upsert(produced.records)
    }

    /// None, without listing the bucket: without a processed-object record, every stored batch
    /// counts as processed.
    public func unprocessedBatches(in objects: any ObjectStore) async throws -> [String] { [] }
}

/// The records a produce closure returned, read after the closure ran.
///
/// `@unchecked Sendable`: the index runs the closure exactly once, and the caller reads the records
/// only after that call returned.
private final class ProducedRecords: @unchecked Sendable {
    var records: [MetricRecord] = []
}

/// A message for the `InfraMonitoring-Alarms` topic (docs/design.md, "Notifications").
public struct PipelineNotification: Sendable, Hashable {
    public var subject: String
    /// The JSON body.
    public var message: JSON

    public init(subject: String, message: JSON) {
        self.subject = subject
        self.message = message
    }

    /// The execution the message reports, when it names one.
    public var executionID: String? { message["execution_id"]?.stringValue }
}

/// SNS, or the local outbox with its optional webhook and sendmail deliveries.
public protocol Notifier: Sendable {
    func publish(_ notification: PipelineNotification) async throws
}

/// A notification as it was sent, with what became of its deliveries.
public struct NotificationRecord: Sendable, Hashable {
    public var id: Int64
    public var createdAt: String
    public var executionID: String?
    public var subject: String
    public var message: JSON
    /// Per channel (`webhook`, `email`, `sns`): "sent (HTTP 200)", "failed: …".
    public var deliveries: [String: String]

    public init(id: Int64, createdAt: String, executionID: String?, subject: String, message: JSON, deliveries: [String: String]) {
        self.id = id
        self.createdAt = createdAt
        self.executionID = executionID
        self.subject = subject
        self.message = message
        self.deliveries = deliveries
    }
}

/// The notifications sent so far, newest first.
public protocol NotificationLog: Sendable {
    func recent(limit: Int) async throws -> [NotificationRecord]
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
    func log(_ group: LogGroup, level: Logger.Level, message: String, fields: [String: String]) async
    /// Sends what is buffered (CloudWatch Logs batches events); a no-op where nothing is buffered.
    func flush() async
}

extension LogSink {
    public func flush() async {}
}

extension Logger.Level {
    /// The name written in log lines: `info`, `warn`, `error`, as the JSON log files always had.
    public var logName: String {
        switch self {
        case .trace: return "trace"
        case .debug: return "debug"
        case .info, .notice: return "info"
        case .warning: return "warn"
        case .error: return "error"
        case .critical: return "critical"
        }
    }
}

/// Collector state kept between runs: the previous counters of cpu and network per host.
public protocol CollectorStateStore: Sendable {
    func load(host: String, name: String) async throws -> String?
    func save(host: String, name: String, value: String) async throws
    /// The state `name` of each of `hosts` that has one (a fleet's targets, read at once).
    func loadAll(hosts: [String], name: String) async throws -> [String: String]
    /// Keeps the state `name` of many hosts at once (host → value); a store that can makes it one
    /// write (one transaction in SQLite).
    func saveAll(_ values: [String: String], name: String) async throws
}

extension CollectorStateStore {
    /// One ``load(host:name:)`` per host.
    public func loadAll(hosts: [String], name: String) async throws -> [String: String] {
        var found: [String: String] = [:]
        for host in hosts {
            if let value = try await load(host: host, name: name) { found[host] = value }
        }
        return found
    }

    /// One ``save(host:name:value:)`` per host.
    public func saveAll(_ values: [String: String], name: String) async throws {
        for (host, value) in values.sorted(by: { $0.key < $1.key }) { try await save(host: host, name: name, value: value) }
    }
}

/// One result table of a read-only query: column names and rows of JSON scalars (`null`,
/// numbers, strings), as SQLite types them or as Athena returns them (text).
public struct QueryTable: Sendable, Hashable {
    public var columns: [String]
    public var rows: [[JSON]]

    public init(columns: [String], rows: [[JSON]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// Read-only SQL over `metrics` and `infra_metrics` (Athena, or SQLite).
public protocol SampleQuery: Sendable {
    /// Runs one read statement; at most `rowLimit` rows, stopped after `timeLimitSeconds`.
    /// - Throws: ``QueryRefusal`` for anything but a read or a query that fails; other errors when the
    ///   service cannot be reached.
    func run(_ sql: String, rowLimit: Int, timeLimitSeconds: Double) async throws -> QueryTable
}

/// A query that was refused or failed because of the query itself (bad usage, not a broken service).
public struct QueryRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// One sample of one series (metric, host, labels), as the dashboard draws it.
public struct SeriesSample: Sendable, Hashable {
    public var metric: String
    public var host: String
    public var labels: [String: String]
    public var unit: String
    public var timestamp: Timestamp
    public var value: Double

    public init(metric: String, host: String, labels: [String: String], unit: String, timestamp: Timestamp, value: Double) {
        self.metric = metric
        self.host = host
        self.labels = labels
        self.unit = unit
        self.timestamp = timestamp
        self.value = value
    }

    /// `mountpoint=/, device=eth0`: the labels sorted by name.
    public var labelText: String {
        labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ", ")
    }
}

/// The series the dashboard shows (the samples table embedded; the records of `InfraMetrics` on AWS).
public protocol SeriesReader: Sendable {
    /// The newest sample of every series, ordered by metric, host and labels.
    func latestSamples() async throws -> [SeriesSample]
    /// Samples at or after `since`, optionally of one metric and one host, in time order.
    func samples(metric: String?, host: String?, since: Timestamp) async throws -> [SeriesSample]
}

/// Starts the deployed state machine and waits for its end (Step Functions).
public protocol RemoteRunner: Sendable {
    /// Starts an execution named `name` for the tick `scheduledTime`; returns its ARN.
    func start(name: String, scheduledTime: Timestamp) async throws -> String
    /// Waits until the execution has ended (or polling gave up) and returns it.
    func wait(executionARN: String) async throws -> ExecutionSummary
}

/// One scrape of one fleet target for one metric, as an execution's branch did it: what
/// `infra-monitor targets`, the dashboard's targets page and `/metrics` show (Prometheus's
/// targets page and its `up`/`scrape_duration_seconds`).
public struct TargetHealth: Sendable, Hashable {
    /// The execution whose branch scraped the target.
    public var executionID: String
    /// The scrape config's `job_name`.
    public var job: String
    /// The target's address (`host:port`), after relabeling.
    public var target: String
    /// The metric the branch scraped for.
    public var metric: String
    /// The host its samples carry.
    public var host: String
    /// The final labels after relabeling (`__`-prefixed ones removed).
    public var labels: [String: String]
    public var up: Bool
    /// The duration of the scrape, retry included, in seconds.
    public var scrapeSeconds: Double
    /// Why the scrape failed; nil when up.
    public var error: String?
    /// When the scrape happened.
    public var scrapedAt: Timestamp

    public init(
        executionID: String = "",
        job: String,
        target: String,
        metric: String,
        host: String,
        labels: [String: String],
        up: Bool,
        scrapeSeconds: Double,
        error: String?,
        scrapedAt: Timestamp
    ) {
        self.executionID = executionID
        self.job = job
        self.target = target
        self.metric = metric
        self.host = host
        self.labels = labels
        self.up = up
        self.scrapeSeconds = scrapeSeconds
        self.error = error
        self.scrapedAt = scrapedAt
    }
}

/// Each target's scrapes per execution (a SQLite table embedded; in memory for tests).
public protocol TargetHealthStore: Sendable {
    /// Stores the scrapes of one branch of `executionID`, replacing any of the same (job, target, metric).
    func record(executionID: String, _ scrapes: [TargetHealth]) async throws
    /// The newest scrape of every (job, target, metric), ordered by job, target and metric.
    func latestTargetHealth() async throws -> [TargetHealth]
    /// The scrapes of one execution, ordered by job, target and metric.
    func targetHealth(executionID: String) async throws -> [TargetHealth]
}
