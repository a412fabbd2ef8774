#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif

/// The kind of a JSON value found by ``JSONLineScanner``.
enum JSONValueKind: UInt8 {
    case absent
    case string
    case number
    case trueLiteral
    case falseLiteral
    case null
    case object
    case array
}

/// Where a value sits in the line: for strings, the bytes between the quotes.
struct JSONValueSpan {
    var kind: JSONValueKind = .absent
    var start = 0
    var end = 0
    /// For strings: whether the text contains a backslash escape and must be decoded.
    var escaped = false
}

/// Bytes of a decoded string, either inside the line or in the scanner's arena.
struct ByteSpan {
    var base: UnsafePointer<UInt8>
    var count: Int

    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    func equals(_ other: ByteSpan) -> Bool {
        count == other.count && (count == 0 || memcmp(base, other.base, count) == 0)
    }

    @inline(__always)
    func equals(_ bytes: [UInt8]) -> Bool {
        bytes.count == count && bytes.withUnsafeBufferPointer { count == 0 || memcmp($0.baseAddress!, base, count) == 0 }
    }

    /// Byte-wise ordering (the order of code points).
    @inline(__always)
    func precedes(_ other: ByteSpan) -> Bool {
        let common = min(count, other.count)
        let c = common == 0 ? 0 : memcmp(base, other.base, common)
        return c < 0 || (c == 0 && count < other.count)
    }

    var string: String { String(decoding: buffer, as: UTF8.self) }
}

/// Why a line is not valid JSON, and where (a byte offset in the line).
struct JSONSyntaxError: Error {
    enum Kind {
        case unexpectedByte(UInt8)
        case unexpectedEnd
        case invalidUTF8
        case controlCharacter(UInt8)
        case invalidEscape
        case loneSurrogate
        case byteOrderMark
        case tooDeep
        case notAnObject
    }

    var kind: Kind
    var offset: Int

    /// The quarantine reason, e.g. `not valid JSON: unexpected byte 0x7b at column 3`.
    var reason: String {
        let column = "at column \(offset + 1)"
        switch kind {
        case .unexpectedByte(let byte): return "not valid JSON: unexpected byte 0x\(hex2(byte)) \(column)"
        case .unexpectedEnd: return "not valid JSON: unexpected end of line"
        case .invalidUTF8: return "not valid UTF-8 \(column)"
        case .controlCharacter(let byte): return "not valid JSON: control character 0x\(hex2(byte)) in string \(column)"
        case .invalidEscape: return "not valid JSON: invalid escape \(column)"
        case .loneSurrogate: return "not valid JSON: lone surrogate escape \(column)"
        case .byteOrderMark: return "not valid JSON: byte order mark"
        case .tooDeep: return "not valid JSON: nested deeper than \(JSONLineScanner.maximumDepth) levels \(column)"
        case .notAnObject: return "not a JSON object"
        }
    }
}

private func hex2(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
}

/// A strict single-pass JSON validator and scanner over one line of UTF-8 bytes.
///
/// It validates the whole line (RFC 8259 grammar, UTF-8, escapes, surrogate pairs) and records
/// where the values of the top-level keys it was asked about sit; unknown keys are validated and
/// skipped. Decoding of escaped strings happens only on demand, into an arena owned by the scanner.
///
/// A struct holding its buffers by pointer, so the hot loop has no runtime exclusivity checks;
/// the owner calls ``deallocate()``.
struct JSONLineScanner {
    static let maximumDepth = 512
    static let fieldCount = 6

    /// The top-level fields the processor cares about.
    enum Field: Int, CaseIterable {
        case metric = 0
        case host
        case timestamp
        case value
        case unit
        case labels

        var name: String {
            switch self {
            case .metric: return "metric"
            case .host: return "host"
            case .timestamp: return "timestamp"
            case .value: return "value"
            case .unit: return "unit"
            case .labels: return "labels"
            }
        }
    }

