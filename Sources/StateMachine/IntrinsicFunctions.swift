import InfraJSON

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
public import Foundation
#endif

/// A parsed intrinsic function call such as `States.Format('Hello {}', $.name)`.
struct IntrinsicCall: Sendable {
    enum Argument: Sendable {
        case literal(JSON)
        /// A quoted string literal: its text with escapes resolved, and the offsets (in Unicode
        /// scalars) of the characters that were escaped, so that `States.Format` can tell an
        /// escaped `\{` from a placeholder's `{`.
        case text(String, escaped: Set<Int>)
        case path(JSONPath)
        case call(IntrinsicCall)
    }

    var name: String
    var arguments: [Argument]

    static let supported: Set<String> = [
        "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayPartition",
        "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength", "States.ArrayUnique",
        "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge", "States.MathRandom", "States.MathAdd",
        "States.StringSplit", "States.UUID",
    ]

    static func parse(_ text: String) throws(PathSyntaxError) -> IntrinsicCall {
        var parser = IntrinsicParser(chars: Array(text.unicodeScalars))
        let call = try parser.parseCall()
        parser.skipSpaces()
        guard parser.index == parser.chars.count else { throw PathSyntaxError("unexpected text after the closing ')'") }
        return call
    }

    func evaluate(input: JSON, context: JSON, variables: [String: JSON] = [:]) throws(ExecutionError) -> JSON {
        var values: [JSON] = []
        var templateEscapes: Set<Int>?
        for (position, argument) in arguments.enumerated() {
            switch argument {
            case .literal(let value):
                values.append(value)
            case .text(let text, let escaped):
                values.append(.string(text))
                if position == 0 { templateEscapes = escaped }
            case .path(let path):
                guard let value = path.select(input: input, context: context, variables: variables) else {
                    throw ExecutionError.runtime("\(name): the JSONPath '\(path.text)' could not be found in the input '\(input.text)'")
                }
                values.append(value)
            case .call(let call):
                values.append(try call.evaluate(input: input, context: context, variables: variables))
            }
        }
        return try apply(values, templateEscapes: templateEscapes)
    }

    private func failure(_ message: String) -> ExecutionError {
        ExecutionError(StatesErrors.intrinsicFailure, "\(name): \(message)")
    }

    private func expectCount(_ values: [JSON], _ count: ClosedRange<Int>) throws(ExecutionError) {
        guard count.contains(values.count) else {
            throw failure("expected \(count.lowerBound) to \(count.upperBound) arguments, got \(values.count)")
        }
    }

    private func string(_ value: JSON) throws(ExecutionError) -> String {
        guard case .string(let text) = value else { throw failure("expected a string argument, got \(value.typeName)") }
        return text
    }

    private func integer(_ value: JSON) throws(ExecutionError) -> Int {
        guard let number = value.intValue else { throw failure("expected an integer argument, got \(value.text)") }
        return number
    }

    private func array(_ value: JSON) throws(ExecutionError) -> [JSON] {
        guard case .array(let elements) = value else { throw failure("expected an array argument, got \(value.typeName)") }
        return elements
    }

