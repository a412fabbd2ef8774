/// A parsed JSONata expression, processed as the reference implementation's `processAST` does:
/// `a.b[0]` is a path of steps with their predicates (stages), `[]` and `{…}` grouping on paths.
indirect enum Node: Sendable {
    case string(String)
    case number(Double)
    case literal(Literal)
    case regex(pattern: String, flags: String)
    /// A field name (a path step).
    case name(String)
    /// `$name`; `""` is the context `$`, `"$"` the root `$$`.
    case variable(String)
    case wildcard
    case descendants
    case path(PathNode)
    case binary(String, Node, Node, position: Int)
    case negate(Node, position: Int)
    /// `[…]`: the items, each flagged when it is itself an array constructor (kept, not flattened).
    case array([(node: Node, nested: Bool)], constructed: Bool)
    case range(Node, Node, position: Int)
    case object([(key: Node, value: Node)], position: Int)
    case condition(Node, Node, Node?)
    case block([Node])
    case bind(String, Node)
    case call(Node, [Node], position: Int)
    case partial(Node, [Node?], position: Int)
    case lambda(parameters: [String], body: Node, signature: Signature?)
    case apply(Node, Node, position: Int)
    case transform(pattern: Node, update: Node, delete: Node?)
    case sort([(term: Node, descending: Bool)], position: Int)
    /// A non-path expression with predicates, grouping or `[]`.
    case filtered(Node, predicates: [Node], group: [(key: Node, value: Node)]?, keepArray: Bool)
    case placeholder
    case unsupported(String, position: Int)
}

/// A path: its steps, whether to keep singleton arrays, and its trailing `{…}` grouping.
struct PathNode: Sendable {
    var steps: [StepNode]
    var keepSingleton = false
    var group: [(key: Node, value: Node)]?
    var groupPosition = 0
}

/// One step of a path and the predicates applied to each of its results.
struct StepNode: Sendable {
    var node: Node
    var stages: [Node] = []
    var keepArray = false
}

/// A Pratt parser following the binding powers of the JSONata reference parser.
struct Parser {
    private var lexer: Lexer
    private var token: Token
    private var depth = 0
    /// How deeply expressions may nest before the parser gives up (protects the stack).
    static let maximumDepth = 120

    private static let bindingPowers: [String: Int] = [
        ".": 75, "[": 80, "]": 0, "{": 70, "}": 0, "(": 80, ")": 0, ",": 0, "@": 80, "#": 80, ";": 0, ":": 0, "?": 20, "+": 50, "-": 50,
        "*": 60, "/": 60, "%": 60, "|": 0, "=": 40, "<": 40, ">": 40, "^": 40, "**": 60, "..": 20, ":=": 10, "!=": 40, "<=": 40,
        ">=": 40, "~>": 40, "?:": 40, "??": 40, "and": 30, "or": 25, "in": 40, "&": 50, "!": 0, "~": 0,
    ]

    init(_ text: String) throws(JSONataError) {
        lexer = Lexer(text)
        token = try lexer.next(prefix: true)
    }

    /// Parses a whole expression.
    static func parse(_ text: String) throws(JSONataError) -> Node {
        var parser = try Parser(text)
        let node = try parser.expression(0)
        guard case .end = parser.token.kind else {
            throw JSONataError.syntax(code: "S0201", position: parser.token.position, message: "Syntax error: unexpected token")
        }
        return node
    }

    private func error(_ code: String, _ message: String) -> JSONataError {
        .syntax(code: code, position: token.position, message: message)
    }

    private var currentOperator: String? {
        if case .op(let op) = token.kind { return op }
        return nil
    }

    private mutating func advance(prefix: Bool = false) throws(JSONataError) {
        token = try lexer.next(prefix: prefix)
    }

    private mutating func expect(_ op: String, prefix: Bool = false) throws(JSONataError) {
        guard currentOperator == op else {
            if case .end = token.kind { throw error("S0203", "Expected \"\(op)\" before end of expression") }
            throw error("S0202", "Expected \"\(op)\", got another token")
        }
        try advance(prefix: prefix)
    }

    private var leftBindingPower: Int {
        switch token.kind {
        case .op(let op): Self.bindingPowers[op] ?? 0
        default: 0
        }
    }

