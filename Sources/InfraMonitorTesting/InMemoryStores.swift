public import Collectors
public import InfraJSON
public import InfraMonitorCore
public import Logging

/// The data bucket in memory.
public actor InMemoryObjectStore: ObjectStore {
    public nonisolated let bucket: String
    /// Every object by key.
    public private(set) var objects: [String: [UInt8]] = [:]
    /// Keys whose `put` fails with ``InMemoryFailure``.
    public var refusedKeys: Set<String> = []

    public init(bucket: String = ObjectKeys.bucket) { self.bucket = bucket }

    /// Makes every later put of a key under `prefix` fail.
    public func refuse(prefix: String) { refusedPrefixes.append(prefix) }
    private var refusedPrefixes: [String] = []

    public func put(_ body: [UInt8], key: String) async throws {
        if refusedKeys.contains(key) || refusedPrefixes.contains(where: key.hasPrefix) {
            throw InMemoryFailure("the bucket refused \(key)")
        }
        objects[key] = body
    }

    public func get(key: String) async throws -> [UInt8] {
        guard let body = objects[key] else { throw InMemoryFailure("no object \(key)") }
        return body
    }

    public nonisolated func reader(key: String) async throws -> any ByteSource { BufferByteSource(try await get(key: key)) }

    public func list(prefix: String) async throws -> [String] { objects.keys.filter { $0.hasPrefix(prefix) }.sorted() }
}

/// A failure an in-memory port was told to produce.
public struct InMemoryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `InfraMetrics` in memory, keyed by (metric_id, timestamp) as DynamoDB keys it.
public actor InMemoryMetricTable: MetricTable {
    private var rows: [String: MetricRecord] = [:]

    public init() {}

    /// Every record, ordered by (metric_id, timestamp).
    public var all: [MetricRecord] { rows.values.sorted { ($0.metricID, $0.timestampText) < ($1.metricID, $1.timestampText) } }

    public func upsert(_ records: [MetricRecord]) async throws {
        for record in records { rows[record.metricID + "\u{0}" + record.timestampText] = record }
    }

    public func records(metricID: String?, from: Timestamp?, to: Timestamp?, limit: Int?) async throws -> [MetricRecord] {
        let matching = all.filter { record in
            (metricID == nil || record.metricID == metricID) && (from.map { record.timestamp >= $0 } ?? true)
                && (to.map { record.timestamp < $0 } ?? true)
        }
        return limit.map { Array(matching.prefix($0)) } ?? matching
    }
}

/// The query table in memory; it also serves the dashboard's series, as SQLite does.
public actor InMemorySampleIndex: SampleIndex, SeriesReader {
    /// Samples per source object.
    public private(set) var bySource: [String: [Sample]] = [:]

    public init() {}

    /// Every indexed sample.
    public var all: [Sample] { bySource.keys.sorted().flatMap { bySource[$0] ?? [] } }

    public func replaceSamples(source: String, produce: @escaping @Sendable ((Sample) throws -> Void) throws -> Void) async throws {
        var collected: [Sample] = []
        try produce { collected.append($0) }
        bySource[source] = collected
    }

    /// Sources whose processing was stored (``storeProcessedBatch(source:table:produce:)``).
    public private(set) var processed: Set<String> = []

    /// Stores the samples, then the records in `table`, then marks `source` processed: the order of
    /// the embedded backend's one transaction (an actor cannot share a transaction with `table`).
    public func storeProcessedBatch(
        source: String,
        table: any MetricTable,
        produce: @escaping @Sendable ((Sample) throws -> Void) throws -> [MetricRecord]
    ) async throws {
        var collected: [Sample] = []
        let records = try produce { collected.append($0) }
        try await table.upsert(records)
        bySource[source] = collected
        processed.insert(source)
    }

    public func unprocessedBatches(in objects: any ObjectStore) async throws -> [String] {
        try await objects.list(prefix: ObjectKeys.rawPrefix).filter { !processed.contains($0) }
    }

    public func latestSamples() async throws -> [SeriesSample] {
        var latest: [String: SeriesSample] = [:]
        for sample in all.map(Self.series) {
            let key = sample.metric + "\u{0}" + sample.host + "\u{0}" + sample.labelText
            if let known = latest[key], known.timestamp >= sample.timestamp { continue }
            latest[key] = sample
        }
        return latest.values.sorted { ($0.metric, $0.host, $0.labelText) < ($1.metric, $1.host, $1.labelText) }
    }

    public func samples(metric: String?, host: String?, since: Timestamp) async throws -> [SeriesSample] {
        all.map(Self.series).filter { ($0.timestamp >= since) && (metric == nil || $0.metric == metric) && (host == nil || $0.host == host) }
            .sorted { $0.timestamp < $1.timestamp }
    }

    static func series(_ s: Sample) -> SeriesSample {
        SeriesSample(metric: s.metric, host: s.host, labels: s.labels, unit: s.unit, timestamp: s.timestamp, value: s.value)
    }
}

/// A metric publisher that keeps what it was given.
public actor RecordingPublisher: MetricPublisher {
    public private(set) var published: [MetricRecord] = []

    public init() {}

    public func publish(_ records: [MetricRecord]) async throws { published += records }
}

