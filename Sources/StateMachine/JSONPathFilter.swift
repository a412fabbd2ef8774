import InfraJSON

/// The expression of a JSONPath filter `[?(<expression>)]`, as Jayway JsonPath reads it.
///
/// - Operands: `@` (the node tested) and `$` (the document) followed by path segments (`@.a.b`,
///   `@['a']`, `@[0]`, `$..x`, …); literals: numbers, `'single'` or `"double"` quoted strings, `true`,
///   `false`, `null`, and arrays of literals `[1, 'a']`.
/// - Comparisons: `==`, `!=` (and Jayway's `===`, `!==`, the same here), `<`, `<=`, `>`, `>=`, `in`,
///   `nin`. Numbers compare numerically, strings by UTF-16 code units (as Java does); ordering across
///   types is false and values of different types are unequal; an absent operand equals nothing.
///   `in`/`nin` test membership in an array (a literal or a path's value).
/// - A bare path (`@.isbn`) tests that the path matches something; `!`, `&&`, `||` and parentheses combine tests.
///
/// Regular expressions (`=~`), path functions (`length()`) and Jayway's other operators (`size`,
/// `subsetof`, …) are rejected when parsing.
struct JSONPathFilter: Sendable, Hashable {
    indirect enum Expression: Sendable, Hashable {
        case exists(Operand)
        case compare(Operand, Operator, Operand)
        case not(Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
    }

    enum Operand: Sendable, Hashable {
        /// `@` followed by segments: relative to the node tested.
        case current([JSONPath.Segment])
        /// `$` followed by segments: the path at this index of ``rootPaths``.
        case root(Int)
        case literal(JSON)
    }

    enum Operator: String, Sendable, Hashable {
        case equal = "=="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case `in`
        case notIn = "nin"
    }

    var expression: Expression
    /// The segments of the `$` operands; their values do not depend on the node tested, so a selection
    /// evaluates them once per filter.
    var rootPaths: [[JSONPath.Segment]]

    /// The values of ``rootPaths`` in `root`.
    func rootValues(root: JSON, budget: inout SelectionBudget) throws(SelectionOverflow) -> [JSON?] {
        var values: [JSON?] = []
        for path in rootPaths { values.append(try JSONPath.value(of: path[...], at: root, root: root, budget: &budget)) }
        return values
    }

    /// Whether the expression holds for `node`; `rootValues` are the values of ``rootPaths``.
    func matches(_ node: JSON, root: JSON, rootValues: [JSON?], budget: inout SelectionBudget) throws(SelectionOverflow) -> Bool {
        try Evaluation(node: node, root: root, rootValues: rootValues).holds(expression, budget: &budget)
    }
}

/// The evaluation of one filter expression for one node.
private struct Evaluation {
    var node: JSON
    var root: JSON
    var rootValues: [JSON?]

    func holds(_ expression: JSONPathFilter.Expression, budget: inout SelectionBudget) throws(SelectionOverflow) -> Bool {
        try budget.spend()
        switch expression {
        case .exists(let operand):
            guard let value = try value(of: operand, budget: &budget) else { return false }
            if isDefinite(operand) { return true }
            return value.arrayValue?.isEmpty == false
        case .compare(let left, let op, let right):
            let lhs = try value(of: left, budget: &budget)
            let rhs = try value(of: right, budget: &budget)
            return Self.compare(lhs, op, rhs)
        case .not(let inner):
            let result = try holds(inner, budget: &budget)
            return !result
        case .and(let left, let right):
            guard try holds(left, budget: &budget) else { return false }
            return try holds(right, budget: &budget)
        case .or(let left, let right):
            if try holds(left, budget: &budget) { return true }
            return try holds(right, budget: &budget)
        }
    }

    private func isDefinite(_ operand: JSONPathFilter.Operand) -> Bool {
        switch operand {
        case .current(let segments): JSONPath.isDefinite(segments[...])
        case .root: true
        case .literal: true
        }
    }

    /// The operand's value: the node for a definite path (`nil` when absent), an array of the matches otherwise.
    private func value(of operand: JSONPathFilter.Operand, budget: inout SelectionBudget) throws(SelectionOverflow) -> JSON? {
        switch operand {
        case .current(let segments):
            if segments.isEmpty { return node }
            return try JSONPath.value(of: segments[...], at: node, root: root, budget: &budget)
        case .root(let index):
            guard rootValues.indices.contains(index) else { return nil }
            return rootValues[index]
        case .literal(let value):
            return value
        }
    }

