#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif

private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// The double nearest to a validated JSON number (correctly rounded, like `strtod`).
///
/// Numbers with at most 15 significant digits and a small decimal exponent are converted
/// exactly with one multiplication or division (Clinger's fast path); the rest go to `strtod`.
/// Integers too large for a double become infinity, which the caller rejects as not finite.
func parseJSONNumber(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double {
    var i = 0
    var negative = false
    if p[0] == UInt8(ascii: "-") {
        negative = true
        i = 1
    }
    var mantissa: UInt64 = 0
    var significant = 0
    var exponent = 0
    var inexact = false
    while i < count, p[i] &- 48 < 10 {
        let d = UInt64(p[i] &- 48)
        if mantissa == 0 && d == 0 {
            // Leading zero: not significant.
        } else if significant < 19 {
            mantissa = mantissa * 10 + d
            significant += 1
        } else {
            inexact = true
            exponent += 1
        }
        i += 1
    }
    if i < count, p[i] == UInt8(ascii: ".") {
        i += 1
        while i < count, p[i] &- 48 < 10 {
            let d = UInt64(p[i] &- 48)
            if mantissa == 0 && d == 0 {
                exponent -= 1
            } else if significant < 19 {
                mantissa = mantissa * 10 + d
                significant += 1
                exponent -= 1
            } else {
                inexact = true
            }
            i += 1
        }
    }
    if i < count, p[i] | 0x20 == UInt8(ascii: "e") {
        i += 1
        var exponentNegative = false
        if p[i] == UInt8(ascii: "+") {
            i += 1
        } else if p[i] == UInt8(ascii: "-") {
            exponentNegative = true
            i += 1
        }
        var e = 0
        while i < count, p[i] &- 48 < 10 {
            if e < 1_000_000 { e = e * 10 + Int(p[i] &- 48) }
            i += 1
        }
        exponent += exponentNegative ? -e : e
    }
    if mantissa == 0 { return negative ? -0.0 : 0.0 }
    if !inexact, significant <= 15, exponent >= -22, exponent <= 22 {
        let m = Double(mantissa)
        let value = exponent >= 0 ? m * exactPowersOfTen[exponent] : m / exactPowersOfTen[-exponent]
        return negative ? -value : value
    }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
        let base = buffer.baseAddress!
        UnsafeMutableRawPointer(base).copyMemory(from: p, byteCount: count)
        base[count] = 0
        return strtod(base, nil)
    }
}
