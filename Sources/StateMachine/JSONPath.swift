import InfraJSON

/// A JSONPath as the States Language uses it, with the syntax of the Jayway JsonPath library that AWS
/// Step Functions evaluates Paths with.
///
/// A path starts with `$` (the input) or `$$` (the context object), followed by segments:
/// - `.field`, `['field']` and `["field"]` (a backslash takes the next character literally), `[index]`
///   (negative counts from the end): the only segments a Reference Path (ResultPath, a Choice
///   `Variable`, …) may use, so that it names at most one node;
/// - `.*` and `[*]`: every element of an array, every member value of an object (in key order);
/// - `[start:end]` and `[start:end:step]` slices (Python-like bounds, `step` > 0);
/// - unions `[0,2,-1]` and `['a','b']`; as in Jayway, a union of names that ends the path merges the
///   members found into one object (`$['a','b']` gives `{"a":…,"b":…}`, a definite result);
/// - deep scan `..field`, `..*`, `..[…]`: the segment applied to the node and to each of its descendants
///   in document order (object members in key order);
/// - filters `[?(<expression>)]` (see ``JSONPathFilter``): the elements of an array, or an object itself,
///   for which the expression holds.
///
/// A definite path (only `.field` and `[index]`, or a trailing union of names) selects one node or
/// nothing; any other path selects an array of its matches, possibly empty.
struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    enum Root: Sendable, Hashable {
        case input
        case context
        /// `$name`: a workflow variable (Developer Guide, "Passing data between states with variables":
        /// "To reference a variable, prepend the name with a dollar sign ($), for example, $productName").
        case variable(String)
    }

    enum Segment: Sendable, Hashable {
        /// `.name`, `['name']`: the member of an object.
        case field(String)
        /// `[n]`: the element of an array; negative counts from the end.
        case index(Int)
        /// `.*`, `[*]`: every element or member value.
        case wildcard
        /// `[start:end:step]`: the elements of an array from `start` (inclusive) to `end` (exclusive).
        case slice(Int?, Int?, step: Int)
        /// `['a','b']`: several members of an object; merged into one object when it ends the path.
        case fields([String])
        /// `[0,2,-1]`: several elements of an array, in the order listed.
        case indexes([Int])
        /// `[?(…)]`: the array elements, or the object itself, that the filter accepts.
        case filter(JSONPathFilter)
        /// `..` followed by a segment: the segment applied to the node and to all its descendants.
        indirect case descendants(Segment)

        /// Whether the segment names at most one node (`.field` or `[index]`).
        var isSingle: Bool {
            switch self {
            case .field, .index: true
            default: false
            }
        }
    }

    var root: Root
    var segments: [Segment]
    var text: String

    var description: String { text }

    /// Whether this is a Reference Path: it selects at most one node (only `.field` and `[index]`).
    var isReference: Bool { segments.allSatisfy(\.isSingle) }

    static let identity = JSONPath(root: .input, segments: [], text: "$")

    /// The most work (nodes visited, selected or tested by a filter) one selection may do; past it the
    /// selection matches nothing, so that a hostile path cannot exhaust memory or time. A Step
    /// Functions payload (256 KiB) has far fewer nodes than this.
    static let selectionBudget = 1 << 20

    /// Parses a path; the error message says what is wrong and where (a position counts Unicode scalars from 0).
    static func parse(_ text: String) throws(PathSyntaxError) -> JSONPath {
        var parser = JSONPathParser(text)
        guard parser.current == "$" else { throw PathSyntaxError("path must start with '$'") }
        parser.position = 1
        var root = Root.input
        if parser.current == "$" {
            root = .context
            parser.position += 1
        } else if let first = parser.current, VariableName.isStart(first) {
            var name = ""
            while let char = parser.current, VariableName.isPart(char) {
                name.unicodeScalars.append(char)
                parser.position += 1
            }
            root = .variable(name)
        }
        let segments = try parser.parseSegments(inFilter: false)
        return JSONPath(root: root, segments: segments, text: text)
    }

    /// Selects from `input` (or `context` for `$$` paths, or the variable for `$name` paths). A definite
    /// path yields its one node or `nil`; any other path yields an array of the matches (`nil` when the
    /// selection exceeds its budget or names a variable that is not set).
    func select(input: JSON, context: JSON, variables: [String: JSON] = [:]) -> JSON? {
        let document: JSON
        switch root {
        case .input: document = input
        case .context: document = context
        case .variable(let name):
            guard let value = variables[name] else { return nil }
            document = value
        }
        var budget = SelectionBudget(remaining: Self.selectionBudget)
        do {
            return try Self.value(of: segments[...], at: document, root: document, budget: &budget)
        } catch {
            return nil
        }
    }

    /// Whether `segments` select at most one node: single segments, perhaps followed by a merging union of names.
    static func isDefinite(_ segments: ArraySlice<Segment>) -> Bool {
        guard let last = segments.last else { return true }
        guard segments.dropLast().allSatisfy(\.isSingle) else { return false }
        if case .fields = last { return true }
        return last.isSingle
    }

    /// What `segments` select from `node` (`root` is what `$` means in filters): the node for a definite
    /// path, `nil` when it is absent; otherwise an array of the matches.
    static func value(
        of segments: ArraySlice<Segment>,
        at node: JSON,
        root: JSON,
        budget: inout SelectionBudget
    ) throws(SelectionOverflow) -> JSON? {
        // Fast path: follow `.field` and `[index]` without collecting nodes.
        var node = node
        var position = segments.startIndex
        while position < segments.endIndex {
            switch segments[position] {
            case .field(let name):
                guard case .object(let members) = node, let value = members[name] else { return absent(after: segments[(position + 1)...]) }
                node = value
            case .index(let index):
                guard case .array(let elements) = node, let value = element(of: elements, at: index) else {
                    return absent(after: segments[(position + 1)...])
                }
                node = value
            default:
                return try values(of: segments[position...], at: node, root: root, budget: &budget)
            }
            position += 1
        }
        return node
    }

    /// What a path selects when a single segment finds nothing: `nil` for a definite path, else no matches.
    private static func absent(after rest: ArraySlice<Segment>) -> JSON? {
        if isDefinite(rest) { return nil }
        return .array([])
    }

    /// Applies `segments`, the first of which selects several nodes, to `node`.
    private static func values(
        of segments: ArraySlice<Segment>,
        at node: JSON,
        root: JSON,
        budget: inout SelectionBudget
    ) throws(SelectionOverflow) -> JSON? {
        var nodes: [JSON] = []
        var rootValues: [JSON?]?
        let first = PathStep(segment: segments[segments.startIndex], isLast: segments.count == 1, root: root)
        try first.apply(to: node, rootValues: &rootValues, budget: &budget, into: &nodes)
        for position in segments.indices.dropFirst() {
            let step = PathStep(segment: segments[position], isLast: position == segments.endIndex - 1, root: root)
            var next: [JSON] = []
            rootValues = nil
            for node in nodes { try step.apply(to: node, rootValues: &rootValues, budget: &budget, into: &next) }
            nodes = next
        }
        if isDefinite(segments) { return nodes.first }
        return .array(nodes)
    }

    /// The element at `index` (negative counts from the end), when in range.
    static func element(of elements: [JSON], at index: Int) -> JSON? {
        let resolved = index < 0 ? elements.count + index : index
        guard elements.indices.contains(resolved) else { return nil }
        return elements[resolved]
    }

    /// Returns `document` with `value` placed where this reference path points, creating missing
    /// object fields; `nil` when the path cannot be applied (a non-object on the way, an index out of range).
    func setting(_ value: JSON, in document: JSON) -> JSON? { Self.set(value, in: document, segments[...]) }

    private static func set(_ value: JSON, in document: JSON, _ rest: ArraySlice<Segment>) -> JSON? {
        guard let first = rest.first else { return value }
        switch (first, document) {
        case (.field(let name), .object(var members)):
            let child = members[name] ?? .object([:])
            guard let updated = set(value, in: child, rest.dropFirst()) else { return nil }
            members[name] = updated
            return .object(members)
        case (.index(let index), .array(var elements)):
            let resolved = index < 0 ? elements.count + index : index
            guard elements.indices.contains(resolved), let updated = set(value, in: elements[resolved], rest.dropFirst()) else { return nil }
            elements[resolved] = updated
            return .array(elements)
        default:
            return nil
        }
    }
}

