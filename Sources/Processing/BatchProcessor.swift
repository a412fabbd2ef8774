import Compression
public import InfraMonitorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif

/// A line of a raw batch that is not a valid sample, with the reason (docs/design.md, "Raw batches").
public struct InvalidLine: Sendable, Hashable {
    /// The 1-based number of the line in the decompressed object (blank lines count).
    public var lineNumber: Int
    /// A short, precise reason, e.g. `missing field "host"`.
    public var reason: String
    /// The raw line without its `\n`, decoded as UTF-8 with invalid bytes replaced.
    public var text: String

    public init(lineNumber: Int, reason: String, text: String) {
        self.lineNumber = lineNumber
        self.reason = reason
        self.text = text
    }

    /// The line as stored in the quarantine object: `{"line":N,"reason":"...","text":"..."}`.
    public var quarantineJSONLine: String {
        var out = "{\"line\":" + String(lineNumber) + ",\"reason\":"
        JSONText.appendString(reason, to: &out)
        out += ",\"text\":"
        JSONText.appendString(text, to: &out)
        out += "}"
        return out
    }
}

/// What processing one raw batch produced.
public struct BatchSummary: Sendable {
    /// Non-blank lines seen.
    public var lines: Int
    /// Lines that were not valid samples.
    public var invalidLines: Int
    /// One record per series, sorted by (metric_id, timestamp, metric, host, labels).
    public var records: [MetricRecord]
    /// Set when the gzip stream was corrupt or truncated; the complete lines before the damage
    /// were still processed.
    public var corruption: String?
    /// Lines that were valid samples.
    public var validSamples: Int

    public init(lines: Int, invalidLines: Int, records: [MetricRecord], corruption: String?, validSamples: Int) {
        self.lines = lines
        self.invalidLines = invalidLines
        self.records = records
        self.corruption = corruption
        self.validSamples = validSamples
    }
}

/// The log-processor of docs/design.md, "Raw batches" and "Records": streams one raw batch and summarises each series.
public struct BatchProcessor: Sendable {
    /// Lines longer than this many bytes are reported invalid without being parsed, so that
    /// memory stays bounded whatever the input.
    public static let maximumLineLength = 1 << 20

    public init() {}

    /// Streams one raw object (plain or gzip JSON Lines) and returns one record per series.
    /// - Parameters:
    ///   - source: the object's bytes; read to the end.
    ///   - key: the object's key, stored as each record's `source`.
    ///   - onSample: called for each valid line, in line order.
    ///   - onInvalid: called for each invalid line, in line order.
    /// - Throws: what `source`, `onSample` or `onInvalid` throw. A corrupt or truncated gzip
    ///   stream does not throw: it is reported in ``BatchSummary/corruption``.
    public func process(
        _ source: inout some ByteSource,
        key: String,
        onSample: (Sample) throws -> Void,
        onInvalid: (InvalidLine) throws -> Void
    ) throws -> BatchSummary {
        var state = BatchState(key: key)
        defer { state.deallocate() }
        let inflater = GzipInflater()
        var corruption: String?
        do {
            try inflater.decompress(
                read: { try source.read(into: $0) },
                chunk: { try state.feed($0, onSample: onSample, onInvalid: onInvalid) }
            )
        } catch let error as CompressionError {
            corruption = error.description
        }
        if corruption == nil { try state.finish(onSample: onSample, onInvalid: onInvalid) }
        return BatchSummary(
            lines: state.lines,
            invalidLines: state.invalidLines,
            records: state.records(),
            corruption: corruption,
            validSamples: state.validSamples
        )
    }

    /// Streams one raw object, keeping only the counts and records.
    public func process(_ source: inout some ByteSource, key: String) throws -> BatchSummary {
        try process(&source, key: key, onSample: { _ in }, onInvalid: { _ in })
    }
}

/// The running summary of one series.
private struct SeriesAccumulator {
    let metric: String
    let host: String
    let labels: [String: String]
    let unit: String
    var count = 0
    var sum = 0.0
    var min = 0.0
    var max = 0.0
    var earliest = Timestamp.maximum
    var latest = Timestamp.minimum
    var last = 0.0
    /// The unit of the latest sample, kept to reuse its `String` while lines repeat it.
    var sampleUnitBytes: [UInt8]
    var sampleUnit: String
}

