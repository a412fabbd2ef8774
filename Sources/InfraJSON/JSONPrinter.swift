extension JSON {
    /// Compact JSON text with object keys sorted.
    ///
    /// Integral numbers within ±2^53 print without a fraction (`3`, not `3.0`); other numbers print
    /// in their shortest round-trip form. Non-finite numbers, which JSON cannot express, print as `null`.
    public var text: String {
        var output = ""
        JSONPrinter.write(self, to: &output, indent: nil, level: 0)
        return output
    }

    /// JSON text indented by two spaces, object keys sorted.
    public var prettyText: String {
        var output = ""
        JSONPrinter.write(self, to: &output, indent: "  ", level: 0)
        return output
    }
}

/// Renders JSON values as text.
enum JSONPrinter {
    static func write(_ value: JSON, to output: inout String, indent: String?, level: Int) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let number): output += format(number)
        case .string(let string): writeString(string, to: &output)
        case .array(let elements):
            guard !elements.isEmpty else {
                output += "[]"
                return
            }
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                newline(&output, indent: indent, level: level + 1)
                write(element, to: &output, indent: indent, level: level + 1)
            }
            newline(&output, indent: indent, level: level)
            output += "]"
        case .object(let members):
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                newline(&output, indent: indent, level: level + 1)
                writeString(key, to: &output)
                output += indent == nil ? ":" : ": "
                write(members[key]!, to: &output, indent: indent, level: level + 1)
            }
            newline(&output, indent: indent, level: level)
            output += "}"
        }
    }

    static func newline(_ output: inout String, indent: String?, level: Int) {
        guard let indent else { return }
        output += "\n"
        for _ in 0..<level { output += indent }
    }

    /// Formats a number: integral values within ±2^53 as integers, others in shortest round-trip form.
    static func format(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number.rounded(.towardZero) == number, abs(number) <= 9_007_199_254_740_992 {
            return String(Int64(number))
        }
        return number.description
    }

    static func writeString(_ string: String, to output: inout String) {
        JSON.appendQuoted(string, to: &output)
    }
}

extension JSON {
    /// Appends `string` as a quoted JSON string literal, escaping what RFC 8259 §7 requires (the quote,
    /// the backslash and the control characters U+0000–U+001F). The one string escaper of the project:
    /// the printers here, the hand-written hot paths in the domain and JSONata's `$string` all use it.
    public static func appendQuoted(_ string: String, to output: inout String) {
        output += "\""
        var needsEscape = false
        for byte in string.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            output += string
            output += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