/// The work a selection may still do; spending past it throws ``SelectionOverflow``.
struct SelectionBudget {
    var remaining: Int

    mutating func spend(_ amount: Int = 1) throws(SelectionOverflow) {
        remaining -= amount
        if remaining < 0 { throw SelectionOverflow() }
    }
}

/// A selection gave up: it would have visited or produced more nodes than ``JSONPath/selectionBudget``.
struct SelectionOverflow: Error {}

/// One segment applied to the nodes selected so far.
private struct PathStep {
    var segment: JSONPath.Segment
    var isLast: Bool
    var root: JSON

    /// Appends what the segment selects from `node` to `output`; `rootValues` caches the values of the
    /// filter's `$` paths, which do not depend on the node.
    func apply(
        to node: JSON,
        rootValues: inout [JSON?]?,
        budget: inout SelectionBudget,
        into output: inout [JSON]
    ) throws(SelectionOverflow) {
        let before = output.count
        switch segment {
        case .descendants(let target):
            try scan(node, for: target, rootValues: &rootValues, budget: &budget, into: &output)
        case .filter(let filter):
            switch node {
            case .array(let elements):
                let values = try Self.rootValues(of: filter, root: root, cache: &rootValues, budget: &budget)
                for element in elements {
                    if try filter.matches(element, root: root, rootValues: values, budget: &budget) { output.append(element) }
                }
            case .object:
                let values = try Self.rootValues(of: filter, root: root, cache: &rootValues, budget: &budget)
                if try filter.matches(node, root: root, rootValues: values, budget: &budget) { output.append(node) }
            default:
                break
            }
        default:
            Self.select(segment, from: node, isLast: isLast, into: &output)
        }
        try budget.spend(output.count - before)
    }