    static func compare(_ left: JSON?, _ op: JSONPathFilter.Operator, _ right: JSON?) -> Bool {
        switch op {
        case .equal: return equal(left, right)
        case .notEqual: return !equal(left, right)
        case .less: return order(left, right).map { $0 < 0 } ?? false
        case .lessOrEqual: return order(left, right).map { $0 <= 0 } ?? false
        case .greater: return order(left, right).map { $0 > 0 } ?? false
        case .greaterOrEqual: return order(left, right).map { $0 >= 0 } ?? false
        case .in:
            guard case .array(let items)? = right else { return false }
            return items.contains { equal(left, $0) }
        case .notIn:
            guard case .array(let items)? = right else { return false }
            return !items.contains { equal(left, $0) }
        }
    }

    /// Equality of two present values of the same type; strings compare by UTF-16 code units.
    static func equal(_ left: JSON?, _ right: JSON?) -> Bool {
        guard let left, let right else { return false }
        if case .string(let a) = left, case .string(let b) = right { return a.utf16.elementsEqual(b.utf16) }
        return left == right
    }

    /// -1, 0 or 1 for two numbers or two strings; `nil` for anything else.
    static func order(_ left: JSON?, _ right: JSON?) -> Int? {
        switch (left, right) {
        case (.number(let a)?, .number(let b)?):
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.string(let a)?, .string(let b)?):
            if a.utf16.elementsEqual(b.utf16) { return 0 }
            return a.utf16.lexicographicallyPrecedes(b.utf16) ? -1 : 1
        default:
            return nil
        }
    }
}

extension JSONPathParser {
    /// Parses a filter expression after `[?(`, up to and including its closing `)`.
    mutating func parseFilter() throws(PathSyntaxError) -> JSONPathFilter {
        let open = position - 1
        try enterNesting()
        var rootPaths: [[JSONPath.Segment]] = []
        let expression = try parseOr(&rootPaths)
        skipSpaces()
        guard let char = current else { throw error("unterminated filter expression", at: open) }
        guard char == ")" else { throw error("unexpected '\(char)' in filter expression") }
        position += 1
        nesting -= 1
        return JSONPathFilter(expression: expression, rootPaths: rootPaths)
    }

    private mutating func parseOr(_ rootPaths: inout [[JSONPath.Segment]]) throws(PathSyntaxError) -> JSONPathFilter.Expression {
        var expression = try parseAnd(&rootPaths)
        while true {
            skipSpaces()
            guard current == "|" else { return expression }
            guard peek(1) == "|" else { throw error("use '||' for a logical or") }
            position += 2
            expression = .or(expression, try parseAnd(&rootPaths))
        }
    }

    private mutating func parseAnd(_ rootPaths: inout [[JSONPath.Segment]]) throws(PathSyntaxError) -> JSONPathFilter.Expression {
        var expression = try parseUnary(&rootPaths)
        while true {
            skipSpaces()
            guard current == "&" else { return expression }
            guard peek(1) == "&" else { throw error("use '&&' for a logical and") }
            position += 2
            expression = .and(expression, try parseUnary(&rootPaths))
        }
    }

    /// A negation, a parenthesized expression, a comparison or an existence test.
    private mutating func parseUnary(_ rootPaths: inout [[JSONPath.Segment]]) throws(PathSyntaxError) -> JSONPathFilter.Expression {
        skipSpaces()
        switch current {
        case "!"?:
            position += 1
            try enterNesting()
            skipSpaces()
            let operand: JSONPathFilter.Expression
            if current == "(" || current == "!" {
                operand = try parseUnary(&rootPaths)
            } else {
                let start = position
                let path = try parseOperand(&rootPaths)
                if case .literal = path { throw error("'!' must be followed by a path or a parenthesized expression", at: start) }
                skipSpaces()
                let operatorStart = position
                if try parseOperator() != nil {
                    throw error("negate a comparison with parentheses, as in !(@.a == 1)", at: operatorStart)
                }
                operand = .exists(path)
            }
            nesting -= 1
            return .not(operand)
        case "("?:
            position += 1
            try enterNesting()
            let open = position - 1
            let expression = try parseOr(&rootPaths)
            skipSpaces()
            guard current == ")" else { throw current == nil ? error("unclosed '('", at: open) : error("expected ')'") }
            position += 1
            nesting -= 1
            return expression
        default:
            let start = position
            let left = try parseOperand(&rootPaths)
            guard let op = try parseOperator() else {
                if case .literal = left { throw error("expected a comparison operator after the literal", at: start) }
                return .exists(left)
            }
            return .compare(left, op, try parseOperand(&rootPaths))
        }
    }