    mutating func expression(_ rightBindingPower: Int) throws(JSONataError) -> Node {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw error("U1001", "The expression nests too deeply") }
        let first = token
        try advance()
        var left = try nud(first)
        while rightBindingPower < leftBindingPower {
            let operatorToken = token
            try advance(prefix: true)
            left = try led(operatorToken, left)
        }
        return left
    }

    // MARK: - Prefix positions

    private mutating func nud(_ first: Token) throws(JSONataError) -> Node {
        switch first.kind {
        case .end:
            throw JSONataError.syntax(code: "S0207", position: first.position, message: "Unexpected end of expression")
        case .string(let text): return .string(text)
        case .number(let value): return .number(value)
        case .value(let literal): return .literal(literal)
        case .regex(let pattern, let flags): return .regex(pattern: pattern, flags: flags)
        case .variable(let name): return .variable(name)
        case .name(let name): return .path(PathNode(steps: [StepNode(node: .name(name))]))
        case .op(let op):
            switch op {
            case "and", "or", "in": return .path(PathNode(steps: [StepNode(node: .name(op))]))
            case "-":
                let operand = try expression(70)
                if case .number(let value) = operand { return .number(-value) }
                return .negate(operand, position: first.position)
            case "*": return .wildcard
            case "**": return .descendants
            case "%": return .unsupported("the parent operator %", position: first.position)
            case "?": return .placeholder
            case "(":
                var expressions: [Node] = []
                while currentOperator != ")" {
                    expressions.append(try expression(0))
                    if currentOperator != ";" { break }
                    try advance(prefix: true)
                }
                try expect(")")
                return .block(expressions)
            case "[":
                var items: [(node: Node, nested: Bool)] = []
                if currentOperator != "]" {
                    while true {
                        var item = try expression(0)
                        if currentOperator == ".." {
                            let position = token.position
                            try advance(prefix: true)
                            item = .range(item, try expression(0), position: position)
                        }
                        var nested = false
                        if case .array = item { nested = true }
                        items.append((item, nested))
                        if currentOperator != "," { break }
                        try advance(prefix: true)
                    }
                }
                try expect("]")
                return .array(items, constructed: false)
            case "{":
                return .object(try objectPairs(), position: first.position)
            case "|":
                let pattern = try expression(0)
                try expect("|", prefix: true)
                let update = try expression(0)
                var delete: Node?
                if currentOperator == "," {
                    try advance(prefix: true)
                    delete = try expression(0)
                }
                try expect("|")
                return .transform(pattern: pattern, update: update, delete: delete)
            default:
                throw JSONataError.syntax(code: "S0211", position: first.position, message: "The symbol \(op) cannot be used as a unary operator")
            }
        }
    }

    private mutating func objectPairs() throws(JSONataError) -> [(key: Node, value: Node)] {
        var pairs: [(key: Node, value: Node)] = []
        if currentOperator != "}" {
            while true {
                let key = try expression(0)
                try expect(":", prefix: true)
                let value = try expression(0)
                pairs.append((key, value))
                if currentOperator != "," { break }
                try advance(prefix: true)
            }
        }
        try expect("}")
        return pairs
    }

    // MARK: - Infix positions

    private mutating func led(_ operatorToken: Token, _ left: Node) throws(JSONataError) -> Node {
        guard case .op(let op) = operatorToken.kind else { throw error("S0201", "Syntax error") }
        let power = Self.bindingPowers[op] ?? 0
        let position = operatorToken.position
        switch op {
        case ".":
            return try Self.makePath(left, try expression(power), position: position)
        case "+", "-", "*", "/", "%", "=", "<", ">", "!=", "<=", ">=", "&", "and", "or", "in", "..":
            return .binary(op, left, try expression(power), position: position)
        case "~>":
            return .apply(left, try expression(power), position: position)
        case "?:":
            return .condition(left, left, try expression(0))
        case "??":
            let exists = Node.call(.variable("exists"), [left], position: position)
            return .condition(exists, left, try expression(0))
        case ":=":
            guard case .variable(let name) = left else {
                throw JSONataError.syntax(code: "S0212", position: position, message: "The left side of := must be a variable name (start with $)")
            }
            return .bind(name, try expression(power - 1))
        case "?":
            let then = try expression(0)
            var otherwise: Node?
            if currentOperator == ":" {
                try advance(prefix: true)
                otherwise = try expression(0)
            }
            return .condition(left, then, otherwise)
        case "(":
            return try call(left, position: position)
        case "[":
            if currentOperator == "]" {
                try advance()
                return Self.keepArray(left)
            }
            let predicate = try expression(0)
            try expect("]")
            return Self.addPredicate(left, predicate)
        case "{":
            let pairs = try objectPairs()
            return try Self.addGroup(left, pairs, position: position)
        case "^":
            try expect("(", prefix: true)
            var terms: [(term: Node, descending: Bool)] = []
            while true {
                var descending = false
                if currentOperator == "<" {
                    try advance(prefix: true)
                } else if currentOperator == ">" {
                    descending = true
                    try advance(prefix: true)
                }
                terms.append((try expression(0), descending))
                if currentOperator != "," { break }
                try advance(prefix: true)
            }
            try expect(")")
            var path: PathNode
            if case .path(let existing) = left { path = existing } else { path = PathNode(steps: [StepNode(node: left)]) }
            path.steps.append(StepNode(node: .sort(terms, position: position)))
            return .path(path)
        case "@", "#":
            _ = try expression(power)
            return .unsupported("the \(op) binding operator", position: position)
        default:
            throw JSONataError.syntax(code: "S0201", position: position, message: "Syntax error: \(op)")
        }
    }

    private mutating func call(_ procedure: Node, position: Int) throws(JSONataError) -> Node {
        var arguments: [Node] = []
        if currentOperator != ")" {
            while true {
                arguments.append(try expression(0))
                if currentOperator != "," { break }
                try advance(prefix: true)
            }
        }
        let isPartial = arguments.contains { if case .placeholder = $0 { true } else { false } }
        try expect(")")
        if case .path(let path) = procedure, path.steps.count == 1, case .name(let keyword) = path.steps[0].node,
            keyword == "function" || keyword == "λ"
        {
            var parameters: [String] = []
            for argument in arguments {
                guard case .variable(let name) = argument else {
                    throw JSONataError.syntax(
                        code: "S0208",
                        position: position,
                        message: "Parameter of function definition must be a variable name (start with $)"
                    )
                }
                parameters.append(name)
            }
            var signature: Signature?
            if currentOperator == "<" {
                var text = "<"
                var nesting = 1
                while nesting > 0 {
                    try advance()
                    switch token.kind {
                    case .op("<"): nesting += 1
                    case .op(">"): nesting -= 1
                    case .end: throw error("S0401", "Unterminated function signature")
                    default: break
                    }
                    text += Self.text(of: token.kind)
                }
                try advance()
                signature = try Signature(text)
            }
            try expect("{", prefix: true)
            let body = try expression(0)
            try expect("}")
            return .lambda(parameters: parameters, body: body, signature: signature)
        }
        return isPartial
            ? .partial(procedure, arguments.map { if case .placeholder = $0 { nil } else { $0 } }, position: position)
            : .call(procedure, arguments, position: position)
    }

    private static func text(of kind: Token.Kind) -> String {
        switch kind {
        case .op(let op): op
        case .name(let name): name
        case .variable(let name): "$" + name
        default: ""
        }
    }

    // MARK: - processAST

    /// `left.right`: one path whose steps are those of both sides.
    static func makePath(_ left: Node, _ right: Node, position: Int) throws(JSONataError) -> Node {
        var path: PathNode
        if case .path(let existing) = left, existing.group == nil {
            path = existing
        } else {
            path = PathNode(steps: [StepNode(node: left)])
        }
        switch right {
        case .path(let rest) where rest.group == nil:
            path.steps.append(contentsOf: rest.steps)
            if rest.keepSingleton { path.keepSingleton = true }
        case .path(var rest):
            let group = rest.group
            let groupPosition = rest.groupPosition
            rest.group = nil
            path.steps.append(contentsOf: rest.steps)
            if rest.keepSingleton { path.keepSingleton = true }
            path.group = group
            path.groupPosition = groupPosition
        case .filtered(let inner, let predicates, nil, let keepArray):
            path.steps.append(StepNode(node: inner, stages: predicates, keepArray: keepArray))
            if keepArray { path.keepSingleton = true }
        case .filtered(let inner, let predicates, let group, let keepArray):
            path.steps.append(StepNode(node: inner, stages: predicates, keepArray: keepArray))
            if keepArray { path.keepSingleton = true }
            path.group = group
            path.groupPosition = position
        case .string(let name):
            path.steps.append(StepNode(node: .name(name)))
        case .number, .literal:
            throw JSONataError.syntax(
                code: "S0213",
                position: position,
                message: "The literal value cannot be used as a step within a path expression"
            )
        default:
            path.steps.append(StepNode(node: right))
        }
        for index in path.steps.indices {
            if case .string(let name) = path.steps[index].node { path.steps[index].node = .name(name) }
        }
        if case .array(let items, _) = path.steps[0].node { path.steps[0].node = .array(items, constructed: true) }
        if let last = path.steps.indices.last, case .array(let items, _) = path.steps[last].node {
            path.steps[last].node = .array(items, constructed: true)
        }
        return .path(path)
    }

    static func addPredicate(_ left: Node, _ predicate: Node) -> Node {
        switch left {
        case .path(var path) where path.group == nil:
            path.steps[path.steps.count - 1].stages.append(predicate)
            return .path(path)
        case .filtered(let inner, let predicates, nil, let keepArray):
            return .filtered(inner, predicates: predicates + [predicate], group: nil, keepArray: keepArray)
        default:
            return .filtered(left, predicates: [predicate], group: nil, keepArray: false)
        }
    }

    static func keepArray(_ left: Node) -> Node {
        switch left {
        case .path(var path):
            path.steps[path.steps.count - 1].keepArray = true
            path.keepSingleton = true
            return .path(path)
        case .filtered(let inner, let predicates, let group, _):
            return .filtered(inner, predicates: predicates, group: group, keepArray: true)
        default:
            return .filtered(left, predicates: [], group: nil, keepArray: true)
        }
    }

    static func addGroup(_ left: Node, _ pairs: [(key: Node, value: Node)], position: Int) throws(JSONataError) -> Node {
        switch left {
        case .path(var path):
            guard path.group == nil else {
                throw JSONataError.syntax(code: "S0210", position: position, message: "Each step can only have one grouping expression")
            }
            path.group = pairs
            path.groupPosition = position
            return .path(path)
        case .filtered(let inner, let predicates, nil, let keepArray):
            return .filtered(inner, predicates: predicates, group: pairs, keepArray: keepArray)
        case .filtered:
            throw JSONataError.syntax(code: "S0210", position: position, message: "Each step can only have one grouping expression")
        default:
            return .filtered(left, predicates: [], group: pairs, keepArray: false)
        }
    }
}
