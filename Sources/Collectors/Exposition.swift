#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif

/// The exposition formats a scrape target may answer in.
public enum ExpositionFormat: String, Sendable, Hashable, CaseIterable {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`), what node_exporter serves by default.
    case prometheusText = "text/plain; version=0.0.4; charset=utf-8"
    /// OpenMetrics 1.0 (`application/openmetrics-text; version=1.0.0`): timestamps in seconds,
    /// exemplars, `# UNIT` and a mandatory final `# EOF`.
    case openMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8"

    /// The format of a response with this `Content-Type`: OpenMetrics for
    /// `application/openmetrics-text`, else the Prometheus text format (as Prometheus falls back).
    public init(contentType: String?) {
        let media = contentType?.split(separator: ";").first.map { $0.trimmingBlanks().lowercased() } ?? ""
        self = media == "application/openmetrics-text" ? .openMetrics : .prometheusText
    }
}

extension Substring {
    fileprivate func trimmingBlanks() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}

/// The type a `# TYPE` line declares for a metric family.
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    case counter
    case gauge
    case histogram
    case summary
    /// Prometheus text format: no `# TYPE` line, or `# TYPE … untyped`.
    case untyped
    /// OpenMetrics: no `# TYPE` line, or `# TYPE … unknown`.
    case unknown
    /// OpenMetrics only.
    case info
    /// OpenMetrics only.
    case stateset
    /// OpenMetrics only.
    case gaugeHistogram = "gaugehistogram"
}

/// A metric family: the name its `# TYPE`/`# HELP`/`# UNIT` lines give (or the sample's name when it
/// has none) and that metadata.
public struct MetricFamily: Sendable, Hashable {
    public var name: String
    public var type: MetricType
    /// The `# HELP` text, unescaped; nil without one.
    public var help: String?
    /// The OpenMetrics `# UNIT`; nil without one.
    public var unit: String?

    public init(name: String, type: MetricType, help: String? = nil, unit: String? = nil) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// An OpenMetrics exemplar attached to a sample (`… # {trace_id="abc"} 1.5 1700000000.123`).
public struct Exemplar: Sendable, Hashable {
    public var labels: [String: String]
    public var value: Double
    /// Milliseconds since the epoch; nil without a timestamp.
    public var timestampMilliseconds: Int64?

    public init(labels: [String: String], value: Double, timestampMilliseconds: Int64? = nil) {
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// Why an exposition page was rejected. Lines and columns count from 1; columns are bytes.
public enum ExpositionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A line does not follow the format.
    case malformed(line: Int, column: Int, detail: String)
    /// An OpenMetrics page does not end with `# EOF` (`line` is where it was expected).
    case missingEOF(line: Int)
    /// Something follows an OpenMetrics `# EOF`.
    case contentAfterEOF(line: Int)
    /// The page is larger than the parser addresses (2 GiB).
    case tooLarge(bytes: Int)

    /// The 1-based line of the error.
    public var line: Int {
        switch self {
        case .malformed(let line, _, _), .missingEOF(let line), .contentAfterEOF(let line): return line
        case .tooLarge: return 0
        }
    }

    public var description: String {
        switch self {
        case .malformed(let line, let column, let detail): return "line \(line), column \(column): \(detail)"
        case .missingEOF(let line): return "line \(line): an OpenMetrics page must end with \"# EOF\""
        case .contentAfterEOF(let line): return "line \(line): content after \"# EOF\""
        case .tooLarge(let bytes): return "a page of \(bytes) bytes is larger than 2 GiB"
        }
    }
}

/// A byte range of the page.
struct Span: Sendable, Hashable {
    var start: Int32
    var end: Int32
    var count: Int { Int(end - start) }
}

/// One label of a sample or exemplar: name and raw value ranges; `escaped` when the value holds a
/// backslash and must be unescaped.
struct LabelRecord: Sendable, Hashable {
    var name: Span
    var value: Span
    var escaped: Bool
}

/// One sample as the parser stores it: ranges into the page and the parsed numbers.
struct SampleRecord: Sendable, Hashable {
    var name: Span
    var firstLabel: Int32
    var labelCount: Int32
    var family: Int32
    /// Index into the exemplars, or -1.
    var exemplar: Int32
    var value: Double
    var timestamp: Int64
    var hasTimestamp: Bool
}

/// A metric family as the parser keeps it: spans into the page and what was declared.
struct FamilyRecord: Sendable, Hashable {
    var name: Span
    var type: MetricType
    var help = Span(start: 0, end: 0)
    var unit = Span(start: 0, end: 0)
    var hasType = false
    var hasHelp = false
    var hasUnit = false
    /// Whether a sample of the family was seen (a TYPE line must come before them).
    var hasSamples = false
}

struct ExemplarRecord: Sendable, Hashable {
    var firstLabel: Int32
    var labelCount: Int32
    var value: Double
    var timestamp: Int64
    var hasTimestamp: Bool
}

/// A parsed exposition page: its samples in page order, their families and exemplars.
///
/// Samples are kept as ranges into the page's bytes; names and labels become strings only when
/// asked for (``sample(at:)``, ``samples``, ``samples(named:)``), so parsing allocates little.
public struct ExpositionPage: Sendable {
    /// The format the page was parsed as.
    public let format: ExpositionFormat
    let bytes: [UInt8]
    var records: [SampleRecord]
    var labelRecords: [LabelRecord]
    var exemplarRecords: [ExemplarRecord]
    var familyRecords: [FamilyRecord]