    /// A comparison operator, or `nil` (nothing consumed) when none follows.
    private mutating func parseOperator() throws(PathSyntaxError) -> JSONPathFilter.Operator? {
        skipSpaces()
        guard let char = current else { return nil }
        let next = peek(1)
        switch char {
        case "=" where next == "=", "!" where next == "=":
            position += 2
            if current == "=" { position += 1 }
            return char == "=" ? .equal : .notEqual
        case "=" where next == "~":
            throw error("regular expression matching '=~' is not supported")
        case "=":
            throw error("use '==' to compare")
        case "<", ">":
            position += 1
            if current == "=" {
                position += 1
                return char == "<" ? .lessOrEqual : .greaterOrEqual
            }
            return char == "<" ? .less : .greater
        default:
            guard char.properties.isAlphabetic else { return nil }
            let start = position
            let word = readWord()
            switch word {
            case "in": return .in
            case "nin": return .notIn
            case "subsetof", "anyof", "noneof", "size", "empty", "contains", "all":
                throw error("the filter operator '\(word)' is not supported", at: start)
            default:
                throw error("unknown filter operator '\(word)'", at: start)
            }
        }
    }

    /// A path (`@…`, `$…`) or a literal.
    private mutating func parseOperand(_ rootPaths: inout [[JSONPath.Segment]]) throws(PathSyntaxError) -> JSONPathFilter.Operand {
        skipSpaces()
        switch current {
        case "@"?:
            position += 1
            return .current(try parseSegments(inFilter: true))
        case "$"?:
            position += 1
            if current == "$" { throw error("the context object '$$' cannot be used in a filter expression", at: position - 1) }
            rootPaths.append(try parseSegments(inFilter: true))
            return .root(rootPaths.count - 1)
        case nil:
            throw error("unexpected end of the filter expression")
        default:
            return .literal(try parseLiteral())
        }
    }

    /// A number, a quoted string, `true`, `false`, `null` or an array of literals.
    private mutating func parseLiteral() throws(PathSyntaxError) -> JSON {
        skipSpaces()
        guard let char = current else { throw error("unexpected end of the filter expression") }
        switch char {
        case "'", "\"":
            return .string(try parseQuoted(unterminated: "unterminated string literal"))
        case "[":
            return try parseArrayLiteral()
        case "-", "0"..."9":
            let start = position
            var text = ""
            while let char = current, char == "-" || char == "+" || char == "." || char == "e" || char == "E" || ("0"..."9").contains(char) {
                text.unicodeScalars.append(char)
                position += 1
            }
            guard let number = Double(text), number.isFinite else { throw error("invalid number '\(text)'", at: start) }
            return .number(number)
        case "/":
            throw error("regular expressions are not supported")
        case "@", "$":
            throw error("an array literal can hold only literal values")
        default:
            guard char.properties.isAlphabetic else { throw error("unexpected '\(char)' in filter expression") }
            let start = position
            switch readWord() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            case let word: throw error("unexpected '\(word)' in filter expression", at: start)
            }
        }
    }

    /// `[literal, …]` (the current character is its `[`).
    private mutating func parseArrayLiteral() throws(PathSyntaxError) -> JSON {
        let open = position
        position += 1
        try enterNesting()
        var elements: [JSON] = []
        skipSpaces()
        if current == "]" {
            position += 1
        } else {
            while true {
                elements.append(try parseLiteral())
                skipSpaces()
                guard let char = current else { throw error("unterminated array literal", at: open) }
                position += 1
                if char == "]" { break }
                guard char == "," else { throw error("expected ',' or ']' in the array literal", at: position - 1) }
            }
        }
        nesting -= 1
        return .array(elements)
    }

    private mutating func readWord() -> String {
        var word = ""
        while let char = current, char.properties.isAlphabetic {
            word.unicodeScalars.append(char)
            position += 1
        }
        return word
    }
}
