public import InfraJSON
public import Yams

/// YAML as JSON values: what the config's free-form sections (`alarms:`) and alarm files become.
public enum YAMLJSON {
    /// A YAML construct that has no JSON value here.
    public struct Unsupported: Error, Sendable, CustomStringConvertible {
        public var reason: String
        /// The 1-based line of the node, when known.
        public var line: Int?

        public var description: String { (line.map { "line \($0): " } ?? "") + reason }
    }

    /// A node as JSON: plain scalars by their resolved type (null, bool, int, float, else string),
    /// quoted ones as strings, sequences as arrays, mappings with string keys as objects.
    /// - Throws: ``Unsupported`` for aliases and keys that are not strings.
    public static func value(of node: Node) throws -> JSON {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            if node.null != nil { return .null }
            if let bool = node.bool { return .bool(bool) }
            if let int = node.int { return .number(Double(int)) }
            if let float = node.float { return .number(float) }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(try sequence.map { try value(of: $0) })
        case .mapping(let mapping):
            var members: [String: JSON] = [:]
            for (key, item) in mapping {
                guard let name = key.string else {
                    throw Unsupported(reason: "every key must be a string", line: key.mark.map { $0.line })
                }
                members[name] = try value(of: item)
            }
            return .object(members)
        case .alias:
            throw Unsupported(reason: "YAML aliases are not supported here", line: node.mark.map { $0.line })
        }
    }
}