    /// The segments that need neither the root nor a budget.
    private static func select(_ segment: JSONPath.Segment, from node: JSON, isLast: Bool, into output: inout [JSON]) {
        switch (segment, node) {
        case (.field(let name), .object(let members)):
            if let value = members[name] { output.append(value) }
        case (.index(let index), .array(let elements)):
            if let value = JSONPath.element(of: elements, at: index) { output.append(value) }
        case (.wildcard, .array(let elements)):
            output.append(contentsOf: elements)
        case (.wildcard, .object(let members)):
            for key in members.keys.sorted() { output.append(members[key]!) }
        case (.slice(let start, let end, let step), .array(let elements)):
            let count = elements.count
            func clamp(_ value: Int?, _ fallback: Int) -> Int {
                guard let value else { return fallback }
                return min(max(value < 0 ? count + value : value, 0), count)
            }
            var index = clamp(start, 0)
            let upper = clamp(end, count)
            while index < upper {
                output.append(elements[index])
                let (next, overflow) = index.addingReportingOverflow(step)
                if overflow { break }
                index = next
            }
        case (.fields(let names), .object(let members)):
            if isLast {
                var merged: [String: JSON] = [:]
                for name in names { merged[name] = members[name] }
                output.append(.object(merged))
            } else {
                for name in names { if let value = members[name] { output.append(value) } }
            }
        case (.indexes(let indexes), .array(let elements)):
            for index in indexes { if let value = JSONPath.element(of: elements, at: index) { output.append(value) } }
        default:
            break
        }
    }

    /// Deep scan: walks `start` and its descendants (pre-order, object members in key order) and applies
    /// `target` to each node it fits, as Jayway does: a name to objects that have it (all the names, for a
    /// merging union), a filter to the objects and arrays it accepts, anything else to every node.
    private func scan(
        _ start: JSON,
        for target: JSONPath.Segment,
        rootValues: inout [JSON?]?,
        budget: inout SelectionBudget,
        into output: inout [JSON]
    ) throws(SelectionOverflow) {
        let inner = PathStep(segment: target, isLast: isLast, root: root)
        var pending = [start]
        while let node = pending.popLast() {
            try budget.spend()
            switch node {
            case .array(let elements):
                if try fits(target, node, rootValues: &rootValues, budget: &budget) {
                    try inner.apply(to: node, rootValues: &rootValues, budget: &budget, into: &output)
                }
                pending.append(contentsOf: elements.reversed())
            case .object(let members):
                if try fits(target, node, rootValues: &rootValues, budget: &budget) {
                    if case .filter = target {
                        output.append(node)
                        try budget.spend()
                    } else {
                        try inner.apply(to: node, rootValues: &rootValues, budget: &budget, into: &output)
                    }
                }
                for key in members.keys.sorted(by: >) { pending.append(members[key]!) }
            default:
                break
            }
        }
    }