    /// Applies the function to its evaluated arguments; `templateEscapes` are the escaped positions of
    /// a literal first argument (the `States.Format` template).
    private func apply(_ values: [JSON], templateEscapes: Set<Int>?) throws(ExecutionError) -> JSON {
        switch name {
        case "States.Format":
            guard let first = values.first else { throw failure("expected a template argument") }
            let template = try string(first)
            var output = ""
            var rest = values.dropFirst()
            let chars = Array(template.unicodeScalars)
            var i = 0
            // A literal template had its escapes resolved by the parser ("The literal string `\\` represents `\`",
            // `\{` and `\}` literal braces): only unescaped `{}` pairs are placeholders. A template
            // selected by a path keeps the `\{`/`\}` escapes in its text.
            let escaped = templateEscapes ?? []
            while i < chars.count {
                let char = chars[i]
                if templateEscapes == nil, char == "\\", i + 1 < chars.count, chars[i + 1] == "{" || chars[i + 1] == "}" {
                    output.unicodeScalars.append(chars[i + 1])
                    i += 2
                } else if char == "{", !escaped.contains(i), i + 1 < chars.count, chars[i + 1] == "}", !escaped.contains(i + 1) {
                    guard let value = rest.popFirst() else { throw failure("more '{}' placeholders than arguments") }
                    output += value.stringValue ?? value.text
                    i += 2
                } else {
                    output.unicodeScalars.append(char)
                    i += 1
                }
            }
            guard rest.isEmpty else { throw failure("more arguments than '{}' placeholders") }
            return .string(output)
        case "States.StringToJson":
            try expectCount(values, 1...1)
            do {
                return try JSON(parsing: try string(values[0]))
            } catch let error as JSONParseError {
                throw failure("invalid JSON: \(error)")
            } catch let error as ExecutionError {
                throw error
            } catch {
                throw failure("\(error)")
            }
        case "States.JsonToString":
            try expectCount(values, 1...1)
            return .string(values[0].text)
        case "States.Array":
            return .array(values)
        case "States.ArrayPartition":
            try expectCount(values, 2...2)
            let elements = try array(values[0])
            let size = try integer(values[1])
            guard size > 0 else { throw failure("chunk size must be positive") }
            return .array(stride(from: 0, to: elements.count, by: size).map { .array(Array(elements[$0..<$0 + min(size, elements.count - $0)])) })
        case "States.ArrayContains":
            try expectCount(values, 2...2)
            return .bool(try array(values[0]).contains(values[1]))
        case "States.ArrayRange":
            try expectCount(values, 3...3)
            let (start, end, step) = (try integer(values[0]), try integer(values[1]), try integer(values[2]))
            guard step != 0 else { throw failure("step must not be zero") }
            let span = (Double(end) - Double(start)) / Double(step)
            guard span < 1000 else { throw failure("the range would have more than 1000 elements") }
            return .array(stride(from: start, through: end, by: step).map { .number(Double($0)) })
        case "States.ArrayGetItem":
            try expectCount(values, 2...2)
            let elements = try array(values[0])
            let index = try integer(values[1])
            guard elements.indices.contains(index) else { throw failure("index \(index) out of range") }
            return elements[index]
        case "States.ArrayLength":
            try expectCount(values, 1...1)
            return .number(Double(try array(values[0]).count))
        case "States.ArrayUnique":
            try expectCount(values, 1...1)
            var seen: Set<JSON> = []
            return .array(try array(values[0]).filter { seen.insert($0).inserted })
        case "States.Base64Encode":
            try expectCount(values, 1...1)
            return .string(Data(try string(values[0]).utf8).base64EncodedString())
        case "States.Base64Decode":
            try expectCount(values, 1...1)
            guard let data = Data(base64Encoded: try string(values[0])), let text = String(data: data, encoding: .utf8) else {
                throw failure("invalid base64 text")
            }
            return .string(text)
        case "States.Hash":
            try expectCount(values, 2...2)
            let data = try string(values[0])
            let algorithm = try string(values[1])
            guard let digest = Digests.hex(algorithm, Array(data.utf8)) else {
                throw failure("unknown algorithm '\(algorithm)': use one of \(Digests.algorithms.joined(separator: ", "))")
            }
            return .string(digest)
        case "States.JsonMerge":
            try expectCount(values, 3...3)
            guard case .object(let left) = values[0], case .object(let right) = values[1] else { throw failure("expected two objects") }
            guard let deep = values[2].boolValue else { throw failure("the third argument must be a boolean (false: shallow merge)") }
            return .object(Self.merge(left, right, deep: deep))
        case "States.MathRandom":
            try expectCount(values, 2...3)
            let (start, end) = (try integer(values[0]), try integer(values[1]))
            guard start < end else { throw failure("start (\(start)) must be less than end (\(end))") }
            let span = UInt64(bitPattern: Int64(end) &- Int64(start))
            let offset: UInt64
            if values.count == 3 {
                var generator = SeededGenerator(seed: UInt64(bitPattern: Int64(try integer(values[2]))))
                offset = UInt64.random(in: 0..<span, using: &generator)
            } else {
                offset = UInt64.random(in: 0..<span)
            }
            return .number(Double(Int64(start) &+ Int64(bitPattern: offset)))
        case "States.MathAdd":
            try expectCount(values, 2...2)
            let (sum, overflow) = try integer(values[0]).addingReportingOverflow(try integer(values[1]))
            guard !overflow else { throw failure("the sum does not fit a 64-bit integer") }
            return .number(Double(sum))
        case "States.StringSplit":
            try expectCount(values, 2...2)
            let text = try string(values[0])
            let separators = Set(try string(values[1]).unicodeScalars)
            var parts: [JSON] = []
            var current = ""
            for scalar in text.unicodeScalars {
                if separators.contains(scalar) {
                    if !current.isEmpty { parts.append(.string(current)) }
                    current = ""
                } else {
                    current.unicodeScalars.append(scalar)
                }
            }
            if !current.isEmpty { parts.append(.string(current)) }
            return .array(parts)
        case "States.UUID":
            try expectCount(values, 0...0)
            return .string(UUID().uuidString.lowercased())
        default:
            throw failure("unsupported intrinsic function")
        }
    }
}

