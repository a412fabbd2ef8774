import InfraJSON

/// A JSONPath as the States Language uses it: `$` (the input) or `$$` (the context object) followed by
/// `.field`, `['field']`, `[index]` (negative counts from the end), and — in read-only paths — `[*]`, `.*`
/// and slices `[start:end]`. Filters and `..` are not supported.
struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    enum Root: Sendable, Hashable {
        case input
        case context
    }

    enum Segment: Sendable, Hashable {
        case field(String)
        case index(Int)
        case wildcard
        case slice(Int?, Int?)
    }

    var root: Root
    var segments: [Segment]
    var text: String

    var description: String { text }

    /// Whether this is a Reference Path: it selects at most one node (no wildcards or slices).
    var isReference: Bool {
        segments.allSatisfy {
            switch $0 {
            case .field, .index: true
            case .wildcard, .slice: false
            }
        }
    }

    static let identity = JSONPath(root: .input, segments: [], text: "$")

    /// Parses a path; the error message says what is wrong.
    static func parse(_ text: String) throws(PathSyntaxError) -> JSONPath {
        let chars = Array(text.unicodeScalars)
        guard chars.first == "$" else { throw PathSyntaxError("path must start with '$'") }
        var i = 1
        var root = Root.input
        if i < chars.count, chars[i] == "$" {
            root = .context
            i += 1
        }
        var segments: [Segment] = []
        while i < chars.count {
            switch chars[i] {
            case ".":
                i += 1
                guard i < chars.count else { throw PathSyntaxError("path ends with '.'") }
                if chars[i] == "." { throw PathSyntaxError("deep scan '..' is not supported") }
                if chars[i] == "*" {
                    segments.append(.wildcard)
                    i += 1
                    continue
                }
                var name = ""
                while i < chars.count, chars[i] != ".", chars[i] != "[" {
                    if chars[i] == "]" || chars[i] == " " { throw PathSyntaxError("unexpected '\(chars[i])' in field name") }
                    name.unicodeScalars.append(chars[i])
                    i += 1
                }
                guard !name.isEmpty else { throw PathSyntaxError("empty field name") }
                segments.append(.field(name))
            case "[":
                i += 1
                guard i < chars.count else { throw PathSyntaxError("unterminated '['") }
                if chars[i] == "'" || chars[i] == "\"" {
                    let quote = chars[i]
                    i += 1
                    var name = ""
                    while i < chars.count, chars[i] != quote {
                        if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                        name.unicodeScalars.append(chars[i])
                        i += 1
                    }
                    guard i + 1 < chars.count, chars[i + 1] == "]" else { throw PathSyntaxError("unterminated quoted field name") }
                    i += 2
                    segments.append(.field(name))
                } else if chars[i] == "*" {
                    guard i + 1 < chars.count, chars[i + 1] == "]" else { throw PathSyntaxError("expected ']' after '*'") }
                    i += 2
                    segments.append(.wildcard)
                } else {
                    var body = ""
                    while i < chars.count, chars[i] != "]" {
                        body.unicodeScalars.append(chars[i])
                        i += 1
                    }
                    guard i < chars.count else { throw PathSyntaxError("unterminated '['") }
                    i += 1
                    segments.append(try parseBracket(body))
                }
            default:
                throw PathSyntaxError("unexpected '\(chars[i])' at position \(i)")
            }
        }
        return JSONPath(root: root, segments: segments, text: text)
    }

    private static func parseBracket(_ body: String) throws(PathSyntaxError) -> Segment {
        if body.hasPrefix("?") || body.hasPrefix("(") { throw PathSyntaxError("filter expressions are not supported") }
        if body.contains(":") {
            let parts = body.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw PathSyntaxError("slice steps are not supported") }
            func bound(_ part: Substring) throws(PathSyntaxError) -> Int? {
                let trimmed = part.trimmingSpaces
                if trimmed.isEmpty { return nil }
                guard let value = Int(trimmed) else { throw PathSyntaxError("invalid slice bound '\(trimmed)'") }
                return value
            }
            return .slice(try bound(parts[0]), try bound(parts[1]))
        }
        guard let index = Int(body.trimmingSpaces) else { throw PathSyntaxError("invalid array index '\(body)'") }
        return .index(index)
    }

    /// Selects from `input` (or `context` for `$$` paths). A reference path yields the one node or `nil`;
    /// a path with wildcards or slices yields an array of the matches.
    func select(input: JSON, context: JSON) -> JSON? {
        var nodes = [root == .input ? input : context]
        for segment in segments {
            var next: [JSON] = []
            for node in nodes {
                switch (segment, node) {
                case (.field(let name), .object(let members)):
                    if let value = members[name] { next.append(value) }
                case (.index(let index), .array(let elements)):
                    let resolved = index < 0 ? elements.count + index : index
                    if elements.indices.contains(resolved) { next.append(elements[resolved]) }
                case (.wildcard, .array(let elements)):
                    next.append(contentsOf: elements)
                case (.wildcard, .object(let members)):
                    next.append(contentsOf: members.keys.sorted().map { members[$0]! })
                case (.slice(let start, let end), .array(let elements)):
                    let count = elements.count
                    func clamp(_ value: Int?, _ fallback: Int) -> Int {
                        guard let value else { return fallback }
                        return min(max(value < 0 ? count + value : value, 0), count)
                    }
                    let lower = clamp(start, 0)
                    let upper = clamp(end, count)
                    if lower < upper { next.append(contentsOf: elements[lower..<upper]) }
                default:
                    break
                }
            }
            nodes = next
        }
        if isReference { return nodes.first }
        return .array(nodes)
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

/// Why a path is not valid.
struct PathSyntaxError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring { self[...].trimmingSpaces }
}
