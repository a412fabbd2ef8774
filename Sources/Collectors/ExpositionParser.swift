#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif

/// A parser of the Prometheus text exposition format 0.0.4 and of OpenMetrics 1.0, over bytes.
///
/// It follows what Prometheus's own scrape parsers accept: `# HELP`/`# TYPE` (and `# UNIT`, `# EOF`
/// in OpenMetrics); label values with the escapes `\\`, `\"` and `\n`, other escapes kept as
/// written; `NaN`, `+Inf` and `-Inf` (any case, as Go's `ParseFloat`); decimal floats without hex
/// or `_`; timestamps in milliseconds (text) or seconds (OpenMetrics, kept as milliseconds);
/// histogram and summary series (their `le`/`quantile` labels must be numbers); OpenMetrics
/// exemplars. A trailing carriage return on a line is ignored. A malformed page is an error naming
/// the line and column, never a crash.
///
/// Speed comes from shortcuts for the shapes exporters write, each falling back to the general path
/// for anything else, so that they can never change a result (the tests and the fuzz target parse
/// with them on and off and compare, see ``Shortcuts``):
/// - a sample line `name{label="value",…} value` is read in one pass that also finds the line's
///   end, comparing its name and label names with the sample before it (runs of one metric repeat
///   them) and scanning eight bytes at a time where it must scan;
/// - `# HELP` and `# TYPE` are recognised with one load, and a `TYPE` line's type as the rest of
///   the line;
/// - no family table is kept while family names come sorted (exporters sort them), since a name
///   that sorts after the last one cannot be a family yet.
public enum ExpositionParser {
    /// What to do with a line that does not parse.
    public enum Recovery: Sendable, Hashable {
        /// The page is an error (what Prometheus does: the scrape fails).
        case fail
        /// The line is left out and parsing goes on (structural errors still fail: content after
        /// `# EOF`, a missing `# EOF`).
        case skipLine
    }

    /// Parses `bytes` as `format`.
    /// - Throws: ``ExpositionError`` for the first malformed line (with ``Recovery/fail``).
    public static func parse(
        _ bytes: [UInt8],
        format: ExpositionFormat = .prometheusText,
        recovery: Recovery = .fail
    ) throws(ExpositionError) -> ExpositionPage {
        try parse(bytes, format: format, recovery: recovery, shortcuts: Shortcuts())
    }

    /// The parser's shortcuts for the common shapes of a page. None of them may change a result:
    /// the tests and the fuzz target parse with them on and off and compare the pages.
    @_spi(Testing) public struct Shortcuts: Sendable, Hashable {
        /// Sample lines as exporters write them read in one pass (``ParserState/parsePlainSample(_:_:)``).
        public var plainSamples: Bool
        /// No family table while family names come sorted (``ParserState/namesAscending``).
        public var sortedFamilies: Bool

        public init(plainSamples: Bool = true, sortedFamilies: Bool = true) {
            self.plainSamples = plainSamples
            self.sortedFamilies = sortedFamilies
        }
    }

    /// Parses `bytes` as `format`, taking only the `shortcuts` given.
    @_spi(Testing) public static func parse(
        _ bytes: [UInt8],
        format: ExpositionFormat,
        recovery: Recovery,
        shortcuts: Shortcuts
    ) throws(ExpositionError) -> ExpositionPage {
        guard bytes.count < Int(Int32.max) else { throw .tooLarge(bytes: bytes.count) }
        var state = ParserState(format: format, skipBadLines: recovery == .skipLine, byteCount: bytes.count)
        state.plainSamples = shortcuts.plainSamples
        state.namesAscending = shortcuts.sortedFamilies
        let result: Result<Void, ExpositionError> = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                return format == .openMetrics ? .failure(.missingEOF(line: 1)) : .success(())
            }
            do throws(ExpositionError) {
                try state.run(base, buffer.count)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return ExpositionPage(
            format: format,
            bytes: bytes,
            records: state.records,
            labelRecords: state.labels,
            exemplarRecords: state.exemplars,
            familyRecords: state.families
        )
    }

    /// Parses a UTF-8 text.
    public static func parse(
        _ text: String,
        format: ExpositionFormat = .prometheusText,
        recovery: Recovery = .fail
    ) throws(ExpositionError) -> ExpositionPage {
        try parse(Array(text.utf8), format: format, recovery: recovery)
    }

    /// Parses a decimal float as Prometheus does (Go's `ParseFloat` without hex or `_`); nil when
    /// it is not one.
    public static func parseFloat(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return FloatParser.parse(base, 0, buffer.count)
        }
    }
}

/// A line-level failure inside the parser: column (0-based offset in the line) and detail.
struct LineError: Error {
    var offset: Int
    var detail: String
}

/// The mutable state of one parse.
struct ParserState {
    let openMetrics: Bool
    let format: ExpositionFormat
    let skipBadLines: Bool
    var records: [SampleRecord] = []
    var labels: [LabelRecord] = []
    var exemplars: [ExemplarRecord] = []
    var families: [FamilyRecord] = []
    var table: FamilyTable
    /// True while `table` is still empty because every family name so far sorted after the one
    /// before it (exporters write families sorted by name): a new name that sorts after the last
    /// one cannot be a family yet, so no lookup is needed. The table is filled on the first lookup
    /// that this cannot answer.
    var namesAscending = true
    /// Whether sample lines are first tried as exporters write them (``parsePlainSample(_:_:)``).
    var plainSamples = true
    var current: Int32 = -1
    var line = 0
    /// The page's byte count: the scanners read eight bytes at a time up to it, past the end of
    /// the line (the newline that ends a line stops them).
    var limit = 0
    /// The name and family of the last sample recorded, to find the family of a run of samples
    /// of the same name once.
    var lastSampleName = Span(start: 0, end: 0)
    var lastSampleFamily: Int32 = -1
    /// The last sample's labels (indexes into `labels`): the next sample of a run most often
    /// has the same label names in the same order, which are then compared instead of scanned.
    var lastSampleFirstLabel = 0
    var lastSampleLabelCount = 0