    /// The metric families in order of first appearance.
    public var families: [MetricFamily] { familyRecords.indices.map(family(number:)) }

    /// The family `number` (an index into ``families``), its strings made now.
    func family(number: Int) -> MetricFamily {
        let record = familyRecords[number]
        return MetricFamily(
            name: string(record.name),
            type: record.type,
            help: record.hasHelp ? Self.unescape(bytes, record.help, quote: format == .openMetrics) : nil,
            unit: record.hasUnit ? string(record.unit) : nil
        )
    }

    /// The number of samples.
    public var count: Int { records.count }

    /// The name of the sample at `index`.
    public func name(at index: Int) -> String { string(records[index].name) }

    /// Whether the sample at `index` is named `name`, compared as bytes.
    public func sample(at index: Int, isNamed name: String) -> Bool {
        let span = records[index].name
        var name = name
        return name.withUTF8 { wanted in
            guard wanted.count == span.count else { return false }
            return bytes.withUnsafeBufferPointer { page in
                memoryEqual(page.baseAddress! + Int(span.start), wanted.baseAddress, wanted.count)
            }
        }
    }

    /// The value of the sample at `index`.
    public func value(at index: Int) -> Double { records[index].value }

    /// The timestamp of the sample at `index` in milliseconds since the epoch; nil without one.
    public func timestampMilliseconds(at index: Int) -> Int64? {
        records[index].hasTimestamp ? records[index].timestamp : nil
    }

    /// The labels of the sample at `index`, values unescaped.
    public func labels(at index: Int) -> [String: String] {
        labels(first: Int(records[index].firstLabel), count: Int(records[index].labelCount))
    }

    /// The family of the sample at `index`.
    public func family(at index: Int) -> MetricFamily { family(number: Int(records[index].family)) }

    /// The exemplar of the sample at `index` (OpenMetrics); nil without one.
    public func exemplar(at index: Int) -> Exemplar? {
        let position = records[index].exemplar
        guard position >= 0 else { return nil }
        let record = exemplarRecords[Int(position)]
        return Exemplar(
            labels: labels(first: Int(record.firstLabel), count: Int(record.labelCount)),
            value: record.value,
            timestampMilliseconds: record.hasTimestamp ? record.timestamp : nil
        )
    }

    /// The sample at `index` with its name and labels as strings.
    public func sample(at index: Int) -> PrometheusSample {
        PrometheusSample(
            name: name(at: index),
            labels: labels(at: index),
            value: value(at: index),
            timestampMilliseconds: timestampMilliseconds(at: index)
        )
    }

