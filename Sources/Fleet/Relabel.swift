import Yams

/// A regular expression anchored at both ends, as Prometheus anchors relabeling regexes
/// (`^(?:REGEX)$`), matching on Unicode scalars as RE2 does.
public struct AnchoredRegex: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let compiled: CompiledRegex

    /// - Throws: ``FleetError/invalidValue(path:line:detail:)`` when the pattern does not compile.
    public init(_ pattern: String, path: String = "regex", line: Int = 0) throws(FleetError) {
        self.pattern = pattern
        do {
            compiled = CompiledRegex(try Regex("(?:" + pattern + ")").matchingSemantics(.unicodeScalar))
        } catch {
            throw .invalidValue(path: path, line: line, detail: "\"\(pattern)\" is not a regular expression: \(error)")
        }
    }

    public var description: String { pattern }

    /// The capture groups (0 is the whole text) when the whole of `text` matches; nil otherwise.
    public func match(_ text: String) -> RegexGroups? {
        guard let match = try? compiled.regex.wholeMatch(in: text) else { return nil }
        return RegexGroups(output: match.output)
    }

    /// Whether the whole of `text` matches.
    public func matches(_ text: String) -> Bool { (try? compiled.regex.wholeMatch(in: text)) != nil }

    public static func == (lhs: AnchoredRegex, rhs: AnchoredRegex) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}

/// The compiled regex, immutable once built.
private final class CompiledRegex: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
    init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
}

/// The groups of one match, for `$1`, `${1}`, `$name` and `${name}` in replacements.
public struct RegexGroups {
    let output: AnyRegexOutput

    /// Group `index`, or "" when it does not exist or did not take part.
    public subscript(index: Int) -> String {
        guard index >= 0, index < output.count, let text = output[index].substring else { return "" }
        return String(text)
    }

    /// The named group, or "".
    public subscript(name name: String) -> String {
        guard let text = output[name]?.substring else { return "" }
        return String(text)
    }

    /// `template` with its references expanded as Go's `Regexp.Expand` does: `$$` is a dollar,
    /// `$name` takes the longest run of letters, digits and `_`, a reference to a missing group
    /// is empty, and a `$` that starts no reference is kept.
    public func expand(_ template: String) -> String {
        var out = ""
        let scalars = Array(template.unicodeScalars)
        var i = 0
        func isWord(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
        }
        while i < scalars.count {
            let scalar = scalars[i]
            guard scalar == "$", i + 1 < scalars.count else {
                out.unicodeScalars.append(scalar)
                i += 1
                continue
            }
            if scalars[i + 1] == "$" {
                out += "$"
                i += 2
                continue
            }
            var name = ""
            var next = i + 1
            if scalars[next] == "{" {
                var end = next + 1
                while end < scalars.count && isWord(scalars[end]) { end += 1 }
                guard end < scalars.count, scalars[end] == "}", end > next + 1 else {
                    out += "$"
                    i += 1
                    continue
                }
                name = String(String.UnicodeScalarView(scalars[(next + 1)..<end]))
                next = end + 1
            } else {
                var end = next
                while end < scalars.count && isWord(scalars[end]) { end += 1 }
                guard end > next else {
                    out += "$"
                    i += 1
                    continue
                }
                name = String(String.UnicodeScalarView(scalars[next..<end]))
                next = end
            }
            if let number = Int(name), name.allSatisfy(\.isASCII) {
                out += self[number]
            } else {
                out += self[name: name]
            }
            i = next
        }
        return out
    }
}

