import InfraJSON

/// A value during evaluation: JSON, plus functions and regular expressions. `nil` (`Value?`) is
/// JSONata's *undefined* (no value), which is not JSON `null`.
enum Value {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array(Sequence)
    case object(Object)
    case function(Function)
    case regex(RegexValue)

    /// An array, with the flags JSONata keeps on result sequences.
    struct Sequence {
        var items: [Value]
        /// A sequence built by path evaluation (flattened, unwrapped when it has one item) rather than an array value.
        var isSequence = false
        /// `[]` after a step: keep a one-item result as an array.
        var keepSingleton = false
        /// Built by an array constructor: not flattened by the path step that produced it.
        var isConstructed = false
        /// The top-level input array, wrapped once so that paths map over its items.
        var isOuterWrapper = false

        init(_ items: [Value] = [], isSequence: Bool = false) {
            self.items = items
            self.isSequence = isSequence
        }
    }

    /// A JSON object that keeps its keys in insertion order, as JavaScript objects do.
    struct Object {
        private(set) var keys: [String] = []
        private(set) var members: [String: Value] = [:]

        subscript(key: String) -> Value? {
            get { members[key] }
            set {
                if let newValue {
                    if members.updateValue(newValue, forKey: key) == nil { keys.append(key) }
                } else if members.removeValue(forKey: key) != nil {
                    keys.removeAll { $0 == key }
                }
            }
        }

        var count: Int { keys.count }

        /// The members in key order.
        var pairs: [(key: String, value: Value)] { keys.map { ($0, members[$0]!) } }
    }

    /// A compiled regular expression literal `/pattern/flags`.
    struct RegexValue {
        var pattern: String
        var flags: String
    }

    static func sequence(_ items: [Value] = []) -> Value { .array(Sequence(items, isSequence: true)) }

    var isArray: Bool {
        if case .array = self { return true }
        return false
    }

    var isFunction: Bool {
        switch self {
        case .function, .regex: true
        default: false
        }
    }

    var arrayItems: [Value]? {
        if case .array(let sequence) = self { return sequence.items }
        return nil
    }

    /// The JSON type name `$type` reports.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        case .function, .regex: "function"
        }
    }
}

extension Value {
    /// Converts JSON into a value; object keys are taken in sorted order (JSON objects are unordered).
    init(_ json: JSON) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value): self = .number(value)
        case .string(let value): self = .string(value)
        case .array(let elements): self = .array(Sequence(elements.map(Value.init)))
        case .object(let members):
            var object = Object()
            for key in members.keys.sorted() { object[key] = Value(members[key]!) }
            self = .object(object)
        }
    }

    /// The value as JSON: functions become `""` as JSON.stringify leaves them out of arrays; `nil` for
    /// a function at the top.
    var json: JSON? {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let value): return .number(value)
        case .string(let value): return .string(value)
        case .array(let sequence): return .array(sequence.items.map { $0.json ?? .null })
        case .object(let object):
            var members: [String: JSON] = [:]
            for (key, value) in object.pairs {
                if let json = value.json { members[key] = json }
            }
            return .object(members)
        case .function, .regex: return nil
        }
    }
}

/// A callable value: a lambda with its closure, a built-in or caller-supplied function, or a partial application.
final class Function {
    enum Body {
        case lambda(parameters: [String], body: Node, environment: Frame, input: Value?)
        case native(Builtin)
        case partial(Function, arguments: [Value?], holes: [Int])
        /// `f ~> g` of two functions: `g(f(x))`.
        case composition(Value, Value)
        /// `| pattern | update, delete |`: a function that copies its argument and updates the matches.
        case transform(pattern: Node, update: Node, delete: Node?, environment: Frame)
    }

    let body: Body
    let signature: Signature?

    init(_ body: Body, signature: Signature? = nil) {
        self.body = body
        self.signature = signature
    }

    /// How many arguments the function declares (for `$map` and friends, which pass index and array only when asked).
    var arity: Int {
        switch body {
        case .lambda(let parameters, _, _, _): parameters.count
        case .native(let builtin): builtin.arity
        case .partial(_, _, let holes): holes.count
        case .composition, .transform: 1
        }
    }
}

/// A scope of variable bindings; lambdas keep the frame they were defined in.
final class Frame {
    private var bindings: [String: Value] = [:]
    let parent: Frame?

    init(parent: Frame?) { self.parent = parent }

    func bind(_ name: String, _ value: Value?) { bindings[name] = value }

    /// Drops every binding, breaking the cycles a lambda stored in the frame it closes over makes.
    func clear() { bindings.removeAll() }

    func lookup(_ name: String) -> Value? {
        var frame: Frame? = self
        while let current = frame {
            if let value = current.bindings[name] { return value }
            frame = current.parent
        }
        return nil
    }
}
