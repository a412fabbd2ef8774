public import InfraMonitorCore
import Logging
import Processing

/// The `log-processor` function: for each stored raw batch, streams it, writes one record per
/// series to the metric table, publishes the records as metric data, indexes the valid samples for
/// SQL, and quarantines invalid lines (docs/design.md, "Processing").
///
/// The same type runs in both places S3's event notification can lead: the Lambda function
/// `log-processor` on AWS (`infra-monitor-lambda`), and ``PipelineRunner`` on one machine, which
/// hands it each batch the data-collector stored.
///
/// Idempotent: processing the same object again replaces its samples and records (same keys)
/// and rewrites its quarantine object. The samples, the records and the record that the object was
/// processed are stored in one step (``SampleIndex/storeProcessedBatch(source:table:produce:)``: one
/// SQLite transaction embedded), so a crash never leaves a batch half stored.
public struct LogProcessor: Sendable {
    public let objects: any ObjectStore
    public let table: any MetricTable
    public let publisher: any MetricPublisher
    public let index: any SampleIndex
    public let logs: any LogSink

    public init(
        objects: any ObjectStore,
        table: any MetricTable,
        publisher: any MetricPublisher = NoMetricPublisher(),
        index: any SampleIndex,
        logs: any LogSink
    ) {
        self.objects = objects
        self.table = table
        self.publisher = publisher
        self.index = index
        self.logs = logs
    }

    /// The processor over a backend's ports.
    public init(backend: Backend) {
        self.init(objects: backend.objects, table: backend.table, publisher: backend.publisher, index: backend.samples, logs: backend.logs)
    }

    /// What processing one object did.
    public struct Report: Sendable, Hashable {
        public var key: String
        public var lines: Int
        public var invalidLines: Int
        public var records: Int
        public var samples: Int
        /// Where invalid lines went, when there were any.
        public var quarantineKey: String?
        /// Set when the gzip stream was corrupt or cut short.
        public var corruption: String?

        /// Whether the input had problems (invalid lines or a corrupt stream).
        public var hadBadInput: Bool { invalidLines > 0 || corruption != nil }

        /// One line for the operator: `key: N lines, N invalid, N records[, corrupt data: …][; invalid lines in …]`.
        public var summaryLine: String {
            var line = "\(key): \(lines) lines, \(invalidLines) invalid, \(records) records"
            if let corruption { line += ", corrupt data: \(corruption)" }
            if let quarantineKey { line += "; invalid lines in \(quarantineKey)" }
            return line
        }
    }

    /// Processes the object named by an S3-style created-event.
    public func handle(_ event: ObjectCreatedEvent) async throws -> Report {
        let reader = try await objects.reader(key: event.key)
        return try await process(reader, key: event.key)
    }

    /// Processes a stream as the object `key`.
    public func process(_ reader: any ByteSource, key: String) async throws -> Report {
        let run = ProcessingRun(reader: reader)
        try await index.storeProcessedBatch(source: key, table: table) { emit in
            try run.process(key: key, emit: emit)
            return run.summary?.records ?? []
        }
        guard let summary = run.summary else { throw PipelineError.badPayload("processing of \(key) produced no summary") }
        try await publisher.publish(summary.records)
        var quarantineKey: String?
        if summary.invalidLines > 0 || summary.corruption != nil {
            var quarantine = run.quarantine
            if let corruption = summary.corruption {
                quarantine += "{\"line\":null,\"reason\":"
                JSONText.appendString("corrupt batch: \(corruption)", to: &quarantine)
                quarantine += ",\"text\":\"\"}\n"
            }
            let target = ObjectKeys.quarantine(forRawKey: key, fallbackDate: .now())
            try await objects.put(Array(quarantine.utf8), key: target)
            quarantineKey = target
        }
        let report = Report(
            key: key,
            lines: summary.lines,
            invalidLines: summary.invalidLines,
            records: summary.records.count,
            samples: summary.validSamples,
            quarantineKey: quarantineKey,
            corruption: summary.corruption
        )
        var fields = [
            "key": key, "lines": String(report.lines), "invalid_lines": String(report.invalidLines),
            "records": String(report.records),
        ]
        if let quarantineKey { fields["quarantine_key"] = quarantineKey }
        if let corruption = report.corruption { fields["corruption"] = corruption }
        await logs.log(.logProcessor, level: report.hadBadInput ? .warning : .info, message: "processed batch", fields: fields)
        return report
    }
}

/// The state of one object's processing while the sample index runs it: the reader it drains,
/// the summary and the quarantined lines it leaves.
///
/// `@unchecked Sendable`: the index runs the produce closure exactly once, and the processor reads
/// the results only after that call returned.
private final class ProcessingRun: @unchecked Sendable {
    var reader: any ByteSource
    var summary: BatchSummary?
    var quarantine = ""

    init(reader: any ByteSource) { self.reader = reader }

    func process(key: String, emit: (Sample) throws -> Void) throws {
        quarantine = ""
        summary = try BatchProcessor().process(&reader, key: key, onSample: emit) { invalid in
            self.quarantine += invalid.quarantineJSONLine
            self.quarantine += "\n"
        }
    }
}
