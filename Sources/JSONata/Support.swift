import Foundation
import InfraJSON

/// JSON text of values as JavaScript's `JSON.stringify` writes it, with JSONata's number rule
/// (15 significant digits).
enum Printer {
    static func json(_ value: Value, indent: String?) throws(JSONataError) -> String {
        var output = ""
        write(value, indent: indent, level: 0, into: &output)
        return output
    }

    private static func write(_ value: Value, indent: String?, level: Int, into output: inout String) {
        let newline = indent.map { "\n" + String(repeating: $0, count: level + 1) } ?? ""
        let closing = indent.map { "\n" + String(repeating: $0, count: level) } ?? ""
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let number): output += number.isFinite ? format(number) : "null"
        case .string(let text): quote(text, into: &output)
        case .function, .regex: output += "\"\""
        case .array(let sequence):
            guard !sequence.items.isEmpty else {
                output += "[]"
                return
            }
            output += "["
            for (index, item) in sequence.items.enumerated() {
                if index > 0 { output += "," }
                output += newline
                write(item, indent: indent, level: level + 1, into: &output)
            }
            output += closing + "]"
        case .object(let object):
            let pairs = object.pairs.filter { !$0.value.isFunction }
            guard !pairs.isEmpty else {
                output += "{}"
                return
            }
            output += "{"
            for (index, pair) in pairs.enumerated() {
                if index > 0 { output += "," }
                output += newline
                quote(pair.key, into: &output)
                output += indent == nil ? ":" : ": "
                write(pair.value, indent: indent, level: level + 1, into: &output)
            }
            output += closing + "}"
        }
    }

    static func quote(_ text: String, into output: inout String) {
        JSON.appendQuoted(text, to: &output)
    }

    /// A number as JSONata prints it: rounded to 15 significant digits, then as JavaScript's `Number#toString`.
    static func format(_ number: Double) -> String {
        let rounded = Double(String(format: "%.14e", number)) ?? number
        return javascript(rounded)
    }

    /// JavaScript's `Number#toString` for finite numbers: plain notation from 1e-7 up to 1e21, else exponent.
    static func javascript(_ number: Double) -> String {
        if number == 0 { return "0" }
        if number.rounded(.towardZero) == number, abs(number) < 1e21 {
            return String(format: "%.0f", number)
        }
        // The shortest round-trip digits, from Swift's description.
        var text = "\(abs(number))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var digits = text.replacingOccurrences(of: ".", with: "")
        let pointIndex = text.firstIndex(of: ".").map { text.distance(from: text.startIndex, to: $0) } ?? text.count
        var decimalExponent = pointIndex + exponent
        while digits.hasPrefix("0"), digits.count > 1 {
            digits.removeFirst()
            decimalExponent -= 1
        }
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        let sign = number < 0 ? "-" : ""
        let n = decimalExponent
        let k = digits.count
        if k <= n, n <= 21 { return sign + digits + String(repeating: "0", count: n - k) }
        if 0 < n, n <= 21 {
            let index = digits.index(digits.startIndex, offsetBy: n)
            return sign + digits[..<index] + "." + digits[index...]
        }
        if -6 < n, n <= 0 { return sign + "0." + String(repeating: "0", count: -n) + digits }
        let e = n - 1
        let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + digits.dropFirst()
        return sign + mantissa + "e" + (e >= 0 ? "+" : "-") + String(abs(e))
    }
}

/// A function signature such as `<s-nn?:s>`, validated as the reference implementation does: each
/// argument's type symbol must match; `-` takes the context when the argument is missing; `a`
/// parameters wrap a single value into an array.
struct Signature: Sendable {
    struct Parameter: Sendable {
        var allowed: Set<Character>
        var type: Character
        var optional = false
        var repeats = false
        var usesContext = false
        var subtype: String?
    }

    var parameters: [Parameter] = []
    var text: String

    init(_ text: String) throws(JSONataError) {
        self.text = text
        let chars = Array(text)
        var index = 1
        func closing(_ open: Character, _ close: Character, from start: Int) throws(JSONataError) -> Int {
            var depth = 1
            var position = start + 1
            while position < chars.count {
                if chars[position] == open { depth += 1 }
                if chars[position] == close {
                    depth -= 1
                    if depth == 0 { return position }
                }
                position += 1
            }
            throw .syntax(code: "S0401", position: start, message: "Type signature is not terminated")
        }
        while index < chars.count {
            let symbol = chars[index]
            if symbol == ":" { break }
            switch symbol {
            case "s", "n", "b", "l", "o":
                parameters.append(Parameter(allowed: [symbol, "m"], type: symbol))
            case "a":
                parameters.append(Parameter(allowed: ["a", "s", "n", "b", "l", "f", "o", "m"], type: "a"))
            case "f":
                parameters.append(Parameter(allowed: ["f"], type: "f"))
            case "j":
                parameters.append(Parameter(allowed: ["a", "s", "n", "b", "l", "o", "m"], type: "j"))
            case "x":
                parameters.append(Parameter(allowed: ["a", "s", "n", "b", "l", "f", "o", "m"], type: "x"))
            case "-":
                guard !parameters.isEmpty else { break }
                parameters[parameters.count - 1].usesContext = true
                parameters[parameters.count - 1].optional = true
            case "?":
                if !parameters.isEmpty { parameters[parameters.count - 1].optional = true }
            case "+":
                if !parameters.isEmpty { parameters[parameters.count - 1].repeats = true }
            case "(":
                let end = try closing("(", ")", from: index)
                let choice = Set(chars[(index + 1)..<end])
                parameters.append(Parameter(allowed: choice.union(["m"]), type: "("))
                index = end
            case "<":
                let end = try closing("<", ">", from: index)
                if !parameters.isEmpty { parameters[parameters.count - 1].subtype = String(chars[(index + 1)..<end]) }
                index = end
            default:
                break
            }
            index += 1
        }
    }