private struct LabelRef {
    var key: ByteSpan
    var value: JSONValueSpan
    var decoded: ByteSpan
}

/// The mutable state of one ``BatchProcessor/process(_:key:onSample:onInvalid:)`` call.
///
/// A struct kept in a local variable, so that the per-line code needs no runtime exclusivity
/// checks; the caller calls ``deallocate()``.
private struct BatchState {
    let key: String
    var scanner = JSONLineScanner(maximumLineLength: BatchProcessor.maximumLineLength)
    var table = SeriesTable()
    var series: [SeriesAccumulator] = []
    let keyBuffer: UnsafeMutablePointer<UInt8>
    let keyCapacity = BatchProcessor.maximumLineLength * 2 + 64
    var labels: [LabelRef] = []
    var carry: [UInt8] = []
    var carryOverflow = false
    var lineNumber = 0
    var lines = 0
    var invalidLines = 0
    var validSamples = 0

    init(key: String) {
        self.key = key
        keyBuffer = .allocate(capacity: keyCapacity)
    }

    func deallocate() {
        keyBuffer.deallocate()
        scanner.deallocate()
    }

    // MARK: Lines

    mutating func feed(
        _ chunk: UnsafeRawBufferPointer,
        onSample: (Sample) throws -> Void,
        onInvalid: (InvalidLine) throws -> Void
    ) throws {
        guard var base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var remaining = chunk.count
        while remaining > 0 {
            guard let found = memchr(base, 0x0A, remaining) else {
                appendCarry(base, remaining)
                return
            }
            let length = UnsafeRawPointer(found) - UnsafeRawPointer(base)
            if carry.isEmpty && !carryOverflow {
                try line(UnsafeBufferPointer(start: base, count: length), overlong: false, onSample: onSample, onInvalid: onInvalid)
            } else {
                appendCarry(base, length)
                try lineFromCarry(onSample: onSample, onInvalid: onInvalid)
            }
            base += length + 1
            remaining -= length + 1
        }
    }

    /// Processes the last line when the object does not end with `\n`.
    mutating func finish(onSample: (Sample) throws -> Void, onInvalid: (InvalidLine) throws -> Void) throws {
        guard !carry.isEmpty || carryOverflow else { return }
        try lineFromCarry(onSample: onSample, onInvalid: onInvalid)
    }

    /// Processes the line assembled in `carry` and empties it, keeping its capacity.
    private mutating func lineFromCarry(onSample: (Sample) throws -> Void, onInvalid: (InvalidLine) throws -> Void) throws {
        var pending: [UInt8] = []
        swap(&pending, &carry)
        defer {
            pending.removeAll(keepingCapacity: true)
            swap(&pending, &carry)
            carryOverflow = false
        }
        let overlong = carryOverflow
        try pending.withUnsafeBufferPointer { try line($0, overlong: overlong, onSample: onSample, onInvalid: onInvalid) }
    }

    private mutating func appendCarry(_ base: UnsafePointer<UInt8>, _ count: Int) {
        let room = BatchProcessor.maximumLineLength - carry.count
        if count > room {
            carry.append(contentsOf: UnsafeBufferPointer(start: base, count: max(0, room)))
            carryOverflow = true
        } else {
            carry.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        }
    }

    private func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    private mutating func line(
        _ line: UnsafeBufferPointer<UInt8>,
        overlong: Bool,
        onSample: (Sample) throws -> Void,
        onInvalid: (InvalidLine) throws -> Void
    ) throws {
        lineNumber += 1
        if overlong || line.count > BatchProcessor.maximumLineLength {
            if !overlong && isBlank(line) { return }
            lines += 1
            try reject(line, "line longer than \(BatchProcessor.maximumLineLength) bytes", onInvalid)
            return
        }
        do {
            guard try scanner.scan(line) else { return }
        } catch {
            lines += 1
            try reject(line, error.reason, onInvalid)
            return
        }
        lines += 1
        if let reason = try accept(onSample: onSample) {
            try reject(line, reason, onInvalid)
        }
    }