    /// Whether the deep scan applies `target` to `node` (an object or an array).
    private func fits(
        _ target: JSONPath.Segment,
        _ node: JSON,
        rootValues: inout [JSON?]?,
        budget: inout SelectionBudget
    ) throws(SelectionOverflow) -> Bool {
        switch (target, node) {
        case (.field(let name), .object(let members)):
            return members[name] != nil
        case (.fields(let names), .object(let members)):
            return !isLast || names.allSatisfy { members[$0] != nil }
        case (.field, _), (.fields, _):
            return false
        case (.filter(let filter), _):
            let values = try Self.rootValues(of: filter, root: root, cache: &rootValues, budget: &budget)
            return try filter.matches(node, root: root, rootValues: values, budget: &budget)
        default:
            return true
        }
    }

    private static func rootValues(
        of filter: JSONPathFilter,
        root: JSON,
        cache: inout [JSON?]?,
        budget: inout SelectionBudget
    ) throws(SelectionOverflow) -> [JSON?] {
        if let cache { return cache }
        let values = try filter.rootValues(root: root, budget: &budget)
        cache = values
        return values
    }
}

/// Reads a JSONPath, or the path of a filter operand, from Unicode scalars.
struct JSONPathParser {
    /// The deepest nesting of filters, parentheses, negations and array literals a path may have.
    static let maximumNesting = 64

    let chars: [Unicode.Scalar]
    var position = 0
    var nesting = 0

    init(_ text: String) { chars = Array(text.unicodeScalars) }

    var current: Unicode.Scalar? { position < chars.count ? chars[position] : nil }

    func peek(_ offset: Int) -> Unicode.Scalar? { position + offset < chars.count ? chars[position + offset] : nil }

    /// An error whose message ends with the position (of `index`, or the current one).
    func error(_ message: String, at index: Int? = nil) -> PathSyntaxError {
        PathSyntaxError("\(message) at position \(index ?? position)")
    }

    mutating func skipSpaces() {
        while let char = current, char == " " || char == "\t" || char == "\n" || char == "\r" { position += 1 }
    }

    /// Counts one more level of nesting; throws past ``maximumNesting``.
    mutating func enterNesting() throws(PathSyntaxError) {
        nesting += 1
        if nesting > Self.maximumNesting { throw error("the path nests more than \(Self.maximumNesting) levels deep") }
    }

    /// The characters that end a dot-notation name inside a filter expression.
    private static let filterNameTerminators: Set<Unicode.Scalar> = [
        " ", "\t", "\n", "\r", ")", "(", "]", ",", "=", "!", "<", ">", "&", "|", "~", "'", "\"",
    ]

    /// Reads segments up to the end of the text; in a filter, up to the first character that cannot continue the path.
    mutating func parseSegments(inFilter: Bool) throws(PathSyntaxError) -> [JSONPath.Segment] {
        var segments: [JSONPath.Segment] = []
        while let char = current {
            switch char {
            case ".":
                position += 1
                if current == "." {
                    position += 1
                    segments.append(.descendants(try parseScanTarget(inFilter: inFilter)))
                } else {
                    guard let next = current else { throw PathSyntaxError("path ends with '.'") }
                    if next == "*" {
                        position += 1
                        segments.append(.wildcard)
                    } else {
                        segments.append(.field(try parseName(inFilter: inFilter)))
                    }
                }
            case "[":
                segments.append(try parseBracket())
            case "(" where inFilter:
                throw error("path functions such as 'length()' are not supported")
            default:
                if inFilter { return segments }
                throw error("unexpected '\(char)'")
            }
        }
        return segments
    }

    /// The segment after `..`.
    private mutating func parseScanTarget(inFilter: Bool) throws(PathSyntaxError) -> JSONPath.Segment {
        guard let char = current else { throw PathSyntaxError("path ends with '..'") }
        switch char {
        case "*":
            position += 1
            return .wildcard
        case "[":
            return try parseBracket()
        case ".":
            throw error("unexpected '.' after '..'")
        default:
            return .field(try parseName(inFilter: inFilter))
        }
    }

    /// A dot-notation name: up to `.` or `[` (and, in a filter, up to a space, an operator or a bracket).
    private mutating func parseName(inFilter: Bool) throws(PathSyntaxError) -> String {
        let start = position
        var name = ""
        while let char = current, char != ".", char != "[" {
            if inFilter {
                if Self.filterNameTerminators.contains(char) { break }
            } else if char == "]" || char == " " {
                throw error("unexpected '\(char)' in field name")
            }
            name.unicodeScalars.append(char)
            position += 1
        }
        guard !name.isEmpty else { throw error("empty field name", at: start) }
        return name
    }