/// One `relabel_configs` rule with Prometheus's defaults: separator `;`, regex `(.*)`,
/// replacement `$1`, action `replace`.
public struct RelabelConfig: Sendable, Hashable {
    /// What a rule does.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// Sets `target_label` to the expanded replacement when the joined source values match.
        case replace
        /// Drops the target unless the joined source values match.
        case keep
        /// Drops the target when the joined source values match.
        case drop
        /// Copies every label whose name matches to the expanded replacement as its name.
        case labelmap
        /// Removes the labels whose name matches.
        case labeldrop
        /// Removes the labels whose name does not match.
        case labelkeep
        /// Sets `target_label` to the joined source values in lower case.
        case lowercase
        /// Sets `target_label` to the joined source values in upper case.
        case uppercase
        /// Keeps the target only when the joined source values equal `target_label`'s value.
        case keepequal
        /// Drops the target when the joined source values equal `target_label`'s value.
        case dropequal
    }

    public var sourceLabels: [String]
    public var separator: String
    public var regex: AnchoredRegex
    public var targetLabel: String?
    public var replacement: String
    public var action: Action

    public init(
        sourceLabels: [String] = [],
        separator: String = ";",
        regex: AnchoredRegex? = nil,
        targetLabel: String? = nil,
        replacement: String = "$1",
        action: Action = .replace
    ) {
        self.sourceLabels = sourceLabels
        self.separator = separator
        // The default pattern always compiles.
        self.regex = regex ?? (try! AnchoredRegex("(.*)"))
        self.targetLabel = targetLabel
        self.replacement = replacement
        self.action = action
    }

    /// Whether `name` is a label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
    public static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20) &- 0x61 < 26 else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20) &- 0x61 < 26 || $0 &- 0x30 < 10 }
    }

    static func parse(_ node: Node, path: String) throws(FleetError) -> RelabelConfig {
        let map = try YAMLValue.mapping(
            node,
            path: path,
            keys: ["source_labels", "separator", "regex", "target_label", "replacement", "action", "modulus"]
        )
        let line = YAMLValue.line(node)
        var rule = RelabelConfig()
        if let value = map["action"] {
            let text = try YAMLValue.string(value, path: path + ".action").lowercased()
            guard let action = Action(rawValue: text) else {
                throw .invalidValue(path: path + ".action", line: YAMLValue.line(value), detail: "unknown relabel action \"\(text)\"")
            }
            rule.action = action
        }
        if map["modulus"] != nil {
            throw .invalidValue(path: path + ".modulus", line: line, detail: "hashmod is not supported")
        }
        if let value = map["source_labels"] { rule.sourceLabels = try YAMLValue.strings(value, path: path + ".source_labels") }
        if let value = map["separator"] { rule.separator = try YAMLValue.string(value, path: path + ".separator") }
        if let value = map["regex"] {
            rule.regex = try AnchoredRegex(try YAMLValue.string(value, path: path + ".regex"), path: path + ".regex", line: YAMLValue.line(value))
        }
        if let value = map["target_label"] { rule.targetLabel = try YAMLValue.string(value, path: path + ".target_label") }
        if let value = map["replacement"] { rule.replacement = try YAMLValue.string(value, path: path + ".replacement") }
        for label in rule.sourceLabels where !isValidLabelName(label) {
            throw .invalidValue(path: path + ".source_labels", line: line, detail: "\"\(label)\" is not a valid label name")
        }
        switch rule.action {
        case .replace, .lowercase, .uppercase, .keepequal, .dropequal:
            guard let target = rule.targetLabel, !target.isEmpty else {
                throw .missingKey(key: "target_label", path: path + " (action \(rule.action.rawValue))", line: line)
            }
            if rule.action != .replace || !target.contains("$") {
                guard isValidLabelName(target) else {
                    throw .invalidValue(path: path + ".target_label", line: line, detail: "\"\(target)\" is not a valid label name")
                }
            }
        case .labeldrop, .labelkeep:
            if !rule.sourceLabels.isEmpty || rule.targetLabel != nil {
                throw .invalidValue(path: path, line: line, detail: "\(rule.action.rawValue) takes only regex")
            }
        case .keep, .drop, .labelmap:
            break
        }
        return rule
    }

    /// Applies `rules` in order to `labels`; nil when a rule drops the target.
    public static func apply(_ rules: [RelabelConfig], to labels: [String: String]) -> [String: String]? {
        var labels = labels
        for rule in rules {
            guard rule.apply(to: &labels) else { return nil }
        }
        return labels
    }

    /// Applies this rule; false when it drops the target.
    public func apply(to labels: inout [String: String]) -> Bool {
        let value = sourceLabels.map { labels[$0] ?? "" }.joined(separator: separator)
        switch action {
        case .replace:
            guard let groups = regex.match(value), let targetLabel else { return true }
            let target = groups.expand(targetLabel)
            let result = groups.expand(replacement)
            guard Self.isValidLabelName(target) else { return true }
            if result.isEmpty { labels[target] = nil } else { labels[target] = result }
        case .keep:
            return regex.matches(value)
        case .drop:
            return !regex.matches(value)
        case .labelmap:
            for (name, labelValue) in labels.sorted(by: { $0.key < $1.key }) {
                if let groups = regex.match(name) {
                    labels[groups.expand(replacement)] = labelValue
                }
            }
        case .labeldrop:
            for name in labels.keys where regex.matches(name) { labels[name] = nil }
        case .labelkeep:
            for name in labels.keys where !regex.matches(name) { labels[name] = nil }
        case .lowercase:
            if let targetLabel { labels[targetLabel] = value.lowercased() }
        case .uppercase:
            if let targetLabel { labels[targetLabel] = value.uppercased() }
        case .keepequal:
            return value == labels[targetLabel ?? ""] ?? ""
        case .dropequal:
            return value != labels[targetLabel ?? ""] ?? ""
        }
        return true
    }
}
