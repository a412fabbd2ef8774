import InfraJSON

/// A Choice rule: a boolean combination or one comparison of a `Variable` against a value or a path.
indirect enum ChoiceRule: Sendable {
    case and([ChoiceRule])
    case or([ChoiceRule])
    case not(ChoiceRule)
    case compare(variable: JSONPath, op: ComparisonOperator, operand: Operand)

    enum Operand: Sendable {
        case value(JSON)
        case path(JSONPath)
    }

    enum Kind: Sendable {
        case string
        case number
        case boolean
        case timestamp
    }

    enum ComparisonOperator: Sendable, Hashable {
        case equals(Kind)
        case lessThan(Kind)
        case greaterThan(Kind)
        case lessThanEquals(Kind)
        case greaterThanEquals(Kind)
        case stringMatches
        case isNull
        case isPresent
        case isNumeric
        case isString
        case isBoolean
        case isTimestamp

        /// Whether the operator has a `…Path` variant comparing against another path (the ordered
        /// comparisons and the equalities do; `StringMatches` and the type tests do not).
        var hasPathVariant: Bool {
            switch self {
            case .equals, .lessThan, .greaterThan, .lessThanEquals, .greaterThanEquals: true
            default: false
            }
        }
    }

    /// Every comparison operator name (without the `Path` suffix variants), and what it compares.
    static let operators: [String: ComparisonOperator] = {
        var table: [String: ComparisonOperator] = [
            "StringMatches": .stringMatches, "IsNull": .isNull, "IsPresent": .isPresent, "IsNumeric": .isNumeric,
            "IsString": .isString, "IsBoolean": .isBoolean, "IsTimestamp": .isTimestamp, "BooleanEquals": .equals(.boolean),
        ]
        for (prefix, kind) in [("String", Kind.string), ("Numeric", .number), ("Timestamp", .timestamp)] {
            table[prefix + "Equals"] = .equals(kind)
            table[prefix + "LessThan"] = .lessThan(kind)
            table[prefix + "GreaterThan"] = .greaterThan(kind)
            table[prefix + "LessThanEquals"] = .lessThanEquals(kind)
            table[prefix + "GreaterThanEquals"] = .greaterThanEquals(kind)
        }
        return table
    }()

    /// Evaluates the rule.
    /// - Throws: `States.Runtime` when `Variable` (or an operand path) matches nothing, except for `IsPresent`.
    func evaluate(input: JSON, context: JSON, variables: [String: JSON] = [:]) throws(ExecutionError) -> Bool {
        switch self {
        case .and(let rules):
            for rule in rules where try !rule.evaluate(input: input, context: context, variables: variables) { return false }
            return true
        case .or(let rules):
            for rule in rules where try rule.evaluate(input: input, context: context, variables: variables) { return true }
            return false
        case .not(let rule):
            return try !rule.evaluate(input: input, context: context, variables: variables)
        case .compare(let variable, let op, let operand):
            let value = variable.select(input: input, context: context, variables: variables)
            if op == .isPresent { return value != nil && operand.json == .bool(true) || value == nil && operand.json == .bool(false) }
            guard let value else {
                throw ExecutionError.runtime("Invalid path '\(variable.text)': The choice state's condition path references an invalid value.")
            }
            let other: JSON
            switch operand {
            case .value(let json):
                other = json
            case .path(let path):
                guard let resolved = path.select(input: input, context: context, variables: variables) else {
                    throw ExecutionError.runtime("Invalid path '\(path.text)': The choice state's condition path references an invalid value.")
                }
                other = resolved
            }
            return Self.compare(value, op, other)
        }
    }

    private static func compare(_ value: JSON, _ op: ComparisonOperator, _ other: JSON) -> Bool {
        switch op {
        case .isNull: return value.isNull == (other == .bool(true))
        case .isPresent: return other == .bool(true)
        case .isNumeric: return (value.doubleValue != nil) == (other == .bool(true))
        case .isString: return (value.stringValue != nil) == (other == .bool(true))
        case .isBoolean: return (value.boolValue != nil) == (other == .bool(true))
        case .isTimestamp: return (value.stringValue.flatMap(Timestamps.parse) != nil) == (other == .bool(true))
        case .stringMatches:
            guard let text = value.stringValue, let pattern = other.stringValue else { return false }
            return matches(Array(text.unicodeScalars), pattern: parsePattern(pattern))
        case .equals(let kind), .lessThan(let kind), .greaterThan(let kind), .lessThanEquals(let kind), .greaterThanEquals(let kind):
            let order: (less: Bool, equal: Bool)
            switch (kind, value, other) {
            case (.string, .string(let a), .string(let b)):
                let (x, y) = (Array(a.unicodeScalars), Array(b.unicodeScalars))
                order = (x.lexicographicallyPrecedes(y), x == y)
            case (.number, .number(let a), .number(let b)):
                order = (a < b, a == b)
            case (.boolean, .bool(let a), .bool(let b)):
                order = (false, a == b)
            case (.timestamp, .string(let a), .string(let b)):
                guard let x = Timestamps.parse(a), let y = Timestamps.parse(b) else { return false }
                order = (x < y, x == y)
            default:
                return false
            }
            switch op {
            case .equals: return order.equal
            case .lessThan: return order.less
            case .greaterThan: return !order.less && !order.equal
            case .lessThanEquals: return order.less || order.equal
            default: return !order.less
            }
        }
    }

    private enum PatternElement: Equatable {
        case literal(Unicode.Scalar)
        case star
    }

    /// `*` matches any run of characters; `\*` and `\\` are a literal star and backslash.
    private static func parsePattern(_ pattern: String) -> [PatternElement] {
        var elements: [PatternElement] = []
        var escaped = false
        for scalar in pattern.unicodeScalars {
            if escaped {
                elements.append(.literal(scalar))
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else {
                elements.append(scalar == "*" ? .star : .literal(scalar))
            }
        }
        if escaped { elements.append(.literal("\\")) }
        return elements
    }

    /// Glob matching with backtracking over the last star (linear in practice).
    private static func matches(_ text: [Unicode.Scalar], pattern: [PatternElement]) -> Bool {
        var (t, p) = (0, 0)
        var starP = -1
        var starT = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == .literal(text[t]) {
                t += 1
                p += 1
            } else if p < pattern.count, pattern[p] == .star {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == .star { p += 1 }
        return p == pattern.count
    }
}

extension ChoiceRule.Operand {
    fileprivate var json: JSON? {
        if case .value(let value) = self { return value }
        return nil
    }
}
