/// An XML element as the AWS XML protocols use it: a name, attributes, child elements and text.
/// Namespaces are kept in the name's prefix and ignored by lookups.
public struct XMLNode: Sendable, Hashable {
    /// The element name without namespace prefix, e.g. `Contents`.
    public var name: String
    /// The attributes by name.
    public var attributes: [String: String]
    /// The child elements, in document order.
    public var children: [XMLNode]
    /// The element's own text (entities decoded), concatenated.
    public var text: String

    /// An element from its parts.
    public init(name: String, attributes: [String: String] = [:], children: [XMLNode] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child named `name`.
    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// Every child named `name`.
    public func children(named name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// The element at the end of `path` (child names), starting from this element.
    public func descendant(_ path: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in path { node = node?.child(name) }
        return node
    }

    /// The text of the element at the end of `path`.
    public func string(_ path: String...) -> String? {
        var node: XMLNode? = self
        for name in path { node = node?.child(name) }
        return node?.text
    }

    /// The first element named `name` anywhere below (depth first), this element included.
    public func find(_ name: String) -> XMLNode? {
        if self.name == name { return self }
        for child in children {
            if let found = child.find(name) { return found }
        }
        return nil
    }

    /// Parses an XML document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws(XMLParseError) -> XMLNode {
        var reader = XMLReader(bytes: bytes)
        return try reader.document()
    }

    /// Parses XML text.
    public static func parse(_ text: String) throws(XMLParseError) -> XMLNode {
        try parse(Array(text.utf8))
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for element text and attribute values, per Unicode
    /// scalar (a quote followed by a combining mark is one `Character`, but still a quote byte).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Malformed XML, with the byte offset where reading stopped.
public struct XMLParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public var message: String
    /// The byte offset.
    public var offset: Int
    public var description: String { "malformed XML at byte \(offset): \(message)" }
}

/// A minimal XML reader: elements, attributes, text, CDATA, comments, the declaration and the
/// five predefined entities plus numeric character references. No DTDs.
private struct XMLReader {
    /// Elements nested deeper than this are refused: AWS responses nest a handful of levels, and
    /// the reader recurses once per level, so an unbounded document would exhaust the stack.
    static let maximumDepth = 256

    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(XMLParseError) -> XMLNode {
        skipMisc()
        guard peek("<") else { throw fail("expected a root element") }
        return try element()
    }

    private func fail(_ message: String) -> XMLParseError { XMLParseError(message: message, offset: index) }

    private func peek(_ text: String) -> Bool {
        let pattern = Array(text.utf8)
        guard index + pattern.count <= bytes.count else { return false }
        return Array(bytes[index..<index + pattern.count]) == pattern
    }

    private mutating func skip(until text: String) throws(XMLParseError) {
        while index < bytes.count && !peek(text) { index += 1 }
        guard index < bytes.count else { throw fail("unterminated \(text)") }
        index += text.utf8.count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func skipMisc() {
        while true {
            skipWhitespace()
            if peek("<?") {
                try? skip(until: "?>")
            } else if peek("<!--") {
                try? skip(until: "-->")
            } else if peek("<!") {
                try? skip(until: ">")
            } else {
                return
            }
        }
    }

    private mutating func name() throws(XMLParseError) -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: "=")].contains(byte) { break }
            index += 1
        }
        guard index > start else { throw fail("expected a name") }
        let full = String(decoding: bytes[start..<index], as: UTF8.self)
        if let colon = full.lastIndex(of: ":") { return String(full[full.index(after: colon)...]) }
        return full
    }

    private mutating func element() throws(XMLParseError) -> XMLNode {
        guard depth < Self.maximumDepth else { throw fail("elements nested deeper than \(Self.maximumDepth) levels") }
        depth += 1
        defer { depth -= 1 }
        index += 1
        var node = XMLNode(name: try name())
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated start tag <\(node.name)>") }
            if peek("/>") {
                index += 2
                return node
            }
            if peek(">") {
                index += 1
                break
            }
            let attribute = try name()
            skipWhitespace()
            guard peek("=") else { throw fail("expected = after attribute \(attribute)") }
            index += 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw fail("expected a quoted value for attribute \(attribute)")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count && bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw fail("unterminated attribute \(attribute)") }
            node.attributes[attribute] = Self.decodeEntities(bytes[start..<index])
            index += 1
        }
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("element <\(node.name)> is not closed") }
            if peek("</") {
                index += 2
                let closing = try name()
                guard closing == node.name else { throw fail("</\(closing)> closes <\(node.name)>") }
                skipWhitespace()
                guard peek(">") else { throw fail("expected > after </\(closing)") }
                index += 1
                node.text = Self.decodeEntities(text[...])
                return node
            } else if peek("<![CDATA[") {
                index += 9
                let start = index
                try skip(until: "]]>")
                let cdata = bytes[start..<index - 3]
                for byte in cdata {
                    if byte == UInt8(ascii: "&") {
                        text.append(contentsOf: Array("&amp;".utf8))
                    } else if byte == UInt8(ascii: "<") {
                        text.append(contentsOf: Array("&lt;".utf8))
                    } else {
                        text.append(byte)
                    }
                }
            } else if peek("<!--") {
                try skip(until: "-->")
            } else if peek("<?") {
                try skip(until: "?>")
            } else if peek("<") {
                node.children.append(try element())
            } else {
                text.append(bytes[index])
                index += 1
            }
        }
    }

    /// Decodes the predefined entities and numeric character references of `raw`, working on
    /// bytes: a `;` followed by a combining mark is one `Character`, so a search by Character
    /// would miss it (found by Fuzz/FuzzAWSError). An unknown or unterminated reference stays as written.
    private static func decodeEntities(_ raw: ArraySlice<UInt8>) -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "&"), let semicolon = raw[index...].firstIndex(of: UInt8(ascii: ";")) else {
                out.append(byte)
                index += 1
                continue
            }
            let entity = String(decoding: raw[(index + 1)..<semicolon], as: UTF8.self)
            var scalar: Unicode.Scalar?
            switch entity {
            case "amp": scalar = "&"
            case "lt": scalar = "<"
            case "gt": scalar = ">"
            case "quot": scalar = "\""
            case "apos": scalar = "'"
            default:
                if entity.hasPrefix("#x"), let code = UInt32(entity.dropFirst(2), radix: 16) {
                    scalar = Unicode.Scalar(code)
                } else if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()) {
                    scalar = Unicode.Scalar(code)
                }
            }
            if let scalar {
                out.append(contentsOf: String(Character(scalar)).utf8)
                index = semicolon + 1
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