    private(set) var p: UnsafePointer<UInt8>
    private(set) var n = 0
    /// The last occurrence of each field (duplicate keys: the last one wins), by `Field.rawValue`.
    let fields: UnsafeMutablePointer<JSONValueSpan>
    private let arena: UnsafeMutablePointer<UInt8>
    private let arenaCapacity: Int
    private var arenaUsed = 0

    /// - Parameter maximumLineLength: the longest line ``scan(_:)`` is given; sizes the arena.
    init(maximumLineLength: Int) {
        arenaCapacity = maximumLineLength + 16
        arena = .allocate(capacity: arenaCapacity)
        p = UnsafePointer(arena)
        fields = .allocate(capacity: JSONLineScanner.fieldCount)
        fields.initialize(repeating: JSONValueSpan(), count: JSONLineScanner.fieldCount)
    }

    /// Frees the buffers; the scanner must not be used afterwards.
    func deallocate() {
        arena.deallocate()
        fields.deallocate()
    }

    /// Scans one line (without its `\n`).
    /// - Returns: false when the line is blank (only spaces, tabs and carriage returns).
    /// - Throws: ``JSONSyntaxError`` when the line is not valid JSON or not an object.
    mutating func scan(_ line: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> Bool {
        p = line.baseAddress ?? UnsafePointer(arena)
        n = line.count
        arenaUsed = 0
        for i in 0..<JSONLineScanner.fieldCount { fields[i].kind = .absent }
        var i = skipWhitespace(0)
        if i == n { return false }
        if p[i] == 0xEF, i + 2 < n, p[i + 1] == 0xBB, p[i + 2] == 0xBF {
            throw JSONSyntaxError(kind: .byteOrderMark, offset: i)
        }
        if p[i] != UInt8(ascii: "{") {
            // Valid JSON that is not an object is reported as such; anything else as bad JSON.
            var kind = JSONValueKind.absent
            var escaped = false
            let end = try skipValue(i, depth: 1, kind: &kind, escaped: &escaped)
            let after = skipWhitespace(end)
            if after < n { throw JSONSyntaxError(kind: .unexpectedByte(p[after]), offset: after) }
            throw JSONSyntaxError(kind: .notAnObject, offset: i)
        }
        i = try scanObject(i, depth: 1, topLevel: true)
        i = skipWhitespace(i)
        if i < n { throw JSONSyntaxError(kind: .unexpectedByte(p[i]), offset: i) }
        return true
    }

    // MARK: - Grammar

    @inline(__always)
    func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while i < n {
            let c = p[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
        return i
    }

    /// Scans an object starting at `{`; returns the index after `}`.
    private mutating func scanObject(_ start: Int, depth: Int, topLevel: Bool) throws(JSONSyntaxError) -> Int {
        var i = skipWhitespace(start + 1)
        guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
        if p[i] == UInt8(ascii: "}") { return i + 1 }
        while true {
            guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
            guard p[i] == UInt8(ascii: "\"") else { throw JSONSyntaxError(kind: .unexpectedByte(p[i]), offset: i) }
            let keyStart = i + 1
            var keyEscaped = false
            i = try scanString(i, escaped: &keyEscaped)
            let keyEnd = i - 1
            i = skipWhitespace(i)
            guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
            guard p[i] == UInt8(ascii: ":") else { throw JSONSyntaxError(kind: .unexpectedByte(p[i]), offset: i) }
            i = skipWhitespace(i + 1)
            var kind = JSONValueKind.absent
            var escaped = false
            let valueStart = i
            let valueEnd = try skipValue(i, depth: depth + 1, kind: &kind, escaped: &escaped)
            if topLevel, let field = identify(keyStart, keyEnd, escaped: keyEscaped) {
                if kind == .string {
                    fields[field.rawValue] = JSONValueSpan(kind: kind, start: valueStart + 1, end: valueEnd - 1, escaped: escaped)
                } else {
                    fields[field.rawValue] = JSONValueSpan(kind: kind, start: valueStart, end: valueEnd, escaped: false)
                }
            }
            i = skipWhitespace(valueEnd)
            guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
            if p[i] == UInt8(ascii: ",") {
                i = skipWhitespace(i + 1)
                continue
            }
            if p[i] == UInt8(ascii: "}") { return i + 1 }
            throw JSONSyntaxError(kind: .unexpectedByte(p[i]), offset: i)
        }
    }

    private mutating func scanArray(_ start: Int, depth: Int) throws(JSONSyntaxError) -> Int {
        var i = skipWhitespace(start + 1)
        guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
        if p[i] == UInt8(ascii: "]") { return i + 1 }
        while true {
            var kind = JSONValueKind.absent
            var escaped = false
            i = skipWhitespace(try skipValue(i, depth: depth + 1, kind: &kind, escaped: &escaped))
            guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
            if p[i] == UInt8(ascii: ",") {
                i = skipWhitespace(i + 1)
                continue
            }
            if p[i] == UInt8(ascii: "]") { return i + 1 }
            throw JSONSyntaxError(kind: .unexpectedByte(p[i]), offset: i)
        }
    }

    /// Validates one value at `start`; returns the index after it.
    mutating func skipValue(_ start: Int, depth: Int, kind: inout JSONValueKind, escaped: inout Bool) throws(JSONSyntaxError) -> Int {
        guard start < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: start) }
        let c = p[start]
        switch c {
        case UInt8(ascii: "\""):
            kind = .string
            return try scanString(start, escaped: &escaped)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            kind = .number
            return try scanNumber(start)
        case UInt8(ascii: "{"):
            kind = .object
            guard depth <= JSONLineScanner.maximumDepth else { throw JSONSyntaxError(kind: .tooDeep, offset: start) }
            return try scanObject(start, depth: depth, topLevel: false)
        case UInt8(ascii: "["):
            kind = .array
            guard depth <= JSONLineScanner.maximumDepth else { throw JSONSyntaxError(kind: .tooDeep, offset: start) }
            return try scanArray(start, depth: depth)
        case UInt8(ascii: "t"):
            kind = .trueLiteral
            return try literal(start, "true")
        case UInt8(ascii: "f"):
            kind = .falseLiteral
            return try literal(start, "false")
        case UInt8(ascii: "n"):
            kind = .null
            return try literal(start, "null")
        default:
            throw JSONSyntaxError(kind: .unexpectedByte(c), offset: start)
        }
    }