    private mutating func reject(_ line: UnsafeBufferPointer<UInt8>, _ reason: String, _ onInvalid: (InvalidLine) throws -> Void) throws {
        invalidLines += 1
        try onInvalid(InvalidLine(lineNumber: lineNumber, reason: reason, text: String(decoding: line, as: UTF8.self)))
    }

    // MARK: Validation

    private mutating func requiredString(_ field: JSONLineScanner.Field, nonEmpty: Bool) -> (ByteSpan?, String?) {
        let span = scanner.fields[field.rawValue]
        switch span.kind {
        case .absent: return (nil, "missing field \"\(field.name)\"")
        case .string:
            let bytes = scanner.string(span.start, span.end, escaped: span.escaped)
            if nonEmpty && bytes.count == 0 { return (nil, "field \"\(field.name)\" is empty") }
            return (bytes, nil)
        default: return (nil, "field \"\(field.name)\" is not a string")
        }
    }

    /// Validates the scanned line and aggregates it; returns the reason when it is invalid.
    private mutating func accept(onSample: (Sample) throws -> Void) throws -> String? {
        let (metricBytes, metricError) = requiredString(.metric, nonEmpty: true)
        guard let metric = metricBytes else { return metricError }
        let (hostBytes, hostError) = requiredString(.host, nonEmpty: true)
        guard let host = hostBytes else { return hostError }
        let (timeBytes, timeError) = requiredString(.timestamp, nonEmpty: false)
        guard let timeText = timeBytes else { return timeError }
        guard let timestamp = Timestamp.parseRFC3339(bytes: timeText.buffer) else {
            return "bad timestamp " + quoted(timeText)
        }
        let valueSpan = scanner.fields[JSONLineScanner.Field.value.rawValue]
        switch valueSpan.kind {
        case .absent: return "missing field \"value\""
        case .number: break
        default: return "field \"value\" is not a number"
        }
        let value = parseJSONNumber(scanner.p + valueSpan.start, valueSpan.end - valueSpan.start)
        guard value.isFinite else { return "value is not a finite number" }
        if let problem = StorageLimits.valueProblem(value) { return problem }
        let (unitBytes, unitError) = requiredString(.unit, nonEmpty: false)
        guard let unit = unitBytes else { return unitError }

        labels.removeAll(keepingCapacity: true)
        let labelSpan = scanner.fields[JSONLineScanner.Field.labels.rawValue]
        switch labelSpan.kind {
        case .absent: break
        case .object:
            var found = labels
            labels = []
            scanner.forEachMember(ofObjectAt: labelSpan.start) { key, value in
                for k in found.indices where found[k].key.equals(key) {
                    found[k].value = value
                    return
                }
                found.append(LabelRef(key: key, value: value, decoded: key))
            }
            labels = found
            for k in labels.indices {
                let value = labels[k].value
                guard value.kind == .string else { return "label " + quoted(labels[k].key) + " is not a string" }
                labels[k].decoded = scanner.string(value.start, value.end, escaped: value.escaped)
            }
            if labels.count > 1 { sortLabels() }
        default:
            return "field \"labels\" is not an object"
        }
        if let problem = storageProblem(metric: metric, host: host, unit: unit) { return problem }

        // The series key: metric FF host FF (label-key FE label-value FF)*, labels sorted by key.
        var length = 0
        @inline(__always) func put(_ span: ByteSpan) {
            if span.count > 0 { (keyBuffer + length).update(from: span.base, count: span.count) }
            length += span.count
        }
        @inline(__always) func put(_ byte: UInt8) {
            keyBuffer[length] = byte
            length += 1
        }
        put(metric)
        put(0xFF)
        put(host)
        put(0xFF)
        for label in labels {
            put(label.key)
            put(0xFE)
            put(label.decoded)
            put(0xFF)
        }
        let (index, inserted) = table.index(of: UnsafeBufferPointer(start: keyBuffer, count: length))
        if inserted {
            var labelMap: [String: String] = [:]
            for label in labels { labelMap[label.key.string] = label.decoded.string }
            let unitString = unit.string
            series.append(
                SeriesAccumulator(
                    metric: metric.string,
                    host: host.string,
                    labels: labelMap,
                    unit: unitString,
                    min: value,
                    max: value,
                    sampleUnitBytes: Array(unit.buffer),
                    sampleUnit: unitString
                )
            )
        }
        validSamples += 1
        try series.withUnsafeMutableBufferPointer { all in
            let s = all.baseAddress! + index
            s.pointee.count += 1
            s.pointee.sum += value
            if value < s.pointee.min { s.pointee.min = value }
            if value > s.pointee.max { s.pointee.max = value }
            if timestamp < s.pointee.earliest { s.pointee.earliest = timestamp }
            if timestamp >= s.pointee.latest {
                s.pointee.latest = timestamp
                s.pointee.last = value
            }
            if !unit.equals(s.pointee.sampleUnitBytes) {
                s.pointee.sampleUnitBytes = Array(unit.buffer)
                s.pointee.sampleUnit = unit.string
            }
            try onSample(
                Sample(
                    metric: s.pointee.metric,
                    host: s.pointee.host,
                    timestamp: timestamp,
                    value: value,
                    unit: s.pointee.sampleUnit,
                    labels: s.pointee.labels
                )
            )
        }
        return nil
    }