    /// A quoted string (the current character is its quote); a backslash takes the next character literally.
    mutating func parseQuoted(unterminated: String) throws(PathSyntaxError) -> String {
        let start = position
        let quote = chars[position]
        position += 1
        var text = ""
        while let char = current, char != quote {
            if char == "\\", position + 1 < chars.count { position += 1 }
            text.unicodeScalars.append(chars[position])
            position += 1
        }
        guard current == quote else { throw error(unterminated, at: start) }
        position += 1
        return text
    }

    /// A bracket segment (the current character is its `[`).
    private mutating func parseBracket() throws(PathSyntaxError) -> JSONPath.Segment {
        let open = position
        position += 1
        skipSpaces()
        guard let char = current else { throw error("unterminated '['", at: open) }
        let segment: JSONPath.Segment
        let expected: String
        switch char {
        case "*":
            position += 1
            segment = .wildcard
            expected = "expected ']' after '*'"
        case "'", "\"":
            var names = [try parseQuoted(unterminated: "unterminated quoted field name")]
            skipSpaces()
            while current == "," {
                position += 1
                skipSpaces()
                guard current == "'" || current == "\"" else { throw error("expected a quoted field name after ','") }
                names.append(try parseQuoted(unterminated: "unterminated quoted field name"))
                skipSpaces()
            }
            segment = names.count == 1 ? .field(names[0]) : .fields(names)
            expected = "expected ',' or ']' after a quoted field name"
        case "?":
            position += 1
            skipSpaces()
            guard current == "(" else { throw error("expected '(' after '?'") }
            position += 1
            segment = .filter(try parseFilter())
            expected = "expected ']' after the filter expression"
        case "(":
            throw error("script expressions '[(...)]' are not supported")
        case "]":
            throw error("empty brackets", at: open)
        default:
            return try parseNumericBracket(open: open)
        }
        skipSpaces()
        guard current == "]" else { throw current == nil ? error("unterminated '['", at: open) : error(expected) }
        position += 1
        return segment
    }

    /// An index, a union of indexes or a slice, up to and including the `]`.
    private mutating func parseNumericBracket(open: Int) throws(PathSyntaxError) -> JSONPath.Segment {
        var items: [(text: String, start: Int)] = [("", position)]
        var separator: Unicode.Scalar?
        while let char = current, char != "]" {
            if char == "," || char == ":" {
                if let separator, separator != char { throw error("a bracket cannot mix ',' and ':'") }
                separator = char
                items.append(("", position + 1))
            } else {
                items[items.count - 1].text.unicodeScalars.append(char)
            }
            position += 1
        }
        guard current == "]" else { throw error("unterminated '['", at: open) }
        position += 1
        if separator == ":" {
            guard items.count <= 3 else { throw error("a slice has at most three parts", at: items[3].start - 1) }
            func bound(_ item: (text: String, start: Int), _ what: String) throws(PathSyntaxError) -> Int? {
                let trimmed = item.text.trimmingSpaces
                if trimmed.isEmpty { return nil }
                guard let value = Int(trimmed) else { throw error("invalid slice \(what) '\(trimmed)'", at: item.start) }
                return value
            }
            let start = try bound(items[0], "bound")
            let end = try bound(items[1], "bound")
            var step = 1
            if items.count == 3, let value = try bound(items[2], "step") { step = value }
            if step == 0 { throw error("slice step cannot be 0", at: items[2].start) }
            if step < 0 { throw error("negative slice steps are not supported", at: items[2].start) }
            return .slice(start, end, step: step)
        }
        var indexes: [Int] = []
        for item in items {
            let trimmed = item.text.trimmingSpaces
            guard let index = Int(trimmed) else {
                throw error(trimmed.isEmpty ? "missing array index" : "invalid array index '\(trimmed)'", at: item.start)
            }
            indexes.append(index)
        }
        return indexes.count == 1 ? .index(indexes[0]) : .indexes(indexes)
    }
}

/// Why a path is not valid.
struct PathSyntaxError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        var result = self[...]
        while result.first == " " || result.first == "\t" { result = result.dropFirst() }
        while result.last == " " || result.last == "\t" { result = result.dropLast() }
        return result
    }
}
