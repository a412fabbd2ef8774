/// One token of JSONata text.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case op(String)
        case name(String)
        case variable(String)
        case string(String)
        case number(Double)
        case value(Literal)
        case regex(pattern: String, flags: String)
        case end
    }

    var kind: Kind
    /// The offset (in Unicode scalars) just after the token, as JSONata reports positions.
    var position: Int
}

/// The literal values `true`, `false` and `null`.
enum Literal: Sendable, Equatable {
    case bool(Bool)
    case null
}

/// Splits JSONata text into tokens on demand (the parser says whether a prefix is expected, which
/// decides whether `/` starts a regular expression).
struct Lexer {
    private let chars: [Unicode.Scalar]
    private var position = 0

    init(_ text: String) { chars = Array(text.unicodeScalars) }

    private static let singleOperators: Set<Unicode.Scalar> = [
        ".", "[", "]", "{", "}", "(", ")", ",", "@", "#", ";", ":", "?", "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "&", "!", "~",
    ]
    private static let doubleOperators: Set<String> = ["..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"]

    private func error(_ code: String, _ message: String, at index: Int? = nil) -> JSONataError {
        .syntax(code: code, position: index ?? position, message: message)
    }

    private static func isSpace(_ char: Unicode.Scalar) -> Bool {
        char == " " || char == "\t" || char == "\n" || char == "\r" || char == "\u{0B}"
    }

    mutating func next(prefix: Bool) throws(JSONataError) -> Token {
        while true {
            while position < chars.count, Self.isSpace(chars[position]) { position += 1 }
            guard position + 1 < chars.count, chars[position] == "/", chars[position + 1] == "*" else { break }
            let start = position
            position += 2
            while position + 1 < chars.count, !(chars[position] == "*" && chars[position + 1] == "/") { position += 1 }
            guard position + 1 < chars.count else { throw error("S0106", "Comment has no closing tag", at: start) }
            position += 2
        }
        guard position < chars.count else { return Token(kind: .end, position: position) }
        let char = chars[position]
        if prefix, char == "/" { return try regex() }
        if position + 1 < chars.count {
            let pair = String(String.UnicodeScalarView([char, chars[position + 1]]))
            if Self.doubleOperators.contains(pair) {
                position += 2
                return Token(kind: .op(pair), position: position)
            }
        }
        if Self.singleOperators.contains(char) {
            position += 1
            return Token(kind: .op(String(char)), position: position)
        }
        if char == "\"" || char == "'" { return try string(quote: char) }
        if ("0"..."9").contains(char) { return try number() }
        if char == "`" {
            let start = position
            position += 1
            var name = ""
            while position < chars.count, chars[position] != "`" {
                name.unicodeScalars.append(chars[position])
                position += 1
            }
            guard position < chars.count else { throw error("S0105", "Quoted property name must be terminated with a backquote (`)", at: start) }
            position += 1
            return Token(kind: .name(name), position: position)
        }
        var name = ""
        while position < chars.count, !Self.isSpace(chars[position]), !Self.singleOperators.contains(chars[position]) {
            name.unicodeScalars.append(chars[position])
            position += 1
        }
        if name.hasPrefix("$") { return Token(kind: .variable(String(name.dropFirst())), position: position) }
        switch name {
        case "and", "or", "in": return Token(kind: .op(name), position: position)
        case "true": return Token(kind: .value(.bool(true)), position: position)
        case "false": return Token(kind: .value(.bool(false)), position: position)
        case "null": return Token(kind: .value(.null), position: position)
        default:
            if name.isEmpty { throw error("S0204", "Unknown operator: \(char)") }
            return Token(kind: .name(name), position: position)
        }
    }

