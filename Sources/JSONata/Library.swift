import Foundation

/// The JSONata standard function library (https://docs.jsonata.org/overview: string, numeric,
/// aggregation, Boolean, array, object, date/time and higher-order functions), with the signatures of
/// the reference implementation.
extension Builtin {
    static func fail(_ code: String, _ message: String) -> JSONataError { .evaluation(code: code, position: 0, message: message) }

    static func string(_ value: Value?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    static func number(_ value: Value?) -> Double? {
        if case .number(let number)? = value { return number }
        return nil
    }

    private static func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    /// A number as an `Int`, clamped to ±2^53 (NaN as 0), so that no argument can trap a conversion.
    static func clampedInt(_ value: Double) -> Int {
        guard !value.isNaN else { return 0 }
        return Int(min(max(value, -9_007_199_254_740_992), 9_007_199_254_740_992))
    }

    /// The whole library by name (without the `$`).
    static let library: [String: Builtin] = {
        var table: [String: Builtin] = [:]
        func add(_ name: String, _ signature: String?, arity: Int = 1, _ implementation: @escaping Implementation) {
            table[name] = Builtin(name: name, arity: arity, signature: signature, implementation)
        }

        // MARK: Strings
        add("string", "<x-b?:s>") { arguments, _, _ throws(JSONataError) in
            guard let value = arguments[0] else { return nil }
            if value.isFunction { return .string("") }
            if case .number(let number) = value, !number.isFinite {
                throw fail("D3001", "Attempting to invoke string function on Infinity or NaN")
            }
            if case .string = value { return value }
            let pretty = arguments.count > 1 && Evaluator.truthy(arguments[1])
            return .string(try Printer.json(value, indent: pretty ? "  " : nil))
        }
        add("length", "<s-:n>") { arguments, _, _ in
            guard let text = string(arguments[0]) else { return nil }
            return .number(Double(text.unicodeScalars.count))
        }
        add("substring", "<s-nn?:s>") { arguments, _, _ in
            guard let text = string(arguments[0]) else { return nil }
            let units = Array(text.unicodeScalars)
            var start = clampedInt(number(arguments[1]) ?? 0)
            if start < 0 { start = max(0, units.count + start) }
            start = min(start, units.count)
            var end = units.count
            if let length = number(arguments.count > 2 ? arguments[2] : nil) {
                end = length <= 0 ? start : min(units.count, start + min(clampedInt(length), units.count))
            }
            var result = ""
            result.unicodeScalars.append(contentsOf: units[start..<max(start, end)])
            return .string(result)
        }
        add("substringBefore", "<s-s:s>") { arguments, _, _ in
            guard let text = string(arguments[0]) else { return nil }
            guard let chars = string(arguments[1]), let range = text.range(of: chars) else { return .string(text) }
            return .string(String(text[..<range.lowerBound]))
        }
        add("substringAfter", "<s-s:s>") { arguments, _, _ in
            guard let text = string(arguments[0]) else { return nil }
            guard let chars = string(arguments[1]), let range = text.range(of: chars) else { return .string(text) }
            return .string(String(text[range.upperBound...]))
        }
        add("uppercase", "<s-:s>") { arguments, _, _ in string(arguments[0]).map { .string($0.uppercased()) } }
        add("lowercase", "<s-:s>") { arguments, _, _ in string(arguments[0]).map { .string($0.lowercased()) } }
        add("trim", "<s-:s>") { arguments, _, _ in
            guard let text = string(arguments[0]) else { return nil }
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            return .string(words.joined(separator: " "))
        }
        add("pad", "<s-ns?:s>") { arguments, _, evaluator throws(JSONataError) in
            guard let text = string(arguments[0]), let width = number(arguments[1]) else { return nil }
            var padding = string(arguments.count > 2 ? arguments[2] : nil) ?? " "
            if padding.isEmpty { padding = " " }
            let length = text.unicodeScalars.count
            let missing = clampedInt(abs(width)) - length
            guard missing > 0 else { return .string(text) }
            evaluator.budget -= missing
            guard evaluator.budget > 0 else { throw fail("U1001", "The padding is longer than the evaluation budget allows") }
            var fill = ""
            let pad = scalars(padding)
            for index in 0..<missing { fill.unicodeScalars.append(pad[index % pad.count]) }
            return .string(width > 0 ? text + fill : fill + text)
        }
        add("contains", "<s-(sf):b>") { arguments, _, evaluator throws(JSONataError) in
            guard let text = string(arguments[0]) else { return nil }
            switch arguments[1] {
            case .string(let token)?: return .bool(token.isEmpty || text.contains(token))
            case .regex(let regex)?: return .bool(!(try Regex.matches(regex, in: text, limit: 1, evaluator: evaluator)).isEmpty)
            default: return .bool(false)
            }
        }
        add("split", "<s-(sf)n?:a<s>>") { arguments, _, evaluator throws(JSONataError) in
            guard let text = string(arguments[0]) else { return nil }
            var limit = Int.max
            if let given = number(arguments.count > 2 ? arguments[2] : nil) {
                guard given >= 0 else { throw fail("D3020", "Third argument of split function must evaluate to a positive number") }
                limit = clampedInt(given)
            }
            var parts: [String] = []
            switch arguments[1] {
            case .string(let separator)?:
                if separator.isEmpty {
                    parts = text.map(String.init)
                } else {
                    parts = text.components(separatedBy: separator)
                }
            case .regex(let regex)?:
                var last = text.startIndex
                for match in try Regex.matches(regex, in: text, limit: Int.max, evaluator: evaluator) {
                    parts.append(String(text[last..<match.range.lowerBound]))
                    last = match.range.upperBound
                }
                parts.append(String(text[last...]))
            default:
                throw fail("T0410", "Argument 2 of function split does not match function signature")
            }
            return .array(.init(parts.prefix(limit).map { .string($0) }))
        }
        add("join", "<a<s>s?:s>") { arguments, _, _ in
            guard let items = arguments[0]?.arrayItems else { return nil }
            let separator = string(arguments.count > 1 ? arguments[1] : nil) ?? ""
            return .string(items.compactMap { string($0) }.joined(separator: separator))
        }
        add("match", "<s-f<s:o>n?:a<o>>") { arguments, _, evaluator throws(JSONataError) in
            guard let text = string(arguments[0]) else { return nil }
            guard case .regex(let regex)? = arguments[1] else { throw fail("T0410", "Argument 2 of function match must be a regular expression") }
            let limit = number(arguments.count > 2 ? arguments[2] : nil).map(clampedInt) ?? Int.max
            guard limit >= 0 else { throw fail("D3040", "Third argument of match function must evaluate to a positive number") }
            let matches = try Regex.matches(regex, in: text, limit: limit, evaluator: evaluator)
            return .sequence(matches.map { $0.object(in: text) })
        }
        add("replace", "<s-(sf)(sf)n?:s>") { arguments, _, evaluator throws(JSONataError) in
            guard let text = string(arguments[0]) else { return nil }
            var limit = Int.max
            if let given = number(arguments.count > 3 ? arguments[3] : nil) {
                guard given >= 0 else { throw fail("D3011", "Fourth argument of replace function must evaluate to a positive number") }
                limit = clampedInt(given)
            }
            switch arguments[1] {
            case .string(let pattern)?:
                guard !pattern.isEmpty else { throw fail("D3010", "Second argument of replace function cannot be an empty string") }
                guard case .string(let replacement)? = arguments[2] else {
                    throw fail("T0410", "Argument 3 of function replace does not match function signature")
                }
                var result = ""
                var rest = text[...]
                var count = 0
                while count < limit, let range = rest.range(of: pattern) {
                    result += rest[..<range.lowerBound] + replacement
                    rest = rest[range.upperBound...]
                    count += 1
                }
                return .string(result + rest)
            case .regex(let regex)?:
                let matches = try Regex.matches(regex, in: text, limit: limit, evaluator: evaluator)
                var result = ""
                var last = text.startIndex
                for match in matches {
                    result += text[last..<match.range.lowerBound]
                    switch arguments[2] {
                    case .string(let replacement)?:
                        result += Regex.substitute(replacement, match, in: text)
                    case let function? where function.isFunction:
                        guard case .string(let replaced)? = try evaluator.apply(function, [match.object(in: text)], nil) else {
                            throw fail("D3012", "Attempted to replace a matched string with a non-string value")
                        }
                        result += replaced
                    default:
                        throw fail("T0410", "Argument 3 of function replace does not match function signature")
                    }
                    last = match.range.upperBound
                }
                return .string(result + text[last...])
            default:
                return nil
            }
        }
        add("base64encode", "<s-:s>") { arguments, _, _ in
            string(arguments[0]).map { .string(Data($0.utf8).base64EncodedString()) }
        }
        add("base64decode", "<s-:s>") { arguments, _, _ in
            guard let text = string(arguments[0]) else { return nil }
            guard let data = Data(base64Encoded: text) else { return .string("") }
            return .string(String(decoding: data, as: UTF8.self))
        }
        let componentAllowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
        let urlAllowed = componentAllowed.union(CharacterSet(charactersIn: ";,/?:@&=+$#"))
        add("encodeUrlComponent", "<s-:s>") { arguments, _, _ throws(JSONataError) in
            guard let text = string(arguments[0]) else { return nil }
            guard let encoded = Self.percentEncode(text, allowed: componentAllowed) else {
                throw fail("D3140", "Malformed URL passed to $encodeUrlComponent(): \(text)")
            }
            return .string(encoded)
        }
        add("encodeUrl", "<s-:s>") { arguments, _, _ throws(JSONataError) in
            guard let text = string(arguments[0]) else { return nil }
            guard let encoded = Self.percentEncode(text, allowed: urlAllowed) else {
                throw fail("D3140", "Malformed URL passed to $encodeUrl(): \(text)")
            }
            return .string(encoded)
        }
        add("decodeUrlComponent", "<s-:s>") { arguments, _, _ throws(JSONataError) in
            guard let text = string(arguments[0]) else { return nil }
            guard let decoded = text.removingPercentEncoding else { throw fail("D3140", "Malformed URL passed to $decodeUrlComponent(): \(text)") }
            return .string(decoded)
        }
        add("decodeUrl", "<s-:s>") { arguments, _, _ throws(JSONataError) in
            guard let text = string(arguments[0]) else { return nil }
            guard let decoded = text.removingPercentEncoding else { throw fail("D3140", "Malformed URL passed to $decodeUrl(): \(text)") }
            return .string(decoded)
        }
        add("formatBase", "<n-n?:s>") { arguments, _, _ throws(JSONataError) in
            guard let value = number(arguments[0]) else { return nil }
            let radix = clampedInt(number(arguments.count > 1 ? arguments[1] : nil) ?? 10)
            guard (2...36).contains(radix) else { throw fail("D3100", "The radix of the formatBase function must be between 2 and 36") }
            let rounded = Self.roundHalfEven(value, 0)
            guard let integer = Int(exactly: rounded) else { return .string(Printer.format(rounded)) }
            return .string(String(integer, radix: radix))
        }
        add("formatInteger", "<n-s:s>") { arguments, _, _ throws(JSONataError) in
            guard let value = number(arguments[0]), let picture = string(arguments[1]) else { return nil }
            return .string(try IntegerPicture.format(value, picture: picture))
        }
        add("parseInteger", "<s-s:n>") { arguments, _, _ throws(JSONataError) in
            guard let text = string(arguments[0]), let picture = string(arguments[1]) else { return nil }
            return try IntegerPicture.parse(text, picture: picture).map { .number($0) }
        }
        add("formatNumber", "<n-so?:s>") { arguments, _, _ throws(JSONataError) in
            guard let value = number(arguments[0]), let picture = string(arguments[1]) else { return nil }
            return .string(try NumberPicture.format(value, picture: picture))
        }

        // MARK: Numbers
        add("number", "<(nsb)-:n>") { arguments, _, _ throws(JSONataError) in
            switch arguments[0] {
            case nil: return nil
            case .number?: return arguments[0]
            case .bool(let flag)?: return .number(flag ? 1 : 0)
            case .string(let text)?:
                if let parsed = Self.parseNumber(text) { return .number(parsed) }
                throw fail("D3030", "Unable to cast value to a number: \"\(text)\"")
            default:
                throw fail("D3030", "Unable to cast value to a number")
            }
        }
        add("abs", "<n-:n>") { arguments, _, _ in number(arguments[0]).map { .number(abs($0)) } }
        add("floor", "<n-:n>") { arguments, _, _ in number(arguments[0]).map { .number($0.rounded(.down)) } }
        add("ceil", "<n-:n>") { arguments, _, _ in number(arguments[0]).map { .number($0.rounded(.up)) } }
        add("round", "<n-n?:n>") { arguments, _, _ in
            guard let value = number(arguments[0]) else { return nil }
            let precision = min(max(clampedInt(number(arguments.count > 1 ? arguments[1] : nil) ?? 0), -300), 300)
            return .number(Self.roundHalfEven(value, precision))
        }
        add("sqrt", "<n-:n>") { arguments, _, _ throws(JSONataError) in
            guard let value = number(arguments[0]) else { return nil }
            guard value >= 0 else { throw fail("D3060", "The sqrt function cannot be applied to a negative number: \(Printer.format(value))") }
            return .number(value.squareRoot())
        }
        add("power", "<n-n:n>", arity: 2) { arguments, _, _ throws(JSONataError) in
            guard let base = number(arguments[0]), let exponent = number(arguments[1]) else { return nil }
            let result = pow(base, exponent)
            guard result.isFinite else {
                throw fail("D3061", "The power function has resulted in a value that cannot be represented as a JSON number")
            }
            return .number(result)
        }
        add("random", "<:n>", arity: 0) { _, _, _ in .number(Double.random(in: 0..<1)) }
        add("sum", "<a<n>:n>") { arguments, _, _ in
            guard let items = arguments[0]?.arrayItems else { return nil }
            return .number(items.reduce(0) { $0 + (number($1) ?? 0) })
        }
        add("max", "<a<n>:n>") { arguments, _, _ in
            guard let items = arguments[0]?.arrayItems, !items.isEmpty else { return nil }
            return .number(items.compactMap { number($0) }.max() ?? 0)
        }
        add("min", "<a<n>:n>") { arguments, _, _ in
            guard let items = arguments[0]?.arrayItems, !items.isEmpty else { return nil }
            return .number(items.compactMap { number($0) }.min() ?? 0)
        }
        add("average", "<a<n>:n>") { arguments, _, _ in
            guard let items = arguments[0]?.arrayItems, !items.isEmpty else { return nil }
            return .number(items.reduce(0) { $0 + (number($1) ?? 0) } / Double(items.count))
        }

        // MARK: Booleans
        add("boolean", "<x-:b>") { arguments, _, _ in
            guard let value = arguments[0] else { return nil }
            return .bool(Evaluator.truthy(value))
        }
        add("not", "<x-:b>") { arguments, _, _ in
            guard let value = arguments[0] else { return nil }
            return .bool(!Evaluator.truthy(value))
        }
        add("exists", "<x:b>") { arguments, _, _ in .bool(arguments[0] != nil) }

        // MARK: Arrays
        add("count", "<a:n>") { arguments, _, _ in .number(Double(arguments[0]?.arrayItems?.count ?? 0)) }
        add("append", "<xx:a>", arity: 2) { arguments, _, _ in Evaluator.append(arguments[0], arguments[1]) }
        add("reverse", "<a:a>") { arguments, _, _ in
            guard let items = arguments[0]?.arrayItems else { return nil }
            return .array(.init(items.reversed()))
        }
        add("shuffle", "<a:a>") { arguments, _, _ in
            guard let items = arguments[0]?.arrayItems else { return nil }
            return .array(.init(items.shuffled()))
        }
        add("distinct", "<x:x>") { arguments, _, _ in
            guard let value = arguments[0] else { return nil }
            guard let items = value.arrayItems else { return value }
            var kept: [Value] = []
            for item in items where !kept.contains(where: { Evaluator.deepEqual($0, item) }) { kept.append(item) }
            return .array(.init(kept))
        }
        add("zip", "<a+>", arity: 2) { arguments, _, _ in
            let lists = arguments.map { $0?.arrayItems ?? [] }
            let length = lists.map(\.count).min() ?? 0
            return .array(.init((0..<length).map { index in .array(.init(lists.map { $0[index] })) }))
        }
        add("sort", "<af?:a>", arity: 2) { arguments, _, evaluator throws(JSONataError) in
            guard let items = arguments[0]?.arrayItems else { return nil }
            if items.count <= 1 { return .array(.init(items)) }
            if let comparator = arguments.count > 1 ? arguments[1] : nil {
                var thrown: JSONataError?
                let sorted = Evaluator.mergeSort(items) { a, b in
                    guard thrown == nil else { return false }
                    do throws(JSONataError) {
                        // The comparator says whether its first argument goes after its second.
                        return Evaluator.truthy(try evaluator.apply(comparator, [b, a], nil))
                    } catch {
                        thrown = error
                        return false
                    }
                }
                if let thrown { throw thrown }
                return .array(.init(sorted))
            }
            if items.allSatisfy({ number($0) != nil }) {
                return .array(.init(Evaluator.mergeSort(items) { number($0)! < number($1)! }))
            }
            if items.allSatisfy({ string($0) != nil }) {
                return .array(.init(Evaluator.mergeSort(items) { Evaluator.codeUnitsPrecede(string($0)!, string($1)!) }))
            }
            throw fail("D3070", "The single argument form of the sort function can only be applied to an array of strings or an array of numbers")
        }

        // MARK: Objects
        add("keys", "<x-:a<s>>") { arguments, _, _ in
            var keys: [String] = []
            for item in Evaluator.asArray(arguments[0]) {
                if case .object(let object) = item { for key in object.keys where !keys.contains(key) { keys.append(key) } }
            }
            return .sequence(keys.map { .string($0) })
        }
        add("lookup", "<x-s:x>", arity: 2) { arguments, _, _ in
            guard let key = string(arguments[1]) else { return nil }
            return Evaluator.lookup(arguments[0], key)
        }
        add("spread", "<x-:a<o>>") { arguments, _, _ in
            guard let value = arguments[0] else { return nil }
            var results: [Value] = []
            for item in Evaluator.asArray(value) {
                guard case .object(let object) = item else {
                    results.append(item)
                    continue
                }
                for (key, member) in object.pairs {
                    var single = Value.Object()
                    single[key] = member
                    results.append(.object(single))
                }
            }
            return .sequence(results)
        }
        add("merge", "<a<o>:o>") { arguments, _, _ in
            guard let items = arguments[0]?.arrayItems else { return nil }
            var merged = Value.Object()
            for item in items {
                if case .object(let object) = item { for (key, member) in object.pairs { merged[key] = member } }
            }
            return .object(merged)
        }
        add("each", "<o-f:a>", arity: 2) { arguments, _, evaluator throws(JSONataError) in
            guard case .object(let object)? = arguments[0], let function = arguments[1] else { return nil }
            var results: [Value] = []
            for (key, member) in object.pairs {
                let passed = Array([member, .string(key), arguments[0]].prefix(max(1, arity(of: function))))
                if let value = try evaluator.apply(function, passed, nil) { results.append(value) }
            }
            return .sequence(results)
        }
        add("sift", "<o-f?:o>", arity: 2) { arguments, _, evaluator throws(JSONataError) in
            guard case .object(let object)? = arguments[0], let function = arguments[1] else { return nil }
            var kept = Value.Object()
            for (key, member) in object.pairs {
                let passed = Array([member, .string(key), arguments[0]].prefix(max(1, arity(of: function))))
                if Evaluator.truthy(try evaluator.apply(function, passed, nil)) { kept[key] = member }
            }
            return kept.count == 0 ? nil : .object(kept)
        }
        add("error", "<s?:x>") { arguments, _, _ throws(JSONataError) in
            throw JSONataError.raised(code: "D3137", message: string(arguments.first ?? nil) ?? "$error() function evaluated")
        }
        add("assert", "<bs?:x>", arity: 2) { arguments, _, _ throws(JSONataError) in
            guard case .bool(let holds)? = arguments[0] else {
                throw fail("T0410", "Argument 1 of function assert does not match function signature")
            }
            if !holds {
                throw JSONataError.raised(code: "D3141", message: string(arguments.count > 1 ? arguments[1] : nil) ?? "$assert() statement failed")
            }
            return nil
        }
        add("type", "<x:s>") { arguments, _, _ in arguments[0].map { .string($0.typeName) } }

        // MARK: Higher-order functions
        add("map", "<af>", arity: 2) { arguments, _, evaluator throws(JSONataError) in
            guard let items = arguments[0]?.arrayItems, let function = arguments[1] else { return nil }
            var results: [Value] = []
            for (index, item) in items.enumerated() {
                let passed = Array([item, .number(Double(index)), arguments[0]].prefix(max(1, arity(of: function))))
                if let value = try evaluator.apply(function, passed, nil) { results.append(value) }
            }
            return .sequence(results)
        }
        add("filter", "<af>", arity: 2) { arguments, _, evaluator throws(JSONataError) in
            guard let items = arguments[0]?.arrayItems, let function = arguments[1] else { return nil }
            var results: [Value] = []
            for (index, item) in items.enumerated() {
                let passed = Array([item, .number(Double(index)), arguments[0]].prefix(max(1, arity(of: function))))
                if Evaluator.truthy(try evaluator.apply(function, passed, nil)) { results.append(item) }
            }
            return .sequence(results)
        }
        add("single", "<af?>", arity: 2) { arguments, _, evaluator throws(JSONataError) in
            guard let items = arguments[0]?.arrayItems else { return nil }
            var found: Value?
            for (index, item) in items.enumerated() {
                var matches = true
                if let function = arguments.count > 1 ? arguments[1] : nil {
                    let passed = Array([item, .number(Double(index)), arguments[0]].prefix(max(1, arity(of: function))))
                    matches = Evaluator.truthy(try evaluator.apply(function, passed, nil))
                }
                if matches {
                    guard found == nil else {
                        throw fail("D3138", "The $single() function expected exactly 1 matching result.  Instead it matched more.")
                    }
                    found = item
                }
            }
            guard let found else { throw fail("D3139", "The $single() function expected exactly 1 matching result.  Instead it matched 0.") }
            return found
        }
        add("reduce", "<afj?:j>", arity: 3) { arguments, _, evaluator throws(JSONataError) in
            guard let items = arguments[0]?.arrayItems, let function = arguments[1] else { return nil }
            guard arity(of: function) >= 2 else {
                throw fail("D3050", "The second argument of reduce function must be a function with at least two arguments")
            }
            var index = 0
            var accumulator: Value?
            if arguments.count > 2, let initial = arguments[2] {
                accumulator = initial
            } else if !items.isEmpty {
                accumulator = items[0]
                index = 1
            }
            while index < items.count {
                let passed = Array([accumulator, items[index], .number(Double(index)), arguments[0]].prefix(max(2, arity(of: function))))
                accumulator = try evaluator.apply(function, passed, nil)
                index += 1
            }
            return accumulator
        }

        // MARK: Dates and times
        add("now", "<s?s?:s>", arity: 0) { _, _, _ in .string(DateTime.iso(DateTime.nowMillis())) }
        add("millis", "<:n>", arity: 0) { _, _, _ in .number(Double(DateTime.nowMillis())) }
        add("fromMillis", "<n-s?s?:s>") { arguments, _, _ throws(JSONataError) in
            guard let millis = number(arguments[0]) else { return nil }
            guard abs(millis) <= 8.64e15 else { throw fail("D3110", "The number \(Printer.format(millis)) is out of the range of dates") }
            let timezone = string(arguments.count > 2 ? arguments[2] : nil)
            if let picture = string(arguments.count > 1 ? arguments[1] : nil) {
                return .string(try DateTime.format(Int64(millis.rounded(.down)), picture: picture, timezone: timezone))
            }
            if let timezone {
                return .string(
                    try DateTime.format(
                        Int64(millis.rounded(.down)),
                        picture: "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]",
                        timezone: timezone
                    )
                )
            }
            return .string(DateTime.iso(Int64(millis.rounded(.down))))
        }
        add("toMillis", "<s-s?:n>") { arguments, _, _ throws(JSONataError) in
            guard let text = string(arguments[0]) else { return nil }
            if let picture = string(arguments.count > 1 ? arguments[1] : nil) {
                return DateTime.parse(text, picture: picture).map { .number(Double($0)) }
            }
            guard let millis = DateTime.parse(text) else {
                throw fail("D3110", "The timestamp string \(text) does not match the ISO 8601 format")
            }
            return .number(Double(millis))
        }
        return table
    }()

    /// How many parameters a function value declares.
    static func arity(of value: Value) -> Int {
        switch value {
        case .function(let function): function.arity
        case .regex: 1
        default: 0
        }
    }

    static func percentEncode(_ text: String, allowed: CharacterSet) -> String? {
        for scalar in text.unicodeScalars where (0xD800...0xDFFF).contains(scalar.value) { return nil }
        return text.addingPercentEncoding(withAllowedCharacters: allowed)
    }

    /// Rounds half to even at `precision` decimal places, as `$round` does.
    static func roundHalfEven(_ value: Double, _ precision: Int) -> Double {
        let factor = pow(10, Double(precision))
        let scaled = (value * factor * 1e9).rounded() / 1e9
        var rounded = scaled.rounded(.toNearestOrEven)
        if abs(scaled - scaled.rounded(.down) - 0.5) > 1e-9 { rounded = scaled.rounded() }
        return rounded / factor
    }

    /// A string cast to a number as `$number` does: JSON number syntax, plus hexadecimal, octal and binary prefixes.
    static func parseNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)] where trimmed.hasPrefix(prefix) {
            return Int(trimmed.dropFirst(2), radix: radix).map(Double.init)
        }
        if let value = try? Lexer.numberValue(trimmed), value.isFinite { return value }
        // Leading zeros, as JavaScript's Number() accepts them ("007", "000.5").
        let allowed = Set("0123456789.eE+-")
        guard !trimmed.isEmpty, trimmed.allSatisfy(allowed.contains), let value = Double(trimmed), value.isFinite else { return nil }
        return value
    }

    /// `$eval(expression, context)`: parses and evaluates a string with the current functions.
    static func evalFunction() -> Builtin {
        Builtin(name: "eval", arity: 2, signature: "<sx?:x>") { arguments, context, evaluator throws(JSONataError) in
            guard let text = string(arguments[0]) else { return nil }
            let node: Node
            do throws(JSONataError) {
                node = try Parser.parse(text)
            } catch {
                throw fail("D3120", "Syntax error in expression passed to function eval: \(error.message)")
            }
            let input = arguments.count > 1 ? arguments[1] : context
            return try evaluator.evaluate(node, input, Frame(parent: nil))
        }
    }
}

extension Lexer {
    /// Parses `text` as exactly one JSON-syntax number (with an optional leading `-`).
    static func numberValue(_ text: String) throws(JSONataError) -> Double? {
        var body = text[...]
        var negative = false
        if body.hasPrefix("-") {
            negative = true
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber else { return nil }
        var lexer = Lexer(String(body))
        let token = try lexer.next(prefix: false)
        guard case .number(let value) = token.kind, token.position == body.unicodeScalars.count else { return nil }
        return negative ? -value : value
    }
}
