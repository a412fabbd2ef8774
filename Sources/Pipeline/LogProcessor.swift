import InfraMonitorCore
import Processing

/// The `log-processor` function: on each created raw batch, streams it, writes one record per
/// series to the metric table, indexes the valid samples for SQL, and quarantines invalid lines.
///
/// Idempotent: processing the same object again replaces its samples and records (same keys)
/// and rewrites its quarantine object.
public struct LogProcessor: Sendable {
    public let objects: any ObjectStore
    public let table: any MetricTable
    public let index: any SampleIndex
    public let logs: any LogSink

    public init(objects: any ObjectStore, table: any MetricTable, index: any SampleIndex, logs: any LogSink) {
        self.objects = objects
        self.table = table
        self.index = index
        self.logs = logs
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
    }

    /// Processes the object named by an S3-style created-event.
    public func handle(_ event: ObjectCreatedEvent) async throws -> Report {
        var reader = try await objects.reader(key: event.key)
        return try await process(&reader, key: event.key)
    }

    /// Processes a stream as the object `key`.
    public func process(_ reader: inout any ByteSource, key: String) async throws -> Report {
        let processor = BatchProcessor()
        var quarantine = ""
        var summary: BatchSummary?
        try index.replaceSamples(source: key) { emit in
            summary = try processor.process(&reader, key: key, onSample: emit) { invalid in
                quarantine += invalid.quarantineJSONLine
                quarantine += "\n"
            }
        }
        guard let summary else { throw PipelineError.badPayload("processing of \(key) produced no summary") }
        try await table.upsert(summary.records)
        var quarantineKey: String?
        if summary.invalidLines > 0 || summary.corruption != nil {
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
        await logs.log(.logProcessor, level: report.hadBadInput ? "warn" : "info", message: "processed batch", fields: fields)
        return report
    }
}
