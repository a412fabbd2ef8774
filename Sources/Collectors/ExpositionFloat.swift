#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal floats over bytes, as Prometheus reads them (Go's `ParseFloat` without hex or `_`).
///
/// The grammar is checked first, so `strtod` never sees hex, `_` or other forms Prometheus
/// rejects. A plain decimal whose digits fit in an integer of at most 2⁵³ and whose power of ten
/// is exactly representable is computed with one correctly rounded multiplication or division
/// (Clinger's fast path), which is bit-exact with `strtod`; everything else goes to `strtod`
/// over a copy on the stack.
enum FloatParser {
    /// 10⁰ … 10²², every one exact in a `Double`.
    private static let powers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
    /// 10⁰ … 10¹⁵ as integers, to move a small mantissa's excess exponent into the integer.
    private static let integerPowers: [UInt64] = [
        1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000, 100_000_000_000,
        1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
    ]

    /// The value of `b[start..<end]`, or nil when it is not a decimal float Prometheus accepts.
    @inline(__always)
    static func parse(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        // The commonest value on a node_exporter page: one to fifteen plain digits.
        var i = start
        var integer: UInt64 = 0
        while i < end, b[i] &- 0x30 < 10, i - start < 15 {
            integer = integer &* 10 &+ UInt64(b[i] &- 0x30)
            i += 1
        }
        if i == end && i > start { return Double(integer) }
        return general(b, start, end)
    }

    /// The commonest value on a node_exporter page, read in the same pass that finds its end: one
    /// to fifteen plain digits from `start`. Returns the value and the index after the digits (the
    /// caller checks what follows them), or nil when `start` holds no digit.
    @inline(__always)
    static func parseLeadingDigits(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Double, Int)? {
        var i = start
        var integer: UInt64 = 0
        while i < end, b[i] &- 0x30 < 10, i - start < 15 {
            integer = integer &* 10 &+ UInt64(b[i] &- 0x30)
            i += 1
        }
        guard i > start else { return nil }
        return (Double(integer), i)
    }

    private static func general(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        guard start < end else { return nil }
        var i = start
        var negative = false
        if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < end else { return nil }
        let first = b[i] | 0x20
        if first == UInt8(ascii: "i") || first == UInt8(ascii: "n") { return special(b, i, end, negative: negative, signed: i > start) }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while i < end, b[i] &- 0x30 < 10 {
            sawDigit = true
            if mantissa == 0 && b[i] == 0x30 {
                i += 1
                continue
            }
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30)
            } else {
                exponent += 1
            }
            digits += 1
            i += 1
        }
        if i < end && b[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, b[i] &- 0x30 < 10 {
                sawDigit = true
                if mantissa == 0 && b[i] == 0x30 {
                    exponent -= 1
                } else if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30)
                    digits += 1
                    exponent -= 1
                } else {
                    digits += 1
                }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < end && (b[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < end && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) {
                exponentNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < end, b[i] &- 0x30 < 10 else { return nil }
            var written = 0
            while i < end, b[i] &- 0x30 < 10 {
                if written < 100_000 { written = written * 10 + Int(b[i] &- 0x30) }
                i += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard i == end else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0 }
        if digits <= 19 && mantissa <= 1 << 53 {
            if exponent >= -22 && exponent <= 22 {
                let value = exponent < 0 ? Double(mantissa) / powers[-exponent] : Double(mantissa) * powers[exponent]
                return negative ? -value : value
            }
            // 123e25 = 123000 × 10²²: exact while the widened mantissa stays within 2⁵³.
            if exponent > 22 && exponent <= 22 + 15 {
                let (widened, overflow) = mantissa.multipliedReportingOverflow(by: integerPowers[exponent - 22])
                if !overflow && widened <= 1 << 53 {
                    let value = Double(widened) * powers[22]
                    return negative ? -value : value
                }
            }
        }
        return slow(b, start, end)
    }

    /// `inf`, `infinity` (any case, optional sign) and `nan` (any case, no sign), as Go's `ParseFloat`.
    private static func special(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int, negative: Bool, signed: Bool) -> Double? {
        func lowercased(is word: StaticString) -> Bool {
            guard end - start == word.utf8CodeUnitCount else { return false }
            for offset in 0..<(end - start) where b[start + offset] | 0x20 != word.utf8Start[offset] { return false }
            return true
        }
        if lowercased(is: "inf") || lowercased(is: "infinity") { return negative ? -.infinity : .infinity }
        if lowercased(is: "nan") { return signed ? nil : .nan }
        return nil
    }

    /// `strtod` over a NUL-terminated copy (on the stack for any realistic length).
    private static func slow(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let count = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { copy in
            let base = copy.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: b + start, byteCount: count)
            base[count] = 0
            return strtod(base, nil)
        }
    }
}