    /// Every sample, in page order.
    public var samples: [PrometheusSample] { (0..<count).map { sample(at: $0) } }

    /// The samples whose name is one of `names`, in page order; other samples never become strings.
    public func samples(named names: Set<String>) -> [PrometheusSample] {
        let wanted = names.map { Array($0.utf8) }
        var result: [PrometheusSample] = []
        bytes.withUnsafeBufferPointer { page in
            let base = page.baseAddress!
            for index in records.indices {
                let span = records[index].name
                for name in wanted where name.count == span.count {
                    let equal = name.withUnsafeBufferPointer { memoryEqual(base + Int(span.start), $0.baseAddress, $0.count) }
                    if equal {
                        result.append(sample(at: index))
                        break
                    }
                }
            }
        }
        return result
    }

    /// Whether `other` is the same parse: every sample, label, exemplar and family record equal,
    /// values compared by their bits (so NaN equals NaN).
    @_spi(Testing) public func isSameParse(as other: ExpositionPage) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x.bitPattern == y.bitPattern }
        guard format == other.format, bytes == other.bytes, labelRecords == other.labelRecords, familyRecords == other.familyRecords,
            records.count == other.records.count, exemplarRecords.count == other.exemplarRecords.count
        else { return false }
        for (x, y) in zip(records, other.records) {
            guard x.name == y.name, x.firstLabel == y.firstLabel, x.labelCount == y.labelCount, x.family == y.family,
                x.exemplar == y.exemplar, same(x.value, y.value), x.timestamp == y.timestamp, x.hasTimestamp == y.hasTimestamp
            else { return false }
        }
        for (x, y) in zip(exemplarRecords, other.exemplarRecords) {
            guard x.firstLabel == y.firstLabel, x.labelCount == y.labelCount, same(x.value, y.value), x.timestamp == y.timestamp,
                x.hasTimestamp == y.hasTimestamp
            else { return false }
        }
        return true
    }

    func string(_ span: Span) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[Int(span.start)..<Int(span.end)]), as: UTF8.self) }
    }

    func labels(first: Int, count: Int) -> [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(count)
        for record in labelRecords[first..<(first + count)] {
            result[string(record.name)] = record.escaped ? Self.unescape(bytes, record.value, quote: true) : string(record.value)
        }
        return result
    }

    /// `\\` → `\`, `\n` → newline and (when `quote`) `\"` → `"`; other escapes are kept as written,
    /// as Prometheus keeps them.
    static func unescape(_ bytes: [UInt8], _ span: Span, quote: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(span.count)
        var index = Int(span.start)
        let end = Int(span.end)
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") && index + 1 < end {
                let next = bytes[index + 1]
                switch next {
                case UInt8(ascii: "\\"): out.append(next)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "\"") where quote: out.append(next)
                default:
                    out.append(byte)
                    out.append(next)
                }
                index += 2
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// `memcmp(a, b, count) == 0`.
@inline(__always)
func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
    guard let b else { return count == 0 }
    return bytesEqual(a, b, count)
}

/// Whether `count` bytes at `a` and `b` are equal, compared a word at a time and inline (names
/// are short, so a call to `memcmp` costs more than the comparison). It reads only the bytes
/// `0..<count` of each: the last word overlaps the previous one instead of reading past the end.
@inline(__always)
func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    let x = UnsafeRawPointer(a)
    let y = UnsafeRawPointer(b)
    if count >= 8 {
        var offset = 0
        while offset + 8 < count {
            if x.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != y.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
                return false
            }
            offset += 8
        }
        return x.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
    if count >= 4 {
        return x.loadUnaligned(as: UInt32.self) == y.loadUnaligned(as: UInt32.self)
            && x.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == y.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
    }
    if count >= 2 {
        return x.loadUnaligned(as: UInt16.self) == y.loadUnaligned(as: UInt16.self)
            && x.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self) == y.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)
    }
    return count == 0 || a[0] == b[0]
}
