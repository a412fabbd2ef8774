extension Timestamp {
    /// Parses an RFC 3339 timestamp as docs/design.md, "Raw batches" restricts it.
    ///
    /// Accepts `YYYY-MM-DDTHH:MM:SS[.f{1,9}]` followed by `Z` or `±HH:MM`, with `T` and `Z` in
    /// either case; rejects impossible calendar dates, leap seconds, and instants outside
    /// years 0001–9999 in UTC.
    /// - Returns: the instant, or `nil` when the text is not such a timestamp.
    public static func parseRFC3339(_ text: some StringProtocol) -> Timestamp? {
        var copy = String(text)
        return copy.withUTF8 { parseRFC3339(bytes: $0) }
    }

    /// Parses an RFC 3339 timestamp from UTF-8 bytes; see ``parseRFC3339(_:)``.
    public static func parseRFC3339(bytes b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        let n = b.count
        guard n >= 20 else { return nil }
        @inline(__always) func digits(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for i in start..<(start + count) {
                let d = Int(b[i]) &- 48
                guard d >= 0, d <= 9 else { return nil }
                value = value * 10 + d
            }
            return value
        }
        guard let year = digits(0, 4), b[4] == UInt8(ascii: "-"),
            let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
            let day = digits(8, 2), b[10] | 0x20 == UInt8(ascii: "t"),
            let hour = digits(11, 2), b[13] == UInt8(ascii: ":"),
            let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
            let second = digits(17, 2)
        else { return nil }
        var i = 19
        var nanos = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < n, b[i] >= 48, b[i] <= 57 { i += 1 }
            let count = i - start
            guard count >= 1, count <= 9, let fraction = digits(start, count) else { return nil }
            var scale = 1
            for _ in count..<9 { scale *= 10 }
            nanos = fraction * scale
        }
        guard i < n else { return nil }
        var offsetSeconds = 0
        if b[i] | 0x20 == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 == n, let oh = digits(i + 1, 2), b[i + 3] == UInt8(ascii: ":"),
                let om = digits(i + 4, 2), oh <= 23, om <= 59
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == n else { return nil }
        let fields = CivilDateTime(
            year: year,
            month: month,
            day: day,
            hour: hour,
            minute: minute,
            second: second,
            nanosecond: nanos
        )
        guard var instant = fields.timestamp else { return nil }
        instant.seconds -= Int64(offsetSeconds)
        guard instant >= .minimum, instant <= .maximum else { return nil }
        return instant
    }
}