    private func literal(_ start: Int, _ word: StaticString) throws(JSONSyntaxError) -> Int {
        let bytes = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount {
            let i = start + k
            guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
            guard p[i] == bytes[k] else { throw JSONSyntaxError(kind: .unexpectedByte(p[i]), offset: i) }
        }
        return start + word.utf8CodeUnitCount
    }

    @inline(__always)
    private func isDigit(_ i: Int) -> Bool { i < n && p[i] &- 48 < 10 }

    private func scanNumber(_ start: Int) throws(JSONSyntaxError) -> Int {
        var i = start
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else if isDigit(i) {
            while isDigit(i) { i += 1 }
        } else {
            throw JSONSyntaxError(kind: .unexpectedByte(p[i]), offset: i)
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
            guard isDigit(i) else { throw JSONSyntaxError(kind: .unexpectedByte(p[i]), offset: i) }
            while isDigit(i) { i += 1 }
        }
        if i < n, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < n, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
            guard isDigit(i) else { throw JSONSyntaxError(kind: .unexpectedByte(p[i]), offset: i) }
            while isDigit(i) { i += 1 }
        }
        return i
    }

    @inline(__always)
    private func hexValue(_ i: Int) -> Int? {
        guard i < n else { return nil }
        let c = p[i]
        switch c {
        case 48...57: return Int(c - 48)
        case 65...70: return Int(c - 55)
        case 97...102: return Int(c - 87)
        default: return nil
        }
    }

    /// The code unit of a `\uXXXX` escape whose backslash is at `i`.
    @inline(__always)
    private func unicodeEscape(_ i: Int) throws(JSONSyntaxError) -> Int {
        guard i + 5 < n else { throw JSONSyntaxError(kind: i + 5 >= n ? .unexpectedEnd : .invalidEscape, offset: i) }
        guard let a = hexValue(i + 2), let b = hexValue(i + 3), let c = hexValue(i + 4), let d = hexValue(i + 5) else {
            throw JSONSyntaxError(kind: .invalidEscape, offset: i)
        }
        return a << 12 | b << 8 | c << 4 | d
    }

    /// Validates a string starting at its opening quote; returns the index after the closing quote.
    @inline(__always)
    func scanString(_ start: Int, escaped: inout Bool) throws(JSONSyntaxError) -> Int {
        var i = start + 1
        while true {
            // Fast path over plain ASCII.
            while i < n {
                let c = p[i]
                if c == 0x22 || c == 0x5C || c < 0x20 || c >= 0x80 { break }
                i += 1
            }
            guard i < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i) }
            let c = p[i]
            if c == 0x22 { return i + 1 }
            if c == 0x5C {
                escaped = true
                guard i + 1 < n else { throw JSONSyntaxError(kind: .unexpectedEnd, offset: i + 1) }
                switch p[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    let unit = try unicodeEscape(i)
                    if unit >= 0xD800 && unit <= 0xDBFF {
                        guard i + 7 < n, p[i + 6] == 0x5C, p[i + 7] == UInt8(ascii: "u") else {
                            throw JSONSyntaxError(kind: .loneSurrogate, offset: i)
                        }
                        let low = try unicodeEscape(i + 6)
                        guard low >= 0xDC00 && low <= 0xDFFF else { throw JSONSyntaxError(kind: .loneSurrogate, offset: i) }
                        i += 12
                    } else if unit >= 0xDC00 && unit <= 0xDFFF {
                        throw JSONSyntaxError(kind: .loneSurrogate, offset: i)
                    } else {
                        i += 6
                    }
                default:
                    throw JSONSyntaxError(kind: .invalidEscape, offset: i)
                }
                continue
            }
            if c < 0x20 { throw JSONSyntaxError(kind: .controlCharacter(c), offset: i) }
            i = try validateUTF8Sequence(i)
        }
    }

    /// Validates one multi-byte UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates,
    /// nothing above U+10FFFF); returns the index after it.
    private func validateUTF8Sequence(_ i: Int) throws(JSONSyntaxError) -> Int {
        let c0 = p[i]
        @inline(__always) func cont(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            i + k < n && p[i + k] >= low && p[i + k] <= high
        }
        switch c0 {
        case 0xC2...0xDF:
            if cont(1) { return i + 2 }
        case 0xE0:
            if cont(1, 0xA0, 0xBF), cont(2) { return i + 3 }
        case 0xE1...0xEC, 0xEE...0xEF:
            if cont(1), cont(2) { return i + 3 }
        case 0xED:
            if cont(1, 0x80, 0x9F), cont(2) { return i + 3 }
        case 0xF0:
            if cont(1, 0x90, 0xBF), cont(2), cont(3) { return i + 4 }
        case 0xF1...0xF3:
            if cont(1), cont(2), cont(3) { return i + 4 }
        case 0xF4:
            if cont(1, 0x80, 0x8F), cont(2), cont(3) { return i + 4 }
        default:
            break
        }
        throw JSONSyntaxError(kind: .invalidUTF8, offset: i)
    }

    // MARK: - Keys and decoding

    private static let names: [[UInt8]] = Field.allCases.map { Array($0.name.utf8) }

    /// Which field a top-level key names, if any.
    @inline(__always)
    private mutating func identify(_ start: Int, _ end: Int, escaped: Bool) -> Field? {
        let span: ByteSpan
        if escaped {
            let mark = arenaUsed
            span = decode(start, end)
            arenaUsed = mark
        } else {
            span = ByteSpan(base: p + start, count: end - start)
        }
        switch span.count {
        case 4:
            if span.equals(JSONLineScanner.names[Field.host.rawValue]) { return .host }
            if span.equals(JSONLineScanner.names[Field.unit.rawValue]) { return .unit }
        case 5:
            if span.equals(JSONLineScanner.names[Field.value.rawValue]) { return .value }
        case 6:
            if span.equals(JSONLineScanner.names[Field.metric.rawValue]) { return .metric }
            if span.equals(JSONLineScanner.names[Field.labels.rawValue]) { return .labels }
        case 9:
            if span.equals(JSONLineScanner.names[Field.timestamp.rawValue]) { return .timestamp }
        default:
            break
        }
        return nil
    }

    /// The decoded bytes of a validated string whose content is `start..<end`.
    mutating func string(_ start: Int, _ end: Int, escaped: Bool) -> ByteSpan {
        escaped ? decode(start, end) : ByteSpan(base: p + start, count: end - start)
    }

    /// Decodes the escapes of a validated string into the arena.
    private mutating func decode(_ start: Int, _ end: Int) -> ByteSpan {
        let out = arena + arenaUsed
        var o = 0
        var i = start
        while i < end {
            let c = p[i]
            if c != 0x5C {
                out[o] = c
                o += 1
                i += 1
                continue
            }
            let e = p[i + 1]
            switch e {
            case UInt8(ascii: "b"): out[o] = 0x08
            case UInt8(ascii: "f"): out[o] = 0x0C
            case UInt8(ascii: "n"): out[o] = 0x0A
            case UInt8(ascii: "r"): out[o] = 0x0D
            case UInt8(ascii: "t"): out[o] = 0x09
            case UInt8(ascii: "u"): break
            default: out[o] = e
            }
            if e != UInt8(ascii: "u") {
                o += 1
                i += 2
                continue
            }
            var scalar = (try? unicodeEscape(i)) ?? 0xFFFD
            i += 6
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                let low = (try? unicodeEscape(i)) ?? 0xDC00
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            }
            switch scalar {
            case 0..<0x80:
                out[o] = UInt8(scalar)
                o += 1
            case 0x80..<0x800:
                out[o] = UInt8(0xC0 | scalar >> 6)
                out[o + 1] = UInt8(0x80 | scalar & 0x3F)
                o += 2
            case 0x800..<0x10000:
                out[o] = UInt8(0xE0 | scalar >> 12)
                out[o + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
                out[o + 2] = UInt8(0x80 | scalar & 0x3F)
                o += 3
            default:
                out[o] = UInt8(0xF0 | scalar >> 18)
                out[o + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
                out[o + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
                out[o + 3] = UInt8(0x80 | scalar & 0x3F)
                o += 4
            }
        }
        arenaUsed += o
        return ByteSpan(base: UnsafePointer(out), count: o)
    }

    /// Calls `body` for each member of the validated object at `start` (its `{`), in order.
    mutating func forEachMember(
        ofObjectAt start: Int,
        _ body: (_ key: ByteSpan, _ value: JSONValueSpan) -> Void
    ) {
        var i = skipWhitespace(start + 1)
        if p[i] == UInt8(ascii: "}") { return }
        while true {
            var keyEscaped = false
            let keyStart = i + 1
            i = (try? scanString(i, escaped: &keyEscaped)) ?? n
            let key = string(keyStart, i - 1, escaped: keyEscaped)
            i = skipWhitespace(skipWhitespace(i) + 1)
            var kind = JSONValueKind.absent
            var escaped = false
            let valueStart = i
            let valueEnd = (try? skipValue(i, depth: 2, kind: &kind, escaped: &escaped)) ?? n
            if kind == .string {
                body(key, JSONValueSpan(kind: kind, start: valueStart + 1, end: valueEnd - 1, escaped: escaped))
            } else {
                body(key, JSONValueSpan(kind: kind, start: valueStart, end: valueEnd, escaped: false))
            }
            i = skipWhitespace(valueEnd)
            if i >= n || p[i] != UInt8(ascii: ",") { return }
            i = skipWhitespace(i + 1)
        }
    }
}
