import Foundation

/// `$formatInteger` and `$parseInteger` pictures (XPath `format-integer`): decimal digit patterns
/// with grouping separators, `I`/`i` roman numerals, `A`/`a` letters, `W`/`w`/`Ww` words, and the
/// `;o` ordinal modifier.
enum IntegerPicture {
    private static let few = [
        "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen",
        "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen",
    ]
    private static let ordinals = [
        "Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth", "Eleventh", "Twelfth",
        "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth",
    ]
    private static let decades = ["Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"]
    private static let magnitudes = ["Thousand", "Million", "Billion", "Trillion"]

    /// The number in English words, as the reference implementation writes them ("One Hundred and Twelve").
    static func words(_ value: Double, ordinal: Bool) -> String {
        func lookup(_ number: Double, _ previous: Bool, _ ordinal: Bool) -> String {
            var words = ""
            if number <= 19 {
                words = (previous ? " and " : "") + (ordinal ? ordinals[Int(number)] : few[Int(number)])
            } else if number < 100 {
                let tens = Int(number / 10)
                let remainder = number.truncatingRemainder(dividingBy: 10)
                words = (previous ? " and " : "") + decades[tens - 2]
                if remainder > 0 {
                    words += "-" + lookup(remainder, false, ordinal)
                } else if ordinal {
                    words = String(words.dropLast()) + "ieth"
                }
            } else if number < 1000 {
                let hundreds = Int(number / 100)
                let remainder = number.truncatingRemainder(dividingBy: 100)
                words = (previous ? ", " : "") + few[hundreds] + " Hundred"
                if remainder > 0 {
                    words += lookup(remainder, true, ordinal)
                } else if ordinal {
                    words += "th"
                }
            } else {
                var magnitude = Int((log10(number) / 3).rounded(.down))
                if magnitude > magnitudes.count { magnitude = magnitudes.count }
                let factor = pow(10, Double(magnitude * 3))
                let mantissa = (number / factor).rounded(.down)
                let remainder = number - mantissa * factor
                words = (previous ? ", " : "") + lookup(mantissa, false, false) + " " + magnitudes[magnitude - 1]
                if remainder > 0 {
                    words += lookup(remainder, true, ordinal)
                } else if ordinal {
                    words += "th"
                }
            }
            return words
        }
        return lookup(value, false, ordinal)
    }

    static func roman(_ value: Int) -> String {
        var number = value
        var text = ""
        for (amount, numeral) in [
            (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
            (4, "IV"), (1, "I"),
        ] {
            while number >= amount {
                text += numeral
                number -= amount
            }
        }
        return text
    }

    static func letters(_ value: Int, base: Unicode.Scalar) -> String {
        var number = value
        var text = ""
        while number > 0 {
            number -= 1
            text = String(Character(Unicode.Scalar(base.value + UInt32(number % 26))!)) + text
            number /= 26
        }
        return text
    }

    static func ordinalSuffix(_ value: Int) -> String {
        let tens = value % 100
        if (11...13).contains(tens) { return "th" }
        switch value % 10 {
        case 1: return "st"
        case 2: return "nd"
        case 3: return "rd"
        default: return "th"
        }
    }

    static func format(_ value: Double, picture: String) throws(JSONataError) -> String {
        var primary = picture
        var ordinal = false
        if let semicolon = picture.lastIndex(of: ";") {
            primary = String(picture[..<semicolon])
            ordinal = picture[picture.index(after: semicolon)...].hasPrefix("o")
        }
        let integer = value.rounded(.towardZero)
        let negative = integer < 0
        let magnitude = abs(integer)
        guard magnitude.isFinite else { throw .evaluation(code: "D3130", position: 0, message: "The number cannot be formatted as an integer") }
        if ["I", "i"].contains(primary), magnitude > 100_000 {
            throw .evaluation(code: "D3130", position: 0, message: "The number is too large for roman numerals")
        }
        if ["A", "a"].contains(primary), magnitude > 1e15 {
            throw .evaluation(code: "D3130", position: 0, message: "The number is too large for a letter sequence")
        }
        switch primary {
        case "I": return magnitude == 0 ? "" : roman(Int(magnitude))
        case "i": return magnitude == 0 ? "" : roman(Int(magnitude)).lowercased()
        case "A": return letters(Int(magnitude), base: "A")
        case "a": return letters(Int(magnitude), base: "a")
        case "W": return (negative ? "minus " : "") + words(magnitude, ordinal: ordinal).uppercased()
        case "w": return (negative ? "minus " : "") + words(magnitude, ordinal: ordinal).lowercased()
        case "Ww": return (negative ? "Minus " : "") + words(magnitude, ordinal: ordinal)
        default: break
        }
        let chars = Array(primary)
        let isDigit: (Character) -> Bool = { $0 == "#" || ($0.isASCII && $0.isNumber) }
        guard chars.contains(where: isDigit) else {
            throw .evaluation(
                code: "D3130",
                position: 0,
                message: "Formatting or parsing an integer as a sequence starting with \(primary) is not supported by this implementation"
            )
        }
        let mandatory = chars.filter { $0.isASCII && $0.isNumber }.count
        // Separator positions counted in digits from the right.
        var separators: [(position: Int, character: Character)] = []
        var digitsSeen = 0
        for char in chars.reversed() {
            if isDigit(char) { digitsSeen += 1 } else { separators.append((digitsSeen, char)) }
        }
        var digits = magnitude >= 1e18 ? Printer.format(magnitude) : String(Int64(magnitude))
        while digits.count < mandatory { digits = "0" + digits }
        var regular: (size: Int, character: Character)?
        if let first = separators.first, first.position > 0,
            separators.enumerated().allSatisfy({ $0.element.character == first.character && $0.element.position == first.position * ($0.offset + 1) })
        {
            regular = (first.position, first.character)
        }
        var output = ""
        for (offset, char) in digits.reversed().enumerated() {
            if offset > 0 {
                if let regular, offset % regular.size == 0 {
                    output = String(regular.character) + output
                } else if regular == nil, let separator = separators.first(where: { $0.position == offset }) {
                    output = String(separator.character) + output
                }
            }
            output = String(char) + output
        }
        if ordinal { output += ordinalSuffix(Int(magnitude.truncatingRemainder(dividingBy: 100))) }
        return (negative ? "-" : "") + output
    }

    static func parse(_ text: String, picture: String) throws(JSONataError) -> Double? {
        var primary = picture
        if let semicolon = picture.lastIndex(of: ";") { primary = String(picture[..<semicolon]) }
        switch primary {
        case "I", "i":
            let values: [Character: Int] = ["I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000]
            var total = 0
            var previous = 0
            for char in text.uppercased().reversed() {
                guard let value = values[char] else { return nil }
                total += value < previous ? -value : value
                previous = max(previous, value)
            }
            return Double(total)
        case "A", "a":
            var total = 0
            for scalar in text.lowercased().unicodeScalars {
                guard ("a"..."z").contains(scalar) else { return nil }
                total = total * 26 + Int(scalar.value - 96)
            }
            return Double(total)
        default:
            var digits = text.filter { $0.isASCII && $0.isNumber }
            let negative = text.hasPrefix("-")
            if digits.isEmpty { return nil }
            while digits.count > 1, digits.hasPrefix("0") { digits.removeFirst() }
            return Double(digits).map { negative ? -$0 : $0 }
        }
    }
}