extension IntrinsicCall {
    /// `States.JsonMerge`: members of `right` replace those of `left`; with `deep`, members that are
    /// objects on both sides are merged recursively instead of replaced.
    static func merge(_ left: [String: JSON], _ right: [String: JSON], deep: Bool) -> [String: JSON] {
        var merged = left
        for (key, value) in right {
            if deep, case .object(let inner)? = merged[key], case .object(let overlay) = value {
                merged[key] = .object(merge(inner, overlay, deep: true))
            } else {
                merged[key] = value
            }
        }
        return merged
    }
}

/// SplitMix64: the deterministic generator behind `States.MathRandom` with a seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var value = state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}

private struct IntrinsicParser {
    let chars: [Unicode.Scalar]
    var index = 0

    mutating func skipSpaces() {
        while index < chars.count, chars[index] == " " { index += 1 }
    }

    mutating func parseCall() throws(PathSyntaxError) -> IntrinsicCall {
        skipSpaces()
        var name = ""
        while index < chars.count, chars[index] != "(" {
            name.unicodeScalars.append(chars[index])
            index += 1
        }
        name = String(name.unicodeScalars.filter { $0 != " " })
        guard index < chars.count else { throw PathSyntaxError("expected '(' after the function name") }
        guard IntrinsicCall.supported.contains(name) else { throw PathSyntaxError("unknown intrinsic function '\(name)'") }
        index += 1
        var arguments: [IntrinsicCall.Argument] = []
        skipSpaces()
        if index < chars.count, chars[index] == ")" {
            index += 1
            return IntrinsicCall(name: name, arguments: arguments)
        }
        while true {
            skipSpaces()
            arguments.append(try parseArgument())
            skipSpaces()
            guard index < chars.count else { throw PathSyntaxError("expected ')'") }
            if chars[index] == "," {
                index += 1
                continue
            }
            guard chars[index] == ")" else { throw PathSyntaxError("expected ',' or ')'") }
            index += 1
            return IntrinsicCall(name: name, arguments: arguments)
        }
    }

    mutating func parseArgument() throws(PathSyntaxError) -> IntrinsicCall.Argument {
        guard index < chars.count else { throw PathSyntaxError("expected an argument") }
        if chars[index] == "'" {
            index += 1
            var text = ""
            var escaped: Set<Int> = []
            var length = 0
            while index < chars.count, chars[index] != "'" {
                if chars[index] == "\\", index + 1 < chars.count {
                    index += 1
                    escaped.insert(length)
                }
                text.unicodeScalars.append(chars[index])
                length += 1
                index += 1
            }
            guard index < chars.count else { throw PathSyntaxError("unterminated string literal") }
            index += 1
            return .text(text, escaped: escaped)
        }
        if chars[index...].starts(with: "States.".unicodeScalars) { return .call(try parseCall()) }
        if chars[index] == "$" { return .path(try JSONPath.parse(scanPath())) }
        var token = ""
        var depth = 0
        while index < chars.count {
            let char = chars[index]
            if depth == 0, char == "," || char == ")" { break }
            if char == "'" { break }
            if char == "(" { depth += 1 }
            if char == ")" { depth -= 1 }
            token.unicodeScalars.append(char)
            index += 1
        }
        let trimmed = String(token.unicodeScalars.filter { $0 != " " })
        switch trimmed {
        case "true": return .literal(.bool(true))
        case "false": return .literal(.bool(false))
        case "null": return .literal(.null)
        default:
            guard let number = Double(trimmed), number.isFinite else { throw PathSyntaxError("invalid argument '\(trimmed)'") }
            return .literal(.number(number))
        }
    }

    /// The text of a path argument up to the `,` or `)` that ends it: brackets, parentheses and quoted
    /// names inside it (filters, unions) are kept whole; spaces at its end are dropped.
    mutating func scanPath() -> String {
        var token = ""
        var depth = 0
        var quote: Unicode.Scalar?
        while index < chars.count {
            let char = chars[index]
            if let open = quote {
                if char == "\\", index + 1 < chars.count {
                    token.unicodeScalars.append(char)
                    index += 1
                    token.unicodeScalars.append(chars[index])
                    index += 1
                    continue
                }
                if char == open { quote = nil }
            } else if depth > 0, char == "'" || char == "\"" {
                quote = char
            } else if char == "[" || char == "(" {
                depth += 1
            } else if char == "]" || char == ")" {
                if depth == 0 { break }
                depth -= 1
            } else if depth == 0, char == "," || char == "'" {
                break
            }
            token.unicodeScalars.append(char)
            index += 1
        }
        while token.last == " " { token.removeLast() }
        return token
    }
}
