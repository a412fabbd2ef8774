/// Regular expression literals (`/pattern/flags`), matched with the standard library's `Regex`
/// (whose syntax covers the ECMAScript patterns JSONata expressions use).
enum Regex {
    /// One match: where it is in the text and its capture groups.
    struct Match {
        var range: Range<String.Index>
        var groups: [Substring?]

        /// The object `$match` returns and a regex function yields: `match`, `index`, `groups`.
        func object(in text: String) -> Value {
            var object = Value.Object()
            object["match"] = .string(String(text[range]))
            object["index"] = .number(Double(text.utf16.distance(from: text.startIndex, to: range.lowerBound)))
            object["groups"] = .array(.init(groups.map { .string($0.map(String.init) ?? "") }))
            return .object(object)
        }
    }

    /// The matches of `regex` in `text`, at most `limit`.
    /// - Throws: `D1004` when the expression matches the empty string, `S0302` when it does not compile.
    static func matches(_ regex: Value.RegexValue, in text: String, limit: Int, evaluator: Evaluator) throws(JSONataError) -> [Match] {
        let compiled: Swift.Regex<AnyRegexOutput>
        do {
            var pattern = try Swift.Regex<AnyRegexOutput>(regex.pattern)
            if regex.flags.contains("i") { pattern = pattern.ignoresCase() }
            if regex.flags.contains("m") { pattern = pattern.anchorsMatchLineEndings() }
            compiled = pattern
        } catch {
            throw .evaluation(code: "S0302", position: 0, message: "Invalid regular expression /\(regex.pattern)/: \(error)")
        }
        var results: [Match] = []
        for match in text.matches(of: compiled) {
            guard results.count < limit else { break }
            evaluator.budget -= 1
            if match.range.isEmpty {
                throw .evaluation(code: "D1004", position: 0, message: "Regular expression matches zero length string")
            }
            var groups: [Substring?] = []
            for index in 1..<max(1, match.output.count) { groups.append(match.output[index].substring) }
            results.append(Match(range: match.range, groups: groups))
        }
        return results
    }

    /// A replacement string with `$0`…`$9` (and `$$`) substituted from the match.
    static func substitute(_ replacement: String, _ match: Match, in text: String) -> String {
        var output = ""
        let chars = Array(replacement)
        var index = 0
        while index < chars.count {
            let char = chars[index]
            if char == "$", index + 1 < chars.count {
                let next = chars[index + 1]
                if next == "$" {
                    output.append("$")
                    index += 2
                    continue
                }
                if let digit = next.wholeNumberValue {
                    // Take the longest group number that exists (as the reference implementation does).
                    var number = digit
                    var consumed = 2
                    if index + 2 < chars.count, let second = chars[index + 2].wholeNumberValue, number * 10 + second <= match.groups.count {
                        number = number * 10 + second
                        consumed = 3
                    }
                    if number == 0 {
                        output += text[match.range]
                    } else if number <= match.groups.count {
                        output += match.groups[number - 1] ?? ""
                    }
                    index += consumed
                    continue
                }
            }
            output.append(char)
            index += 1
        }
        return output
    }
}

extension Builtin {
    /// Calling a regex value as a function: the first match of it in the string, with a `next` function.
    static func regexMatch(_ regex: Value.RegexValue, _ argument: Value?, evaluator: Evaluator) throws(JSONataError) -> Value? {
        guard case .string(let text)? = argument else { return nil }
        let matches = try Regex.matches(regex, in: text, limit: Int.max, evaluator: evaluator)
        func object(_ index: Int) -> Value? {
            guard index < matches.count, case .object(var object) = matches[index].object(in: text) else { return nil }
            object["start"] = .number(Double(text.utf16.distance(from: text.startIndex, to: matches[index].range.lowerBound)))
            object["end"] = .number(Double(text.utf16.distance(from: text.startIndex, to: matches[index].range.upperBound)))
            return .object(object)
        }
        return object(0)
    }
}