/// A notifier that keeps every message, and the log of them; it can be told to fail.
public actor RecordingNotifier: Notifier, NotificationLog {
    public private(set) var sent: [PipelineNotification] = []
    /// When set, `publish` throws it (after nothing was kept).
    public var failure: InMemoryFailure?

    public init() {}

    public func fail(with failure: InMemoryFailure?) { self.failure = failure }

    public func publish(_ notification: PipelineNotification) async throws {
        if let failure { throw failure }
        sent.append(notification)
    }

    public func recent(limit: Int) async throws -> [NotificationRecord] {
        sent.enumerated().reversed().prefix(limit).map { index, n in
            NotificationRecord(
                id: Int64(index + 1),
                createdAt: "",
                executionID: n.executionID,
                subject: n.subject,
                message: n.message,
                deliveries: [:]
            )
        }
    }
}

/// One log event as ``RecordingLogSink`` keeps it.
public struct LoggedEvent: Sendable, Hashable {
    public var group: LogGroup
    public var level: Logger.Level
    public var message: String
    public var fields: [String: String]
}

/// A log sink that keeps every event in memory.
public actor RecordingLogSink: LogSink {
    public private(set) var events: [LoggedEvent] = []

    public init() {}

    public func log(_ group: LogGroup, level: Logger.Level, message: String, fields: [String: String]) async {
        events.append(LoggedEvent(group: group, level: level, message: message, fields: fields))
    }
}

/// Executions and their history in memory.
public actor InMemoryExecutionStore: ExecutionStore {
    private var executions: [String: ExecutionSummary] = [:]
    private var inputs: [String: JSON] = [:]
    private var history: [String: [ExecutionEvent]] = [:]

    public init() {}

    /// The input an execution started with.
    public func input(of id: String) -> JSON? { inputs[id] }

    public func started(_ execution: ExecutionSummary, input: JSON) async throws {
        executions[execution.id] = execution
        inputs[execution.id] = input
        history[execution.id] = []
    }

    public func append(_ event: ExecutionEvent, executionID: String) async throws { history[executionID, default: []].append(event) }

    public func finished(_ execution: ExecutionSummary) async throws { executions[execution.id] = execution }

    public func list(limit: Int) async throws -> [ExecutionSummary] {
        Array(executions.values.sorted { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }.prefix(limit))
    }

    public func execution(id: String) async throws -> ExecutionSummary? { executions[id] }

    public func events(executionID: String) async throws -> [ExecutionEvent] {
        (history[executionID] ?? []).sorted { $0.id < $1.id }
    }

    public func abortInterrupted(now: Timestamp) async throws -> [String] {
        let running = executions.values.filter { $0.status == .running }.map(\.id).sorted()
        for id in running {
            executions[id]?.status = .aborted
            executions[id]?.finishedAt = now
            executions[id]?.error = "States.Aborted"
        }
        return running
    }
}

/// Collector state in memory.
public actor InMemoryCollectorState: CollectorStateStore {
    public private(set) var values: [String: String] = [:]

    public init() {}

    public func load(host: String, name: String) async throws -> String? { values[host + "\u{0}" + name] }

    public func save(host: String, name: String, value: String) async throws { values[host + "\u{0}" + name] = value }
}

/// A query port that answers every statement with one fixed table (or refuses it).
public struct CannedQuery: SampleQuery {
    public var table: QueryTable
    /// Statements starting with one of these words are refused, as the real ports refuse writes.
    public var refused: Set<String>

    public init(table: QueryTable = QueryTable(columns: [], rows: []), refused: Set<String> = ["DROP", "DELETE", "INSERT", "UPDATE"]) {
        self.table = table
        self.refused = refused
    }

    public func run(_ sql: String, rowLimit: Int, timeLimitSeconds: Double) async throws -> QueryTable {
        let first = sql.drop { $0.isWhitespace }.prefix { $0.isLetter }.uppercased()
        if refused.contains(first) { throw QueryRefusal("\(first) is not a read") }
        return QueryTable(columns: table.columns, rows: Array(table.rows.prefix(rowLimit)))
    }
}

/// A collector that returns given samples per metric, or fails a metric with a given error.
public struct ScriptedCollector: MetricCollector {
    public var samples: [Metric: [Sample]]
    public var failures: [Metric: InMemoryFailure]

    public init(samples: [Metric: [Sample]], failures: [Metric: InMemoryFailure] = [:]) {
        self.samples = samples
        self.failures = failures
    }

    public func collect(_ metric: Metric, state: any CollectorStateStore, now: Timestamp) async throws -> CollectedMetric {
        if let failure = failures[metric] { throw failure }
        return CollectedMetric(samples: samples[metric] ?? [])
    }
}

/// Every port of a ``Backend`` in memory, kept by their concrete types for assertions.
public struct InMemoryBackend: Sendable {
    public let objects = InMemoryObjectStore()
    public let table = InMemoryMetricTable()
    public let publisher = RecordingPublisher()
    public let samples = InMemorySampleIndex()
    public let notifier = RecordingNotifier()
    public let logs = RecordingLogSink()
    public let executions = InMemoryExecutionStore()
    public let state = InMemoryCollectorState()
    public var query = CannedQuery()
    public let targetHealth = InMemoryTargetHealthStore()

    public init() {}

    /// The backend over these ports.
    public var backend: Backend {
        Backend(
            name: "memory",
            objects: objects,
            table: table,
            publisher: publisher,
            samples: samples,
            query: query,
            series: samples,
            notifier: notifier,
            notifications: notifier,
            logs: logs,
            localExecutions: executions,
            collectorState: state,
            targetHealth: targetHealth
        )
    }
}