    /// Storage is sized from the page: a node_exporter page holds about one sample per 77 bytes,
    /// one label per 65 and one family per 350, so one allocation each is enough for real pages
    /// (and the exemplars, absent from them, allocate nothing).
    init(format: ExpositionFormat, skipBadLines: Bool, byteCount: Int) {
        self.format = format
        self.openMetrics = format == .openMetrics
        self.skipBadLines = skipBadLines
        records.reserveCapacity(byteCount / 64 + 16)
        labels.reserveCapacity(byteCount / 48 + 16)
        let familyCapacity = byteCount / 256 + 16
        families.reserveCapacity(familyCapacity)
        table = FamilyTable(capacity: familyCapacity)
    }

    mutating func run(_ base: UnsafePointer<UInt8>, _ count: Int) throws(ExpositionError) {
        limit = count
        var start = 0
        var sawEOF = false
        while start < count {
            line += 1
            if sawEOF { throw .contentAfterEOF(line: line) }
            let labelMark = labels.count
            let exemplarMark = exemplars.count
            var next = -1
            do throws(LineError) {
                // Most lines are samples as exporters write them, read in one pass that also
                // finds where the line ends; any other line is split off first and parsed whole.
                if plainSamples && isNameStart(base[start]) {
                    next = try parsePlainSample(base, start) ?? -1
                    if next < 0 && labels.count > labelMark { labels.removeSubrange(labelMark...) }
                }
                if next < 0 {
                    let bounds = lineBounds(base, start)
                    next = bounds.next
                    sawEOF = try parseLine(base, start, bounds.end)
                }
            } catch {
                guard skipBadLines else { throw .malformed(line: line, column: error.offset - start + 1, detail: error.detail) }
                labels.removeSubrange(labelMark...)
                exemplars.removeSubrange(exemplarMark...)
                if next < 0 { next = lineBounds(base, start).next }
            }
            start = next
        }
        if openMetrics && !sawEOF { throw .missingEOF(line: line + 1) }
    }

    /// The line that starts at `start`: where its content ends (before the newline, and before a
    /// carriage return that ends it) and where the next line starts.
    func lineBounds(_ base: UnsafePointer<UInt8>, _ start: Int) -> (end: Int, next: Int) {
        var end = limit
        if let found = memchr(base + start, 0x0A, limit - start) {
            end = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
        }
        let next = end + 1
        if end > start && base[end - 1] == 0x0D { end -= 1 }
        return (end, next)
    }

    /// Where the next line starts when the line ends at `i` (a newline, a carriage return and a
    /// newline, or a carriage return or nothing at the end of the page); nil when the line goes on.
    @inline(__always)
    func nextLine(_ b: UnsafePointer<UInt8>, after i: Int) -> Int? {
        guard i < limit else { return limit }
        if b[i] == 0x0A { return i + 1 }
        guard b[i] == 0x0D else { return nil }
        if i + 1 == limit { return limit }
        return b[i + 1] == 0x0A ? i + 2 : nil
    }

    // MARK: lines

