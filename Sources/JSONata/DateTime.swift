import Foundation

/// Milliseconds since the epoch to and from ISO 8601 text, for `$now`, `$millis`, `$fromMillis`
/// and `$toMillis` (UTC; pictures with the `[Y]`, `[M]`, `[D]`, `[H]`, `[m]`, `[s]`, `[f]` components).
enum DateTime {
    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private struct Parts {
        var year: Int64
        var month: Int64
        var day: Int64
        var hour: Int64
        var minute: Int64
        var second: Int64
        var millisecond: Int64
    }

    private static func parts(_ millis: Int64) -> Parts {
        let dayCount = Int64((Double(millis) / 86_400_000).rounded(.down))
        let remainder = millis - dayCount * 86_400_000
        let (year, month, day) = civil(dayCount)
        return Parts(
            year: year,
            month: month,
            day: day,
            hour: remainder / 3_600_000,
            minute: remainder / 60000 % 60,
            second: remainder / 1000 % 60,
            millisecond: remainder % 1000
        )
    }

    static func padded(_ value: Int64, _ width: Int) -> String {
        let text = String(abs(value))
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func iso(_ millis: Int64) -> String {
        let p = parts(millis)
        return
            "\(padded(p.year, 4))-\(padded(p.month, 2))-\(padded(p.day, 2))T\(padded(p.hour, 2)):\(padded(p.minute, 2)):\(padded(p.second, 2)).\(padded(p.millisecond, 3))Z"
    }

    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    private static let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// A marker of a picture such as `[M01]`, `[FNn,*-3]` or `[D1o]`: its component, presentation and widths.
    private struct Marker {
        var component: Character
        var presentation: String
        var minimumWidth: Int?
        var maximumWidth: Int?

        init(_ text: String) {
            var body = text.filter { !$0.isWhitespace }
            component = body.isEmpty ? " " : body.removeFirst()
            if let comma = body.lastIndex(of: ",") {
                let suffix = body[body.index(after: comma)...]
                let parts = suffix.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                if parts.allSatisfy({ $0 == "*" || Int($0) != nil }), !parts.isEmpty, parts.count <= 2 {
                    // Widths beyond 64 are treated as 64, so that a picture cannot demand huge padding.
                    minimumWidth = Int(parts[0]).map { min($0, 64) }
                    if parts.count == 2 { maximumWidth = Int(parts[1]).map { min($0, 64) } }
                    body = String(body[..<comma])
                }
            }
            presentation = body
        }
    }

    private static func roman(_ value: Int64) -> String {
        var number = value
        var text = ""
        for (amount, numeral) in [
            (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
            (4, "IV"), (1, "I"),
        ] {
            while number >= Int64(amount) {
                text += numeral
                number -= Int64(amount)
            }
        }
        return text
    }

    private static func ordinal(_ value: Int64) -> String {
        let tens = value % 100
        if (11...13).contains(tens) { return "\(value)th" }
        switch value % 10 {
        case 1: return "\(value)st"
        case 2: return "\(value)nd"
        case 3: return "\(value)rd"
        default: return "\(value)th"
        }
    }

    /// A number in a presentation: digits with a minimum width and grouping (`9,999`), roman numerals
    /// (`I`, `i`), an ordinal suffix (`o`).
    private static func present(_ value: Int64, _ marker: Marker, defaultWidth: Int) -> String {
        var presentation = marker.presentation
        if presentation.hasPrefix("I") { return roman(value) }
        if presentation.hasPrefix("i") { return roman(value).lowercased() }
        let isOrdinal = presentation.hasSuffix("o")
        if isOrdinal { presentation.removeLast() }
        let digits = presentation.filter { $0.isNumber || $0 == "#" }.count
        var width = digits > 0 ? presentation.filter(\.isNumber).count : defaultWidth
        if let minimum = marker.minimumWidth { width = max(width, minimum) }
        var text = padded(value, width)
        if let comma = presentation.lastIndex(of: ","), digits > 0 {
            let size = presentation.distance(from: comma, to: presentation.endIndex) - 1
            if size > 0 {
                var grouped = ""
                for (offset, char) in text.reversed().enumerated() {
                    if offset > 0, offset % size == 0 { grouped = "," + grouped }
                    grouped = String(char) + grouped
                }
                text = grouped
            }
        }
        if isOrdinal { return ordinal(value) }
        return text
    }

    private static func name(_ name: String, _ marker: Marker) -> String {
        var text = name
        if marker.presentation.hasPrefix("Nn") {
            text = name
        } else if marker.presentation.hasPrefix("N") {
            text = name.uppercased()
        } else if marker.presentation.hasPrefix("n") {
            text = name.lowercased()
        }
        if let maximum = marker.maximumWidth { text = String(text.prefix(maximum)) }
        return text
    }

    /// A timezone offset in minutes from text such as `+0100` or `-05:00`.
    static func offset(_ text: String) -> Int64? {
        let digits = text.filter(\.isNumber)
        guard let sign = text.first, sign == "+" || sign == "-", digits.count == 4, let value = Int64(digits) else { return nil }
        return (sign == "-" ? -1 : 1) * (value / 100 * 60 + value % 100)
    }

    private static func zone(_ minutes: Int64, _ marker: Marker) -> String {
        var presentation = marker.presentation
        let zulu = presentation.hasSuffix("t")
        if zulu { presentation.removeLast() }
        if zulu, minutes == 0 { return "Z" }
        let sign = minutes < 0 ? "-" : "+"
        let hours = abs(minutes) / 60
        let rest = abs(minutes) % 60
        let digits = presentation.filter(\.isNumber)
        if marker.component == "z" { return "GMT\(sign)\(padded(hours, 2)):\(padded(rest, 2))" }
        switch digits.count {
        case 0: return "\(sign)\(padded(hours, 2)):\(padded(rest, 2))"
        case 1, 2: return rest == 0 ? "\(sign)\(padded(hours, digits.count))" : "\(sign)\(padded(hours, digits.count)):\(padded(rest, 2))"
        default:
            return presentation.contains(":") ? "\(sign)\(padded(hours, 2)):\(padded(rest, 2))" : "\(sign)\(padded(hours, 2))\(padded(rest, 2))"
        }
    }

    /// Formats with an XPath `format-dateTime` picture (numeric, name, roman and ordinal
    /// presentations; `timezone` such as `+0100`).
    static func format(_ millis: Int64, picture: String, timezone: String? = nil) throws(JSONataError) -> String {
        let minutes = timezone.flatMap(offset) ?? 0
        let p = parts(millis + minutes * 60000)
        let dayCount = Int64((Double(millis + minutes * 60000) / 86_400_000).rounded(.down))
        let weekday = ((dayCount % 7) + 7 + 3) % 7
        var output = ""
        var chars = Array(picture)[...]
        while let char = chars.first {
            chars = chars.dropFirst()
            if char == "[" {
                if chars.first == "[" {
                    output.append("[")
                    chars = chars.dropFirst()
                    continue
                }
                guard let end = chars.firstIndex(of: "]") else {
                    throw .evaluation(code: "D3135", position: 0, message: "No matching closing bracket ']' in date/time picture string")
                }
                let marker = Marker(String(chars[chars.startIndex..<end]))
                chars = chars[(end + 1)...]
                switch marker.component {
                case "Y":
                    var year = p.year
                    if marker.maximumWidth == 2 || marker.presentation.filter(\.isNumber).count == 2 { year %= 100 }
                    output += present(year, marker, defaultWidth: 1)
                case "M":
                    if marker.presentation.hasPrefix("N") || marker.presentation.hasPrefix("n") {
                        output += name(months[Int(p.month) - 1], marker)
                    } else {
                        output += present(p.month, marker, defaultWidth: 1)
                    }
                case "D": output += present(p.day, marker, defaultWidth: 1)
                case "d":
                    output += present(
                        days(year: p.year, month: p.month, day: p.day) - days(year: p.year, month: 1, day: 1) + 1,
                        marker,
                        defaultWidth: 1
                    )
                case "F":
                    if marker.presentation.hasPrefix("N") || marker.presentation.hasPrefix("n") {
                        output += name(days[Int(weekday)], marker)
                    } else {
                        output += present(weekday + 1, marker, defaultWidth: 1)
                    }
                case "H": output += present(p.hour, marker, defaultWidth: 1)
                case "h": output += present(p.hour % 12 == 0 ? 12 : p.hour % 12, marker, defaultWidth: 1)
                case "m": output += present(p.minute, marker, defaultWidth: 2)
                case "s": output += present(p.second, marker, defaultWidth: 2)
                case "f":
                    let digits = min(9, max(1, marker.presentation.filter(\.isNumber).count))
                    let scaled = digits >= 3 ? p.millisecond * Int64(pow(10, Double(digits - 3))) : p.millisecond / Int64(pow(10, Double(3 - digits)))
                    output += padded(scaled, digits)
                case "P":
                    let text = p.hour < 12 ? "am" : "pm"
                    output += marker.presentation.hasPrefix("N") ? text.uppercased() : text
                case "Z", "z": output += zone(minutes, marker)
                default:
                    throw .evaluation(
                        code: "D3132",
                        position: 0,
                        message: "Unknown component specifier \(marker.component) in date/time picture string"
                    )
                }
            } else if char == "]", chars.first == "]" {
                output.append("]")
                chars = chars.dropFirst()
            } else {
                output.append(char)
            }
        }
        return output
    }

    /// Parses `text` with a picture of numeric markers (`[Y0001][M01][D01]`, …); `nil` when it does not match.
    static func parse(_ text: String, picture: String) -> Int64? {
        var values: [Character: Int64] = [:]
        let input = Array(text)
        var index = 0
        var chars = Array(picture)[...]
        while let char = chars.first {
            chars = chars.dropFirst()
            guard char == "[" else {
                guard index < input.count, input[index] == char else { return nil }
                index += 1
                continue
            }
            guard let end = chars.firstIndex(of: "]") else { return nil }
            let marker = Marker(String(chars[chars.startIndex..<end]))
            chars = chars[(end + 1)...]
            let fixed = marker.presentation.filter(\.isNumber).count
            // A marker followed directly by another marker has a fixed width; otherwise read all digits.
            let adjacent = chars.first == "["
            var digits = ""
            while index < input.count, input[index].isNumber, !adjacent || digits.count < max(fixed, marker.component == "Y" ? 4 : 2) {
                digits.append(input[index])
                index += 1
            }
            guard let value = Int64(digits) else { return nil }
            values[marker.component] = value
        }
        guard index == input.count, !values.isEmpty, values.values.allSatisfy({ $0 < 100_000_000 }) else { return nil }
        let dayCount = days(year: values["Y"] ?? 1970, month: values["M"] ?? 1, day: values["D"] ?? 1)
        let seconds = ((dayCount * 24 + (values["H"] ?? 0)) * 60 + (values["m"] ?? 0)) * 60 + (values["s"] ?? 0)
        return seconds * 1000 + (values["f"] ?? 0)
    }

    /// Parses ISO 8601 text (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, with an optional `THH:MM[:SS[.fff]]`
    /// and a `Z` or `±HH[:]MM` offset) into milliseconds since the epoch.
    static func parse(_ text: String) -> Int64? {
        let chars = Array(text.unicodeScalars)
        var index = 0
        func digits(_ count: Int) -> Int64? {
            guard index + count <= chars.count else { return nil }
            var value: Int64 = 0
            for char in chars[index..<index + count] {
                guard ("0"..."9").contains(char) else { return nil }
                value = value * 10 + Int64(char.value - 48)
            }
            index += count
            return value
        }
        func skip(_ char: Unicode.Scalar) -> Bool {
            if index < chars.count, chars[index] == char {
                index += 1
                return true
            }
            return false
        }
        guard let year = digits(4) else { return nil }
        var month: Int64 = 1
        var day: Int64 = 1
        var hour: Int64 = 0
        var minute: Int64 = 0
        var second: Int64 = 0
        var millis: Int64 = 0
        var offset: Int64 = 0
        if skip("-") {
            guard let m = digits(2) else { return nil }
            month = m
            if skip("-") {
                guard let d = digits(2) else { return nil }
                day = d
            }
        }
        if skip("T") {
            guard let h = digits(2), skip(":"), let mi = digits(2) else { return nil }
            hour = h
            minute = mi
            if skip(":") {
                guard let s = digits(2) else { return nil }
                second = s
                if skip(".") || skip(",") {
                    var fraction = ""
                    while index < chars.count, ("0"..."9").contains(chars[index]) {
                        fraction.unicodeScalars.append(chars[index])
                        index += 1
                    }
                    millis = Int64((fraction + "000").prefix(3)) ?? 0
                }
            }
            if skip("Z") {
                offset = 0
            } else if index < chars.count, chars[index] == "+" || chars[index] == "-" {
                let sign: Int64 = chars[index] == "-" ? -1 : 1
                index += 1
                guard let oh = digits(2) else { return nil }
                _ = skip(":")
                let om = digits(2) ?? 0
                offset = sign * (oh * 60 + om)
            }
        }
        guard index == chars.count, (1...12).contains(month), (1...31).contains(day), hour < 25, minute < 60, second < 61 else { return nil }
        let dayCount = days(year: year, month: month, day: day)
        return ((dayCount * 24 + hour) * 60 + minute - offset) * 60_000 + second * 1000 + millis
    }
}

/// `$formatNumber` pictures: grouping separators, mandatory (`0`) and optional (`#`) digits, a
/// fractional part, `%` and `‰`, and literal prefix and suffix text.
enum NumberPicture {
    static func format(_ value: Double, picture: String) throws(JSONataError) -> String {
        let subpictures = picture.split(separator: ";", omittingEmptySubsequences: false)
        guard subpictures.count <= 2 else {
            throw .evaluation(
                code: "D3080",
                position: 0,
                message: "The picture string must not contain more than one instance of the pattern-separator character"
            )
        }
        var chosen = String(value < 0 && subpictures.count == 2 ? subpictures[1] : subpictures[0])
        let active = Set("0123456789#.,%‰")
        let prefix = String(chosen.prefix { !active.contains($0) })
        chosen.removeFirst(prefix.count)
        var suffix = ""
        while let last = chosen.last, !active.contains(last) {
            suffix = String(last) + suffix
            chosen.removeLast()
        }
        var number = abs(value)
        if chosen.contains("%") {
            number *= 100
            chosen.removeAll { $0 == "%" }
            suffix = "%" + suffix
        } else if chosen.contains("‰") {
            number *= 1000
            chosen.removeAll { $0 == "‰" }
            suffix = "‰" + suffix
        }
        let halves = chosen.split(separator: ".", omittingEmptySubsequences: false)
        guard halves.count <= 2 else {
            throw .evaluation(
                code: "D3081",
                position: 0,
                message: "A sub-picture must not contain more than one instance of the decimal-separator character"
            )
        }
        let integerPicture = String(halves[0])
        let fractionPicture = halves.count > 1 ? String(halves[1]) : ""
        let minimumFraction = fractionPicture.filter { $0.isASCII && $0.isNumber }.count
        let maximumFraction = fractionPicture.filter { ($0.isASCII && $0.isNumber) || $0 == "#" }.count
        let minimumInteger = integerPicture.filter { $0.isASCII && $0.isNumber }.count
        let rounded = Builtin.roundHalfEven(number, maximumFraction)
        var text = String(format: "%.\(maximumFraction)f", rounded)
        var integerText = String(text.prefix { $0 != "." })
        var fractionText = text.contains(".") ? String(text.drop { $0 != "." }.dropFirst()) : ""
        while fractionText.count > minimumFraction, fractionText.hasSuffix("0") { fractionText.removeLast() }
        if integerText == "0", minimumInteger == 0, !fractionText.isEmpty { integerText = "" }
        while integerText.count < minimumInteger { integerText = "0" + integerText }
        // Grouping: the distance of the last ',' from the end of the integer picture repeats.
        if let comma = integerPicture.lastIndex(of: ",") {
            let size = integerPicture.distance(from: comma, to: integerPicture.endIndex) - 1
            if size > 0 {
                var grouped = ""
                for (offset, char) in integerText.reversed().enumerated() {
                    if offset > 0, offset % size == 0 { grouped = "," + grouped }
                    grouped = String(char) + grouped
                }
                integerText = grouped
            }
        }
        text = integerText + (fractionText.isEmpty ? "" : "." + fractionText)
        let negative = value < 0 && subpictures.count < 2 ? "-" : ""
        return negative + prefix + text + suffix
    }
}
