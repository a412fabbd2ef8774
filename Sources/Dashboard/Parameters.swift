import Hummingbird

/// A query parameter the client sent that the page does not accept: answered 400 with the
/// parameter's name and what it may be, never with the value itself.
struct InvalidParameter: Error, CustomStringConvertible {
    let name: String
    let expected: String
    var description: String { "?\(name)= must be \(expected)" }

    var httpError: HTTPError { HTTPError(.badRequest, message: description) }
}

/// The validated query parameters of the pages: free text is bounded and free of control
/// characters, choices are checked against their lists, numbers against their ranges.
enum Parameters {
    /// The longest free-text parameter (a host name is at most 253 characters).
    static let maximumTextLength = 256

    /// Free text such as a host filter: nil when absent or empty.
    static func text(_ value: String?, name: String) throws(InvalidParameter) -> String? {
        guard let value, !value.isEmpty else { return nil }
        guard value.count <= maximumTextLength, !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw InvalidParameter(name: name, expected: "at most \(maximumTextLength) characters without control characters")
        }
        return value
    }

    /// One of `choices`, or `fallback` when absent.
    static func choice(_ value: String?, name: String, in choices: [String], fallback: String) throws(InvalidParameter) -> String {
        guard let value, !value.isEmpty else { return fallback }
        guard choices.contains(value) else { throw InvalidParameter(name: name, expected: "one of " + choices.joined(separator: ", ")) }
        return value
    }

    /// A whole number in `range`, or `fallback` when absent.
    static func integer(_ value: String?, name: String, in range: ClosedRange<Int>, fallback: Int) throws(InvalidParameter) -> Int {
        guard let value, !value.isEmpty else { return fallback }
        guard value.count <= 9, value.allSatisfy(\.isASCII), let number = Int(value), range.contains(number) else {
            throw InvalidParameter(name: name, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A label matcher `name=value` (the value may be empty, as in Prometheus): nil when absent.
    static func label(_ value: String?, name: String) throws(InvalidParameter) -> LabelMatcher? {
        guard let raw = try text(value, name: name) else { return nil }
        guard let equals = raw.firstIndex(of: "=") else {
            throw InvalidParameter(name: name, expected: "name=value with a label name of [a-zA-Z_][a-zA-Z0-9_]*")
        }
        let label = String(raw[..<equals])
        let scalars = Array(label.unicodeScalars)
        let valid = !scalars.isEmpty && !scalars[0].isASCIIDigit && scalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
        guard valid else { throw InvalidParameter(name: name, expected: "name=value with a label name of [a-zA-Z_][a-zA-Z0-9_]*") }
        return LabelMatcher(name: label, value: String(raw[raw.index(after: equals)...]))
    }
}

/// `name=value`: a series matches when its label `name` (or its host, for `host`) equals `value`.
struct LabelMatcher: Sendable, Hashable {
    let name: String
    let value: String

    var text: String { name + "=" + value }

    func matches(host: String, labels: [String: String]) -> Bool {
        if name == "host" { return host == value }
        return (labels[name] ?? "") == value
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) }
    fileprivate var isASCIIDigit: Bool { (0x30...0x39).contains(value) }
}

/// One page of a list: which rows it shows and the links to its neighbours.
struct Paging: Sendable {
    /// The page sizes offered.
    static let sizes = [25, 50, 100, 200]

    let page: Int
    let size: Int
    let total: Int

    var pageCount: Int { max(1, (total + size - 1) / size) }
    /// The rows of this page (the last page when `page` is beyond it).
    var range: Range<Int> {
        let start = min((min(page, pageCount) - 1) * size, total)
        return start..<min(start + size, total)
    }

    /// `Rows 1–50 of 1000 · ‹ previous · next ›`, the links built by `href(page)` (already escaped for an attribute).
    func navigation(href: (Int) -> String) -> String {
        let shown = min(page, pageCount)
        var out = "<div class=\"pager\"><span class=\"muted\">"
        out += total == 0 ? "No rows" : "Rows \(range.lowerBound + 1)–\(range.upperBound) of \(total) · page \(shown) of \(pageCount)"
        out += "</span>"
        if shown > 1 { out += " <a rel=\"prev\" href=\"\(href(shown - 1))\">‹ previous</a>" }
        if shown < pageCount { out += " <a rel=\"next\" href=\"\(href(shown + 1))\">next ›</a>" }
        return out + "</div>"
    }
}