    /// Parses one line (without its newline); true for an OpenMetrics `# EOF`.
    mutating func parseLine(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(LineError) -> Bool {
        var i = start
        if !openMetrics { i = skipBlanks(b, i, end) }
        if i == end {
            if openMetrics { throw LineError(offset: i, detail: "empty lines are not allowed in OpenMetrics") }
            return false
        }
        if b[i] == UInt8(ascii: "#") { return try parseComment(b, i, end) }
        try parseSample(b, i, end)
        return false
    }

    /// 1 when the four bytes (loaded little-endian) spell `HELP`, 2 for `TYPE`, else nil.
    @inline(__always)
    static func helpOrType(_ word: UInt32) -> Int? {
        switch word {
        case 0x504C_4548: return 1
        case 0x4550_5954: return 2
        default: return nil
        }
    }

    /// The metadata keyword at `start..<end`: 1 HELP, 2 TYPE, 3 UNIT, 0 other.
    func keyword(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        guard end - start == 4 else { return 0 }
        switch (b[start], b[start + 1], b[start + 2], b[start + 3]) {
        case (0x48, 0x45, 0x4C, 0x50): return 1
        case (0x54, 0x59, 0x50, 0x45): return 2
        case (0x55, 0x4E, 0x49, 0x54): return openMetrics ? 3 : 0
        default: return 0
        }
    }

    mutating func parseComment(_ b: UnsafePointer<UInt8>, _ hash: Int, _ end: Int) throws(LineError) -> Bool {
        var i = hash + 1
        if openMetrics {
            if end - i == 4 && b[i] == 0x20 && b[i + 1] == UInt8(ascii: "E") && b[i + 2] == UInt8(ascii: "O") && b[i + 3] == UInt8(ascii: "F") {
                return true
            }
            guard i < end, b[i] == 0x20 else { throw LineError(offset: i, detail: "expected \"# HELP\", \"# TYPE\", \"# UNIT\" or \"# EOF\"") }
            i += 1
        } else {
            i = skipBlanks(b, i, end)
        }
        let keywordStart = i
        let kind: Int
        if end - i > 4 && b[i + 4] == 0x20, let known = Self.helpOrType(UInt32(littleEndian: UnsafeRawPointer(b + i).loadUnaligned(as: UInt32.self)))
        {
            // `HELP ` or `TYPE `, as every exporter writes them: one load.
            kind = known
            i += 4
        } else {
            while i < end && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
            kind = keyword(b, keywordStart, i)
        }
        guard kind != 0 else {
            if openMetrics { throw LineError(offset: keywordStart, detail: "unknown comment \"# \(text(b, keywordStart, i))\" in OpenMetrics") }
            return false
        }
        let keywordEnd = i
        guard i < end else { throw LineError(offset: i, detail: "expected a metric name after \(text(b, keywordStart, keywordEnd))") }
        i = openMetrics ? i + 1 : skipBlanks(b, i, end)
        let nameStart = i
        guard i < end, isNameStart(b[i]) else {
            throw LineError(offset: i, detail: "expected a metric name after \(text(b, keywordStart, keywordEnd))")
        }
        // A TYPE line after its HELP line names the current family: one comparison.
        var family = -1
        if current >= 0 {
            let known = families[Int(current)].name
            let count = known.count
            if end - i >= count && bytesEqual(b + i, b + Int(known.start), count)
                && (i + count == end || b[i + count] == 0x20 || b[i + count] == 0x09)
            {
                i += count
                family = Int(current)
            }
        }
        if family < 0 { i = Self.scanName(b, limit, i, end) }
        let name = Span(start: Int32(nameStart), end: Int32(i))
        if i < end && b[i] != 0x20 && b[i] != 0x09 {
            throw LineError(offset: i, detail: "invalid character in metric name \(text(b, nameStart, i))")
        }
        if family < 0 { family = Int(familyIndex(b, name)) }
        switch kind {
        case 1:
            if families[family].hasHelp { throw LineError(offset: keywordStart, detail: "second HELP line for \(text(b, nameStart, Int(name.end)))") }
            if i < end { i = openMetrics ? i + 1 : skipBlanks(b, i, end) }
            families[family].hasHelp = true
            families[family].help = Span(start: Int32(i), end: Int32(end))
        case 2:
            if families[family].hasType || families[family].hasSamples {
                throw LineError(offset: keywordStart, detail: "second TYPE line for \(text(b, nameStart, Int(name.end))), or TYPE after its samples")
            }
            i = skipBlanks(b, i, end)
            let typeStart = i
            // The type is nearly always the rest of the line.
            var declared = metricType(b, typeStart, end)
            if declared == nil {
                while i < end && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
                guard skipBlanks(b, i, end) == end else { throw LineError(offset: i, detail: "unexpected text after the type") }
                declared = metricType(b, typeStart, i)
            }
            guard let type = declared else {
                throw LineError(offset: typeStart, detail: "unknown metric type \"\(text(b, typeStart, i))\"")
            }
            families[family].hasType = true
            families[family].type = type
        default:
            if families[family].hasUnit { throw LineError(offset: keywordStart, detail: "second UNIT line for \(text(b, nameStart, Int(name.end)))") }
            let unitStart = i < end ? i + 1 : end
            let unitCount = end - unitStart
            if unitCount > 0 {
                let suffixStart = Int(name.end) - unitCount
                let isSuffix =
                    suffixStart - 1 > nameStart && b[suffixStart - 1] == UInt8(ascii: "_")
                    && memoryEqual(b + suffixStart, b + unitStart, unitCount)
                guard isSuffix else {
                    throw LineError(
                        offset: unitStart,
                        detail: "unit \"\(text(b, unitStart, end))\" is not a suffix of the metric name \(text(b, nameStart, Int(name.end)))"
                    )
                }
            }
            families[family].hasUnit = true
            families[family].unit = Span(start: Int32(unitStart), end: Int32(end))
        }
        return false
    }

    /// The type named at `start..<end`, among those the format allows.
    func metricType(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> MetricType? {
        func named(_ word: StaticString) -> Bool {
            word.utf8CodeUnitCount == end - start && bytesEqual(b + start, word.utf8Start, end - start)
        }
        guard start < end else { return nil }
        switch b[start] {
        case UInt8(ascii: "c"): return named("counter") ? .counter : nil
        case UInt8(ascii: "g"):
            if named("gauge") { return .gauge }
            return openMetrics && named("gaugehistogram") ? .gaugeHistogram : nil
        case UInt8(ascii: "h"): return named("histogram") ? .histogram : nil
        case UInt8(ascii: "s"):
            if named("summary") { return .summary }
            return openMetrics && named("stateset") ? .stateset : nil
        case UInt8(ascii: "u"):
            if openMetrics { return named("unknown") ? .unknown : nil }
            return named("untyped") ? .untyped : nil
        case UInt8(ascii: "i"): return openMetrics && named("info") ? .info : nil
        default: return nil
        }
    }

    /// Whether the line at `start` begins with the current family's name and goes on after it
    /// (most samples continue the current family: its name is then skipped with one comparison).
    ///
    /// (`mutating` only so that `self` is passed by reference: a non-mutating call from the
    /// mutating parse functions made the compiler copy the whole state.)
    @inline(__always)
    mutating func continuesCurrentFamily(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard current >= 0 else { return false }
        let known = families[Int(current)].name
        return end - start > known.count && bytesEqual(b + start, b + Int(known.start), known.count)
    }

    /// Parses the sample line that starts at `start` if it is in the form exporters write:
    /// `name value` or `name{label="value",…} value`, with one space before the value and no
    /// other blanks, label values in ASCII without escapes, and no timestamp or exemplar. Nearly
    /// every line of a real page is, and this reads it in one pass, without the general path's
    /// blank skipping and without a separate search for the line's end.
    ///
    /// Returns where the next line starts, or nil for any other line, having changed nothing but
    /// `labels` (the caller removes what was added): the general path then parses that line, and
    /// reports it when it is malformed. A line accepted here gives exactly the records the
    /// general path would give.
    mutating func parsePlainSample(_ b: UnsafePointer<UInt8>, _ start: Int) throws(LineError) -> Int? {
        let end = limit
        var i: Int
        // The name of the last sample again (a run of one metric), or else scanned.
        let lastCount = lastSampleName.count
        let sameName =
            lastSampleFamily >= 0 && end - start > lastCount && (b[start + lastCount] == UInt8(ascii: "{") || b[start + lastCount] == 0x20)
            && bytesEqual(b + start, b + Int(lastSampleName.start), lastCount)
        var continuesCurrent = false
        if sameName {
            i = start + lastCount
        } else {
            continuesCurrent = continuesCurrentFamily(b, start, end)
            i = Self.scanName(b, limit, continuesCurrent ? start + families[Int(current)].name.count : start + 1, end)
        }
        let name = Span(start: Int32(start), end: Int32(i))
        let firstLabel = labels.count
        guard i < end else { return nil }
        if b[i] == UInt8(ascii: "{") {
            i += 1
            while true {
                guard i < end else { return nil }
                if b[i] == UInt8(ascii: "}") {
                    i += 1
                    break
                }
                let nameStart = i
                // The label name the last sample had at this position, when it is the one here.
                let position = labels.count - firstLabel
                var predicted = -1
                if position < lastSampleLabelCount {
                    let known = labels[lastSampleFirstLabel + position].name
                    let count = known.count
                    if end - i > count && b[i + count] == UInt8(ascii: "=") && bytesEqual(b + i, b + Int(known.start), count) {
                        predicted = i + count
                    }
                }
                if predicted >= 0 {
                    i = predicted
                } else {
                    guard isLabelStart(b[i]) else { return nil }
                    i = Self.scanLabelName(b, limit, i + 1, end)
                }
                let nameEnd = i
                guard i + 1 < end, b[i] == UInt8(ascii: "="), b[i + 1] == UInt8(ascii: "\"") else { return nil }
                i += 2
                let valueStart = i
                i = Self.scanPlainLabelValue(b, limit, i, end)
                guard i < end, b[i] == UInt8(ascii: "\"") else { return nil }
                let nameCount = nameEnd - nameStart
                var other = firstLabel
                while other < labels.count {
                    let earlier = labels[other].name
                    other += 1
                    if earlier.count == nameCount && bytesEqual(b + Int(earlier.start), b + nameStart, nameCount) { return nil }
                }
                labels.append(
                    LabelRecord(
                        name: Span(start: Int32(nameStart), end: Int32(nameEnd)),
                        value: Span(start: Int32(valueStart), end: Int32(i)),
                        escaped: false
                    )
                )
                i += 1
                guard i < end else { return nil }
                if b[i] == UInt8(ascii: ",") {
                    i += 1
                } else if b[i] != UInt8(ascii: "}") {
                    return nil
                }
            }
        }
        guard i < end, b[i] == 0x20 else { return nil }
        i += 1
        let value: Double
        let next: Int
        if let (digits, digitsEnd) = FloatParser.parseLeadingDigits(b, i, end), let following = nextLine(b, after: digitsEnd) {
            value = digits
            next = following
        } else {
            var valueEnd = i
            while valueEnd < end && b[valueEnd] > 0x20 { valueEnd += 1 }
            guard let following = nextLine(b, after: valueEnd), let parsed = FloatParser.parse(b, i, valueEnd) else { return nil }
            value = parsed
            next = following
        }
        if sameName && current != lastSampleFamily { continuesCurrent = continuesCurrentFamily(b, start, end) }
        try appendSample(
            b,
            name,
            continuesCurrent: continuesCurrent,
            firstLabel: Int32(firstLabel),
            labelCount: Int32(labels.count - firstLabel),
            value: value
        )
        return next
    }

    /// The first quote, backslash, newline or non-ASCII byte at or after `start` (eight bytes per
    /// step while the page has eight more), or `end`: where a plain label value stops.
    @inline(__always)
    static func scanPlainLabelValue(_ b: UnsafePointer<UInt8>, _ limit: Int, _ start: Int, _ end: Int) -> Int {
        var i = start
        while i + 8 <= limit {
            let word = loadWord(b, i)
            let stops =
                zeroBytes(word ^ 0x2222_2222_2222_2222) | zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C) | zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                | (word & 0x8080_8080_8080_8080)
            if stops != 0 { return min(i + stops.trailingZeroBitCount >> 3, end) }
            i += 8
        }
        while i < end && b[i] != UInt8(ascii: "\"") && b[i] != UInt8(ascii: "\\") && b[i] < 0x80 { i += 1 }
        return i
    }

    /// Records a sample whose name, labels (from `firstLabel` to the end of `labels`) and value
    /// are read: its family found and its labels checked against the family's type.
    @inline(__always)
    mutating func appendSample(
        _ b: UnsafePointer<UInt8>,
        _ name: Span,
        continuesCurrent: Bool,
        firstLabel: Int32,
        labelCount: Int32,
        value: Double,
        timestamp: Int64 = 0,
        hasTimestamp: Bool = false,
        exemplar: Int32 = -1
    ) throws(LineError) {
        // A sample named as the one before it, with no other family made current in between,
        // is of the same family: `familyOf` would find it again by the same comparisons.
        let family: Int32
        if current >= 0 && current == lastSampleFamily && name.count == lastSampleName.count
            && bytesEqual(b + Int(name.start), b + Int(lastSampleName.start), name.count)
        {
            family = current
        } else {
            family = familyOf(b, name, continuesCurrent: continuesCurrent)
        }
        switch families[Int(family)].type {
        case .histogram, .gaugeHistogram, .summary: try checkFamilyLabels(b, family, name, Int(firstLabel), Int(labelCount))
        default: break
        }
        lastSampleName = name
        lastSampleFamily = family
        lastSampleFirstLabel = Int(firstLabel)
        lastSampleLabelCount = Int(labelCount)
        if !families[Int(family)].hasSamples { families[Int(family)].hasSamples = true }
        records.append(
            SampleRecord(
                name: name,
                firstLabel: firstLabel,
                labelCount: labelCount,
                family: family,
                exemplar: exemplar,
                value: value,
                timestamp: timestamp,
                hasTimestamp: hasTimestamp
            )
        )
    }

    mutating func parseSample(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(LineError) {
        var i = start
        guard isNameStart(b[i]) else { throw LineError(offset: i, detail: "expected a metric name") }
        let continuesCurrent = continuesCurrentFamily(b, start, end)
        i = Self.scanName(b, limit, continuesCurrent ? start + families[Int(current)].name.count : i + 1, end)
        let name = Span(start: Int32(start), end: Int32(i))
        let firstLabel = Int32(labels.count)
        let afterName = i
        if !openMetrics { i = skipBlanks(b, i, end) }
        if i < end && b[i] == UInt8(ascii: "{") {
            i = try parseLabels(b, i, end)
            if !openMetrics { i = skipBlanks(b, i, end) }
        } else if i == afterName && i < end && b[i] != 0x20 && b[i] != 0x09 {
            throw LineError(offset: i, detail: "invalid character in metric name")
        }
        let labelCount = Int32(labels.count) - firstLabel
        if openMetrics {
            guard i < end, b[i] == 0x20 else {
                throw LineError(offset: i, detail: i < end ? "expected a space before the value" : "expected a value")
            }
        }
        i = skipBlanks(b, i, end)
        let valueStart = i
        let value: Double
        if let (digits, digitsEnd) = FloatParser.parseLeadingDigits(b, i, end), digitsEnd == end || b[digitsEnd] == 0x20 || b[digitsEnd] == 0x09 {
            value = digits
            i = digitsEnd
        } else {
            while i < end && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
            guard let parsed = FloatParser.parse(b, valueStart, i) else {
                throw LineError(offset: valueStart, detail: valueStart == i ? "expected a value" : "invalid value \"\(text(b, valueStart, i))\"")
            }
            value = parsed
        }
        var timestamp: Int64 = 0
        var hasTimestamp = false
        var exemplar: Int32 = -1
        i = skipBlanks(b, i, end)
        if i < end && b[i] != UInt8(ascii: "#") {
            let stampStart = i
            while i < end && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
            timestamp = try parseTimestamp(b, stampStart, i)
            hasTimestamp = true
            i = skipBlanks(b, i, end)
        }
        if i < end {
            guard openMetrics, b[i] == UInt8(ascii: "#") else { throw LineError(offset: i, detail: "unexpected text after the sample") }
            exemplar = try parseExemplar(b, i, end)
        }
        try appendSample(
            b,
            name,
            continuesCurrent: continuesCurrent,
            firstLabel: firstLabel,
            labelCount: labelCount,
            value: value,
            timestamp: timestamp,
            hasTimestamp: hasTimestamp,
            exemplar: exemplar
        )
    }

    /// Parses `{name="value",...}` from the `{` at `open`; returns the index after `}`.
    mutating func parseLabels(_ b: UnsafePointer<UInt8>, _ open: Int, _ end: Int) throws(LineError) -> Int {
        var i = open + 1
        let first = labels.count
        while true {
            i = skipBlanks(b, i, end)
            guard i < end else { throw LineError(offset: i, detail: "unterminated label set") }
            if b[i] == UInt8(ascii: "}") { return i + 1 }
            let nameStart = i
            guard isLabelStart(b[i]) else { throw LineError(offset: i, detail: "expected a label name") }
            i += 1
            i = Self.scanLabelName(b, limit, i, end)
            let nameEnd = i
            i = skipBlanks(b, i, end)
            guard i < end, b[i] == UInt8(ascii: "=") else { throw LineError(offset: i, detail: "expected \"=\" after the label name") }
            i = skipBlanks(b, i + 1, end)
            guard i < end, b[i] == UInt8(ascii: "\"") else { throw LineError(offset: i, detail: "expected a quoted label value") }
            i += 1
            let valueStart = i
            var escaped = false
            var high: UInt64 = 0
            while true {
                // Eight bytes at a time to the first quote or backslash, then byte by byte near
                // the end of the line.
                while i + 8 <= end {
                    let word = loadWord(b, i)
                    let stops = zeroBytes(word ^ 0x2222_2222_2222_2222) | zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
                    if stops == 0 {
                        high |= word
                        i += 8
                        continue
                    }
                    let position = stops.trailingZeroBitCount >> 3
                    high |= word & ((1 << UInt64(position * 8)) &- 1)
                    i += position
                    break
                }
                while i < end && b[i] != UInt8(ascii: "\"") && b[i] != UInt8(ascii: "\\") {
                    high |= UInt64(b[i])
                    i += 1
                }
                guard i < end, b[i] == UInt8(ascii: "\\") else { break }
                escaped = true
                i += 2
            }
            guard i < end else { throw LineError(offset: min(i, end), detail: "unterminated label value") }
            if high & 0x8080_8080_8080_8080 != 0 && !isValidUTF8(b, valueStart, i) {
                throw LineError(offset: valueStart, detail: "label value is not valid UTF-8")
            }
            let record = LabelRecord(
                name: Span(start: Int32(nameStart), end: Int32(nameEnd)),
                value: Span(start: Int32(valueStart), end: Int32(i)),
                escaped: escaped
            )
            var other = first
            while other < labels.count {
                let earlier = labels[other].name
                other += 1
                if earlier.count == record.name.count && memoryEqual(b + Int(earlier.start), b + nameStart, record.name.count) {
                    throw LineError(offset: nameStart, detail: "duplicate label \(text(b, nameStart, nameEnd))")
                }
            }
            labels.append(record)
            i = skipBlanks(b, i + 1, end)
            guard i < end else { throw LineError(offset: i, detail: "unterminated label set") }
            if b[i] == UInt8(ascii: ",") {
                i += 1
            } else if b[i] != UInt8(ascii: "}") {
                throw LineError(offset: i, detail: "expected \",\" or \"}\" after a label value")
            }
        }
    }

    /// Parses ` # {labels} value [timestamp]` from the `#` at `hash`; returns the exemplar index.
    mutating func parseExemplar(_ b: UnsafePointer<UInt8>, _ hash: Int, _ end: Int) throws(LineError) -> Int32 {
        var i = hash + 1
        guard i < end, b[i] == 0x20 else { throw LineError(offset: i, detail: "expected a space after \"#\" of an exemplar") }
        i = skipBlanks(b, i, end)
        guard i < end, b[i] == UInt8(ascii: "{") else { throw LineError(offset: i, detail: "expected the exemplar's label set") }
        let firstLabel = Int32(labels.count)
        i = try parseLabels(b, i, end)
        let labelCount = Int32(labels.count) - firstLabel
        guard i < end, b[i] == 0x20 else { throw LineError(offset: i, detail: "expected the exemplar's value") }
        i = skipBlanks(b, i, end)
        let valueStart = i
        while i < end && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
        guard let value = FloatParser.parse(b, valueStart, i) else { throw LineError(offset: valueStart, detail: "invalid exemplar value") }
        var timestamp: Int64 = 0
        var hasTimestamp = false
        i = skipBlanks(b, i, end)
        if i < end {
            let stampStart = i
            while i < end && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
            timestamp = try parseTimestamp(b, stampStart, i)
            hasTimestamp = true
            guard skipBlanks(b, i, end) == end else { throw LineError(offset: i, detail: "unexpected text after the exemplar") }
        }
        exemplars.append(
            ExemplarRecord(firstLabel: firstLabel, labelCount: labelCount, value: value, timestamp: timestamp, hasTimestamp: hasTimestamp)
        )
        return Int32(exemplars.count - 1)
    }

    /// Milliseconds: an integer in the text format, float seconds in OpenMetrics.
    func parseTimestamp(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(LineError) -> Int64 {
        if openMetrics {
            guard let seconds = FloatParser.parse(b, start, end), seconds.isFinite, abs(seconds) < 9.2e15 else {
                throw LineError(offset: start, detail: "invalid timestamp \"\(text(b, start, end))\"")
            }
            return Int64((seconds * 1000).rounded(.towardZero))
        }
        var i = start
        var negative = false
        if i < end && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < end else { throw LineError(offset: start, detail: "invalid timestamp \"\(text(b, start, end))\"") }
        var value: Int64 = 0
        while i < end {
            let digit = b[i] &- 0x30
            guard digit < 10 else { throw LineError(offset: start, detail: "invalid timestamp \"\(text(b, start, end))\"") }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
            guard !o1 && !o2 else { throw LineError(offset: start, detail: "timestamp out of range") }
            value = sum
            i += 1
        }
        return negative ? -value : value
    }

    // MARK: families

    /// The suffixes a sample name may add to its family's name.
    static let suffixes: [StaticString] = ["_bucket", "_count", "_sum", "_total", "_created", "_info", "_gcount", "_gsum"]

    /// The family of a sample name: the current one when the name is its name or one of its
    /// type's suffixes, else the one declared for the name (or its base name), else a new
    /// untyped family.
    /// `continuesCurrent`: the name is known to start with the current family's name.
    mutating func familyOf(_ b: UnsafePointer<UInt8>, _ name: Span, continuesCurrent: Bool) -> Int32 {
        if continuesCurrent && matches(b, name, Int(current), prefixKnown: true) { return current }
        fillTable(b)
        if let found = table.find(b, name, hash: FamilyTable.hash(b, name), families), matches(b, name, Int(found)) {
            current = found
            return found
        }
        for suffix in Self.suffixes where suffix.utf8CodeUnitCount < name.count {
            let count = suffix.utf8CodeUnitCount
            guard memoryEqual(b + Int(name.end) - count, suffix.utf8Start, count) else { continue }
            let base = Span(start: name.start, end: name.end - Int32(count))
            if let found = table.find(b, base, hash: FamilyTable.hash(b, base), families), matches(b, name, Int(found)) {
                current = found
                return found
            }
        }
        return familyIndex(b, name, forSample: true)
    }

    /// The index of the family named `name`, created untyped when new (or, for a sample whose name
    /// is already a family of another shape, a fresh family of the same name).
    mutating func familyIndex(_ b: UnsafePointer<UInt8>, _ name: Span, forSample: Bool = false) -> Int32 {
        if !forSample && current >= 0 {
            let known = families[Int(current)].name
            if known.count == name.count && memoryEqual(b + Int(known.start), b + Int(name.start), name.count) { return current }
        }
        if namesAscending {
            if let last = families.last?.name, !sorts(b, name, after: last) {
                fillTable(b)
            } else {
                let index = Int32(families.count)
                families.append(FamilyRecord(name: name, type: openMetrics ? .unknown : .untyped))
                current = index
                return index
            }
        }
        let hash = FamilyTable.hash(b, name)
        let existing = table.find(b, name, hash: hash, families)
        if !forSample, let existing {
            current = existing
            return existing
        }
        let index = Int32(families.count)
        families.append(FamilyRecord(name: name, type: openMetrics ? .unknown : .untyped))
        if existing == nil { table.insert(b, index, hash: hash, families) }
        current = index
        return index
    }

    /// Puts every family into `table` if ``namesAscending`` kept it empty (their names are
    /// distinct then, so each is the first of its name).
    mutating func fillTable(_ b: UnsafePointer<UInt8>) {
        guard namesAscending else { return }
        namesAscending = false
        for index in families.indices {
            table.insert(b, Int32(index), hash: FamilyTable.hash(b, families[index].name), families)
        }
    }

    /// Whether `name` sorts after `other`, byte by byte (a name sorts after its own prefixes).
    func sorts(_ b: UnsafePointer<UInt8>, _ name: Span, after other: Span) -> Bool {
        let order = memcmp(b + Int(name.start), b + Int(other.start), min(name.count, other.count))
        return order > 0 || (order == 0 && name.count > other.count)
    }

    /// Whether a sample named `name` belongs to family `family`.
    /// `prefixKnown`: the name is known to start with the family's name.
    func matches(_ b: UnsafePointer<UInt8>, _ name: Span, _ family: Int, prefixKnown: Bool = false) -> Bool {
        let record = families[family]
        let count = record.name.count
        guard name.count >= count else { return false }
        guard prefixKnown || memoryEqual(b + Int(name.start), b + Int(record.name.start), count) else { return false }
        let suffixCount = name.count - count
        let type = record.type
        if suffixCount == 0 {
            return !(openMetrics && (type == .counter || type == .histogram || type == .gaugeHistogram || type == .info))
        }
        let suffix = b + Int(name.start) + count
        func isSuffix(_ literal: StaticString) -> Bool {
            literal.utf8CodeUnitCount == suffixCount && memoryEqual(literal.utf8Start, suffix, suffixCount)
        }
        switch type {
        case .histogram: return isSuffix("_bucket") || isSuffix("_sum") || isSuffix("_count") || (openMetrics && isSuffix("_created"))
        case .gaugeHistogram: return isSuffix("_bucket") || isSuffix("_gsum") || isSuffix("_gcount")
        case .summary: return isSuffix("_sum") || isSuffix("_count") || (openMetrics && isSuffix("_created"))
        case .counter: return openMetrics && (isSuffix("_total") || isSuffix("_created"))
        case .info: return isSuffix("_info")
        default: return false
        }
    }

    /// Histogram buckets need a numeric `le`, summary quantiles a numeric `quantile`.
    func checkFamilyLabels(_ b: UnsafePointer<UInt8>, _ family: Int32, _ name: Span, _ first: Int, _ count: Int) throws(LineError) {
        let record = families[Int(family)]
        let required: StaticString
        switch record.type {
        case .histogram, .gaugeHistogram:
            let suffix: StaticString = "_bucket"
            guard name.count == record.name.count + 7, memoryEqual(suffix.utf8Start, b + Int(name.end) - 7, 7) else { return }
            required = "le"
        case .summary:
            guard name.count == record.name.count else { return }
            required = "quantile"
        default:
            return
        }
        var index = first
        while index < first + count {
            let label = labels[index]
            index += 1
            guard label.name.count == required.utf8CodeUnitCount, memoryEqual(required.utf8Start, b + Int(label.name.start), label.name.count)
            else { continue }
            guard !label.escaped, FloatParser.parse(b, Int(label.value.start), Int(label.value.end)) != nil else {
                throw LineError(offset: Int(label.value.start), detail: "label \(required) must be a number")
            }
            return
        }
        throw LineError(
            offset: Int(name.start),
            detail: "\(record.type.rawValue) sample \(text(b, Int(name.start), Int(name.end))) has no \(required) label"
        )
    }

    // MARK: bytes

    func text(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> String {
        let shown = min(end - start, 64)
        return String(decoding: UnsafeBufferPointer(start: b + start, count: max(0, shown)), as: UTF8.self)
    }

    func isValidUTF8(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        String(validating: UnsafeBufferPointer(start: b + start, count: end - start), as: UTF8.self) != nil
    }
}

/// An open-addressing table from family names (spans of the page) to family indexes, hashed
/// over the bytes so that no string is made.
struct FamilyTable {
    private var slots: [Int32]
    private var count = 0

    /// A table for `capacity` families without growing (twice as many slots, a power of two).
    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        slots = [Int32](repeating: -1, count: size)
    }

    /// A hash of the name's bytes taken eight at a time (the last, partial word from a load that
    /// ends at the name's end), mixed by multiplication.
    static func hash(_ b: UnsafePointer<UInt8>, _ span: Span) -> Int {
        let bytes = UnsafeRawPointer(b + Int(span.start))
        let count = span.count
        var hash = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        var offset = 0
        while offset + 8 <= count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            offset += 8
        }
        let remaining = count - offset
        if remaining > 0 {
            var tail: UInt64 = 0
            if count >= 8 {
                tail = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) >> UInt64(8 * (8 - remaining))
            } else {
                for index in 0..<remaining { tail |= UInt64(bytes.load(fromByteOffset: offset + index, as: UInt8.self)) << UInt64(8 * index) }
            }
            hash = (hash ^ tail) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    func find(_ b: UnsafePointer<UInt8>, _ name: Span, hash: Int, _ families: [FamilyRecord]) -> Int32? {
        let mask = slots.count - 1
        var slot = hash & mask
        while true {
            let family = slots[slot]
            if family < 0 { return nil }
            let other = families[Int(family)].name
            if other.count == name.count && memoryEqual(b + Int(other.start), b + Int(name.start), name.count) { return family }
            slot = (slot + 1) & mask
        }
    }

    mutating func insert(_ b: UnsafePointer<UInt8>, _ family: Int32, hash: Int, _ families: [FamilyRecord]) {
        if (count + 1) * 2 > slots.count {
            var grown = FamilyTable(capacity: slots.count)
            for existing in slots where existing >= 0 {
                grown.insert(b, existing, hash: Self.hash(b, families[Int(existing)].name), families)
            }
            self = grown
        }
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = family
        count += 1
    }
}

// MARK: scanning eight bytes at a time

extension ParserState {
    /// The end of the metric name (`[a-zA-Z0-9_:]*`) that continues at `start`: eight bytes per
    /// step while the page has eight more, then byte by byte; at most `end`.
    @inline(__always)
    static func scanName(_ b: UnsafePointer<UInt8>, _ limit: Int, _ start: Int, _ end: Int) -> Int {
        scan(b, limit, start, end, colon: true)
    }

    /// The end of the label name (`[a-zA-Z0-9_]*`) that continues at `start`, as ``scanName``.
    @inline(__always)
    static func scanLabelName(_ b: UnsafePointer<UInt8>, _ limit: Int, _ start: Int, _ end: Int) -> Int {
        scan(b, limit, start, end, colon: false)
    }

    @inline(__always)
    private static func scan(_ b: UnsafePointer<UInt8>, _ limit: Int, _ start: Int, _ end: Int, colon: Bool) -> Int {
        var i = start
        while i + 8 <= limit {
            let stops = nonNameBytes(loadWord(b, i), colon: colon)
            if stops != 0 { return min(i + stops.trailingZeroBitCount >> 3, end) }
            i += 8
        }
        while i < end && (colon ? isNameChar(b[i]) : isLabelChar(b[i])) { i += 1 }
        return i
    }
}

/// The high bit of every byte of `word` (little-endian: byte 0 is the lowest) that is not a name
/// character: not an ASCII letter, digit or `_` (nor `:` when `colon`). Exact for every byte: the
/// byte-wise sums below never carry into the next byte, because the high bits are cleared first.
@inline(__always)
func nonNameBytes(_ word: UInt64, colon: Bool) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let ascii = word & ~highs
    let folded = ascii | (0x20 &* ones)
    // A byte is at least `low` when adding 0x80 − low sets its high bit, above `high` when adding
    // 0x7F − high does.
    let letter = (folded &+ (0x80 - 0x61) &* ones) & ~(folded &+ (0x7F - 0x7A) &* ones)
    let digit = (ascii &+ (0x80 - 0x30) &* ones) & ~(ascii &+ (0x7F - 0x39) &* ones)
    // A byte equals `c` when x ^ c is zero, so adding 0x7F leaves its high bit clear.
    var valid = letter | digit | ~((ascii ^ (0x5F &* ones)) &+ 0x7F &* ones)
    if colon { valid |= ~((ascii ^ (0x3A &* ones)) &+ 0x7F &* ones) }
    return (~valid | word) & highs
}

/// The eight bytes at `b + i` as a word whose lowest byte is `b[i]` (on any byte order), for the
/// scans that find the first interesting byte from the trailing zero bits.
@inline(__always)
private func loadWord(_ b: UnsafePointer<UInt8>, _ i: Int) -> UInt64 {
    UInt64(littleEndian: UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self))
}

@inline(__always)
private func skipBlanks(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
    var i = start
    while i < end && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
    return i
}

/// The high bit of every zero byte of `word` set (and possibly of bytes after the first zero
/// byte, so only the lowest set bit is exact).
@inline(__always)
private func zeroBytes(_ word: UInt64) -> UInt64 {
    (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
}

@inline(__always)
private func isNameStart(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- 0x61 < 26 || byte == 0x5F || byte == 0x3A
}

@inline(__always)
private func isNameChar(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- 0x61 < 26 || byte &- 0x30 < 10 || byte == 0x5F || byte == 0x3A
}

@inline(__always)
private func isLabelStart(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- 0x61 < 26 || byte == 0x5F
}

@inline(__always)
private func isLabelChar(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- 0x61 < 26 || byte &- 0x30 < 10 || byte == 0x5F
}