    /// Why DynamoDB or CloudWatch would refuse the line's names (``StorageLimits``), or `nil`.
    /// The metric and host were checked non-empty; the labels are decoded and sorted.
    private func storageProblem(metric: ByteSpan, host: ByteSpan, unit: ByteSpan) -> String? {
        if metric.count > StorageLimits.maximumMetricNameLength, let problem = StorageLimits.metricNameProblem(metric.string) {
            return "metric name " + problem
        }
        if let problem = StorageLimits.dimensionValueProblem(host.buffer) {
            return "host " + quoted(host) + " is not a CloudWatch dimension value: " + problem
        }
        if labels.count > StorageLimits.maximumLabels {
            return "more than \(StorageLimits.maximumLabels) labels (CloudWatch takes \(StorageLimits.maximumDimensions) dimensions, host included)"
        }
        var idLength = metric.count + 1 + host.count
        for label in labels {
            if let problem = StorageLimits.dimensionNameProblem(label.key.buffer) {
                return "label name " + quoted(label.key) + " is not a CloudWatch dimension name: " + problem
            }
            if label.key.equals(Self.hostBytes) { return "label \"host\" repeats the host dimension" }
            if let problem = StorageLimits.dimensionValueProblem(label.decoded.buffer) {
                return "label " + quoted(label.key) + " is not a CloudWatch dimension value: " + problem
            }
            idLength += 2 + label.key.count + label.decoded.count
        }
        if idLength > StorageLimits.maximumPartitionKeyBytes {
            return "metric_id is longer than \(StorageLimits.maximumPartitionKeyBytes) bytes (DynamoDB's partition key limit)"
        }
        if unit.count > StorageLimits.maximumUnitBytes { return "unit is longer than \(StorageLimits.maximumUnitBytes) bytes" }
        return nil
    }

    private static let hostBytes = Array("host".utf8)

    private mutating func sortLabels() {
        for i in 1..<labels.count {
            let item = labels[i]
            var j = i - 1
            while j >= 0 && item.key.precedes(labels[j].key) {
                labels[j + 1] = labels[j]
                j -= 1
            }
            labels[j + 1] = item
        }
    }

    /// A decoded string for a reason: quoted, lossy, cut at 100 bytes.
    private func quoted(_ span: ByteSpan) -> String {
        let limit = 100
        if span.count <= limit { return "\"" + span.string + "\"" }
        return "\"" + String(decoding: UnsafeBufferPointer(start: span.base, count: limit), as: UTF8.self) + "…\""
    }

    // MARK: Records

    func records() -> [MetricRecord] {
        let all = series.map { s in
            MetricRecord(
                metricID: MetricRecord.metricID(metric: s.metric, host: s.host, labels: s.labels),
                timestamp: s.earliest.flooredToMilliseconds,
                metric: s.metric,
                host: s.host,
                labels: s.labels,
                unit: s.unit,
                count: s.count,
                sum: s.sum,
                min: s.min,
                max: s.max,
                last: s.last,
                source: key
            )
        }
        return all.sorted(by: RecordOrder.precedes)
    }
}