    private mutating func regex() throws(JSONataError) -> Token {
        let start = position
        position += 1
        var pattern = ""
        var depth = 0
        while position < chars.count {
            let char = chars[position]
            if char == "/", depth == 0, !isEscaped(position) { break }
            if char == "[", !isEscaped(position) { depth += 1 }
            if char == "]", !isEscaped(position), depth > 0 { depth -= 1 }
            pattern.unicodeScalars.append(char)
            position += 1
        }
        guard position < chars.count else { throw error("S0302", "No terminating / in regular expression", at: start) }
        guard !pattern.isEmpty else { throw error("S0301", "Empty regular expressions are not allowed", at: start) }
        position += 1
        var flags = ""
        while position < chars.count, chars[position] == "i" || chars[position] == "m" || chars[position] == "g" {
            flags.unicodeScalars.append(chars[position])
            position += 1
        }
        return Token(kind: .regex(pattern: pattern, flags: flags), position: position)
    }

    private func isEscaped(_ index: Int) -> Bool {
        var backslashes = 0
        var cursor = index - 1
        while cursor >= 0, chars[cursor] == "\\" {
            backslashes += 1
            cursor -= 1
        }
        return backslashes % 2 == 1
    }

    private mutating func string(quote: Unicode.Scalar) throws(JSONataError) -> Token {
        let start = position
        position += 1
        var text = ""
        while position < chars.count {
            let char = chars[position]
            if char == quote {
                position += 1
                return Token(kind: .string(text), position: position)
            }
            if char == "\\" {
                position += 1
                guard position < chars.count else { break }
                let escaped = chars[position]
                switch escaped {
                case "\"", "\\", "/", "'": text.unicodeScalars.append(escaped)
                case "b": text.unicodeScalars.append("\u{08}")
                case "f": text.unicodeScalars.append("\u{0C}")
                case "n": text.unicodeScalars.append("\n")
                case "r": text.unicodeScalars.append("\r")
                case "t": text.unicodeScalars.append("\t")
                case "u":
                    guard let unit = hex4(at: position + 1) else { throw error("S0104", "The escape sequence \\u must be followed by 4 hex digits") }
                    position += 4
                    if (0xD800..<0xDC00).contains(unit), position + 6 < chars.count, chars[position + 1] == "\\", chars[position + 2] == "u",
                        let low = hex4(at: position + 3), (0xDC00..<0xE000).contains(low)
                    {
                        position += 6
                        let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        if let scalar = Unicode.Scalar(combined) { text.unicodeScalars.append(scalar) }
                    } else if let scalar = Unicode.Scalar(unit) {
                        text.unicodeScalars.append(scalar)
                    } else {
                        text.unicodeScalars.append("\u{FFFD}")
                    }
                default:
                    throw error("S0103", "Unsupported escape sequence: \\\(escaped)")
                }
                position += 1
                continue
            }
            text.unicodeScalars.append(char)
            position += 1
        }
        throw error("S0101", "String literal must be terminated by a matching quote", at: start)
    }

    private func hex4(at index: Int) -> UInt32? {
        guard index + 4 <= chars.count else { return nil }
        var value: UInt32 = 0
        for char in chars[index..<index + 4] {
            guard let digit = Int(String(char), radix: 16) else { return nil }
            value = value * 16 + UInt32(digit)
        }
        return value
    }

    private mutating func number() throws(JSONataError) -> Token {
        let start = position
        var text = ""
        func digits() {
            while position < chars.count, ("0"..."9").contains(chars[position]) {
                text.unicodeScalars.append(chars[position])
                position += 1
            }
        }
        if chars[position] == "0" {
            text = "0"
            position += 1
        } else {
            digits()
        }
        if position + 1 < chars.count, chars[position] == ".", ("0"..."9").contains(chars[position + 1]) {
            text += "."
            position += 1
            digits()
        }
        if position < chars.count, chars[position] == "e" || chars[position] == "E" {
            var lookahead = position + 1
            if lookahead < chars.count, chars[lookahead] == "+" || chars[lookahead] == "-" { lookahead += 1 }
            if lookahead < chars.count, ("0"..."9").contains(chars[lookahead]) {
                text += "e"
                position += 1
                if chars[position] == "+" || chars[position] == "-" {
                    text.unicodeScalars.append(chars[position])
                    position += 1
                }
                digits()
            }
        }
        guard let value = Double(text), value.isFinite else { throw error("S0102", "Number out of range: \(text)", at: start) }
        return Token(kind: .number(value), position: position)
    }
}