    static func symbol(_ value: Value?) -> Character {
        switch value {
        case nil: "m"
        case .null?: "l"
        case .bool?: "b"
        case .number?: "n"
        case .string?: "s"
        case .array?: "a"
        case .object?: "o"
        case .function?, .regex?: "f"
        }
    }

    /// Matches the argument symbols against the parameters (backtracking, as the reference's regular
    /// expression does) and returns how many arguments each parameter takes, or `nil`.
    private func match(_ symbols: [Character]) -> [Int]? {
        var counts = [Int](repeating: 0, count: parameters.count)
        func attempt(_ parameter: Int, _ position: Int) -> Bool {
            if parameter == parameters.count { return position == symbols.count }
            let spec = parameters[parameter]
            var maximum = 0
            while position + maximum < symbols.count, spec.allowed.contains(symbols[position + maximum]), spec.repeats || maximum < 1 {
                maximum += 1
            }
            let minimum = spec.optional ? 0 : 1
            var take = maximum
            while take >= minimum {
                counts[parameter] = take
                if attempt(parameter + 1, position + take) { return true }
                take -= 1
            }
            return false
        }
        return attempt(0, 0) ? counts : nil
    }

    func validate(_ arguments: [Value?], context: Value?, position: Int) throws(JSONataError) -> [Value?] {
        let symbols = arguments.map(Self.symbol)
        guard let counts = match(symbols) else {
            var good = 0
            for prefix in stride(from: symbols.count, through: 0, by: -1) {
                let partial = Signature(parameters: parameters, text: text)
                if partial.prefixMatches(Array(symbols[..<prefix])) {
                    good = prefix
                    break
                }
            }
            throw .evaluation(code: "T0410", position: position, message: "Argument \(good + 1) of function does not match function signature")
        }
        var validated: [Value?] = []
        var index = 0
        for (parameterIndex, parameter) in parameters.enumerated() {
            let count = counts[parameterIndex]
            if count == 0 {
                if parameter.usesContext {
                    let symbol = Self.symbol(context)
                    guard parameter.allowed.contains(symbol) else {
                        throw .evaluation(
                            code: "T0411",
                            position: position,
                            message: "Context value is not a compatible type with argument \(index + 1) of function"
                        )
                    }
                    validated.append(context)
                } else {
                    validated.append(nil)
                }
                continue
            }
            for _ in 0..<count {
                var argument = arguments[index]
                if parameter.type == "a", let value = argument {
                    if let subtype = parameter.subtype, let kind = subtype.first {
                        let items = value.arrayItems ?? [value]
                        if !items.allSatisfy({ Self.symbol($0) == kind }) || (value.arrayItems == nil && Self.symbol(value) != kind) {
                            throw .evaluation(
                                code: "T0412",
                                position: position,
                                message: "Argument \(index + 1) of function must be an array of \(subtype)"
                            )
                        }
                    }
                    if value.arrayItems == nil { argument = .array(.init([value])) }
                }
                validated.append(argument)
                index += 1
            }
        }
        return validated
    }

    private init(parameters: [Parameter], text: String) {
        self.parameters = parameters
        self.text = text
    }

    /// Whether some completion of `symbols` could still match (for the error's argument number).
    private func prefixMatches(_ symbols: [Character]) -> Bool {
        func attempt(_ parameter: Int, _ position: Int) -> Bool {
            if position == symbols.count { return true }
            if parameter == parameters.count { return false }
            let spec = parameters[parameter]
            var maximum = 0
            while position + maximum < symbols.count, spec.allowed.contains(symbols[position + maximum]), spec.repeats || maximum < 1 {
                maximum += 1
            }
            var take = maximum
            while take >= 0 {
                if attempt(parameter + 1, position + take) { return true }
                take -= 1
            }
            return false
        }
        return attempt(0, 0)
    }
}

/// A function implemented in Swift: the standard library, Step Functions' additions, or the caller's.
struct Builtin: Sendable {
    typealias Implementation = @Sendable ([Value?], Value?, Evaluator) throws(JSONataError) -> Value?

    var name: String
    var arity: Int
    var signature: Signature?
    var implementation: Implementation

    init(name: String, arity: Int, signature: String? = nil, _ implementation: @escaping Implementation) {
        self.name = name
        self.arity = arity
        self.signature = signature.flatMap { try? Signature($0) }
        self.implementation = implementation
    }
}
