/// An instant in UTC at nanosecond precision, the time type of samples, records and keys.
///
/// Stored as whole seconds since the Unix epoch plus a nanosecond part in `0..<1_000_000_000`,
/// so that instants compare exactly (docs/design.md, "Raw batches": "instants are compared at nanosecond precision").
public struct Timestamp: Sendable, Hashable, Comparable {
    /// Whole seconds since 1970-01-01T00:00:00Z (may be negative for years before 1970).
    public var seconds: Int64
    /// Nanoseconds within the second, `0..<1_000_000_000`.
    public var nanoseconds: Int32

    /// The earliest instant docs/design.md, "Raw batches" accepts: 0001-01-01T00:00:00Z.
    public static let minimum = Timestamp(seconds: -62_135_596_800, nanoseconds: 0)
    /// The latest instant docs/design.md, "Raw batches" accepts: 9999-12-31T23:59:59.999999999Z.
    public static let maximum = Timestamp(seconds: 253_402_300_799, nanoseconds: 999_999_999)

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// An instant from milliseconds since the epoch.
    public init(milliseconds: Int64) {
        let (q, r) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        if r < 0 {
            self.init(seconds: q - 1, nanoseconds: Int32((r + 1000) * 1_000_000))
        } else {
            self.init(seconds: q, nanoseconds: Int32(r * 1_000_000))
        }
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// Milliseconds since the epoch, floored.
    public var milliseconds: Int64 { seconds * 1000 + Int64(nanoseconds / 1_000_000) }

    /// The instant floored to whole milliseconds.
    public var flooredToMilliseconds: Timestamp {
        Timestamp(seconds: seconds, nanoseconds: nanoseconds - nanoseconds % 1_000_000)
    }

    /// Adds whole seconds.
    public func adding(seconds delta: Int64) -> Timestamp {
        Timestamp(seconds: seconds + delta, nanoseconds: nanoseconds)
    }

    /// Seconds from `other` to `self` as a double.
    public func secondsSince(_ other: Timestamp) -> Double {
        Double(seconds - other.seconds) + Double(nanoseconds - other.nanoseconds) / 1e9
    }

    /// The current time from the system's real-time clock.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: Int64(spec.tv_sec), nanoseconds: Int32(spec.tv_nsec))
    }

    /// The calendar fields of this instant in UTC.
    public var civil: CivilDateTime {
        let days = Timestamp.floorDiv(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (y, m, d) = CivilDateTime.civil(fromDays: days)
        return CivilDateTime(
            year: y,
            month: m,
            day: d,
            hour: secondOfDay / 3600,
            minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60,
            nanosecond: Int(nanoseconds)
        )
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the instant floored to milliseconds (docs/design.md, "Records").
    public var iso8601Milliseconds: String {
        let c = civil
        var out = c.dateString(separator: "-")
        out += "T"
        out += pad(c.hour, 2) + ":" + pad(c.minute, 2) + ":" + pad(c.second, 2)
        out += "." + pad(c.nanosecond / 1_000_000, 3) + "Z"
        return out
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, whole seconds (the instant floored to a second), as EventBridge
    /// writes the `time` of a scheduled event and Step Functions' inputs carry it.
    public var iso8601Seconds: String {
        let c = civil
        return c.dateString(separator: "-") + "T" + pad(c.hour, 2) + ":" + pad(c.minute, 2) + ":" + pad(c.second, 2) + "Z"
    }

    /// `YYYYMMDDTHHMMSSZ`, the compact form used in raw batch object names (docs/design.md, "Raw batches").
    public var compactBasic: String {
        let c = civil
        return c.dateString(separator: "") + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? q - 1 : q
    }
}

extension CivilDateTime {
    /// The instant of a `YYYYMMDDTHHMMSSZ` text (``Timestamp/compactBasic``), or nil.
    public static func parseCompactBasic(_ text: String) -> Timestamp? {
        let chars = Array(text.utf8)
        guard chars.count == 16, chars[8] == UInt8(ascii: "T"), chars[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for c in chars[range] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
            let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        return Timestamp.parseRFC3339(
            "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)T\(hour < 10 ? "0" : "")\(hour):"
                + "\(minute < 10 ? "0" : "")\(minute):\(second < 10 ? "0" : "")\(second)Z"
        )
    }
}

/// Calendar fields of a UTC instant (proleptic Gregorian calendar).
public struct CivilDateTime: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var nanosecond: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, nanosecond: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }

    /// The instant these fields name in UTC, or `nil` when a field is out of range.
    public var timestamp: Timestamp? {
        guard (1...12).contains(month), day >= 1, day <= CivilDateTime.daysIn(month: month, year: year),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
            (0..<1_000_000_000).contains(nanosecond)
        else { return nil }
        let days = CivilDateTime.days(fromYear: year, month: month, day: day)
        return Timestamp(
            seconds: days * 86_400 + Int64(hour * 3600 + minute * 60 + second),
            nanoseconds: Int32(nanosecond)
        )
    }

    /// `YYYY<sep>MM<sep>DD`.
    public func dateString(separator: String) -> String {
        pad(year, 4) + separator + pad(month, 2) + separator + pad(day, 2)
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
    public static func days(fromYear year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
    public static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }
}

/// Zero-padded decimal of a non-negative number.
@inline(__always)
func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif
