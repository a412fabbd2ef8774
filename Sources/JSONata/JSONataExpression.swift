public import InfraJSON

/// A function the caller adds to an expression's environment (Step Functions' `$partition`,
/// `$hash`, …): it receives the evaluated arguments (`nil` for an undefined one) and returns a
/// value or `nil` (undefined).
public struct JSONataFunction: Sendable {
    /// The JSONata signature, e.g. `<an:a>`, checked before the call; `nil` for none.
    public var signature: String?
    /// The function.
    public var body: @Sendable ([JSON?]) throws(JSONataError) -> JSON?

    /// Creates a function.
    public init(signature: String? = nil, _ body: @escaping @Sendable ([JSON?]) throws(JSONataError) -> JSON?) {
        self.signature = signature
        self.body = body
    }
}

/// The functions an expression can call: the standard library (with `$eval`), minus exclusions,
/// plus the caller's functions. Build it once and pass it to every evaluation.
public struct JSONataLibrary: Sendable {
    let table: [String: Builtin]

    /// The standard library alone.
    public static let standard = JSONataLibrary()

    /// Creates a library.
    /// - Parameters:
    ///   - functions: extra functions, by name without `$` (they replace library functions of the same name).
    ///   - excluding: library functions to leave out, by name without `$`.
    public init(functions: [String: JSONataFunction] = [:], excluding: Set<String> = []) {
        var table = Builtin.library
        table["eval"] = Builtin.evalFunction()
        for name in excluding { table[name] = nil }
        for (name, function) in functions {
            let body = function.body
            table[name] = Builtin(name: name, arity: 1, signature: function.signature) { arguments, _, _ throws(JSONataError) in
                var converted: [JSON?] = []
                for argument in arguments { converted.append(argument?.json) }
                return try body(converted).map(Value.init)
            }
        }
        self.table = table
    }
}

/// A compiled JSONata expression (https://docs.jsonata.org/): parse once, evaluate many times.
///
/// ```swift
/// let expression = try JSONataExpression("$sum(orders.(price * quantity))")
/// let total = try expression.evaluate(input: order)
/// ```
///
/// Not supported: the parent operator `%` and the positional/context binding operators `#` and `@`
/// (they fail with `S0218`).
public struct JSONataExpression: Sendable {
    /// The expression text.
    public let text: String
    let root: Node

    /// The most evaluation steps one evaluation may take before failing with `U1001`.
    public static let defaultStepBudget = 10_000_000

    /// Parses an expression.
    /// - Throws: ``JSONataError/syntax(code:position:message:)``.
    public init(_ text: String) throws(JSONataError) {
        self.text = text
        self.root = try Parser.parse(text)
    }

    /// The names of the `$variables` the expression reads (free or bound), without the `$`.
    public var variableNames: Set<String> {
        var names: Set<String> = []
        Self.collect(root, into: &names)
        return names
    }

    /// Evaluates the expression.
    /// - Parameters:
    ///   - input: the input document (`$`); `nil` for none.
    ///   - bindings: variables, by name without `$`.
    ///   - functions: extra functions, by name without `$` (they replace library functions of the same name).
    ///   - excluding: library functions to leave out, by name without `$`.
    ///   - stepBudget: how many evaluation steps the evaluation may take.
    /// - Returns: the result as JSON, or `nil` when the expression evaluates to nothing (undefined).
    /// - Throws: ``JSONataError``.
    public func evaluate(
        input: JSON?,
        bindings: [String: JSON] = [:],
        functions: [String: JSONataFunction] = [:],
        excluding: Set<String> = [],
        stepBudget: Int = JSONataExpression.defaultStepBudget
    ) throws(JSONataError) -> JSON? {
        try evaluate(input: input, bindings: bindings, library: JSONataLibrary(functions: functions, excluding: excluding), stepBudget: stepBudget)
    }

    /// Evaluates the expression with a prepared function library (cheaper when evaluating often).
    public func evaluate(
        input: JSON?,
        bindings: [String: JSON] = [:],
        library: JSONataLibrary,
        stepBudget: Int = JSONataExpression.defaultStepBudget
    ) throws(JSONataError) -> JSON? {
        let evaluator = Evaluator(functions: library.table, budget: stepBudget)
        defer { evaluator.releaseClosures() }
        let frame = Frame(parent: nil)
        let document = input.map(Value.init)
        var value = document
        // As the reference implementation does, an input array is wrapped in a one-item sequence so
        // that a path treats it as one input (`phone[0]` is the first phone overall).
        if case .array? = document, let document {
            var wrapper = Value.Sequence([document], isSequence: true)
            wrapper.isOuterWrapper = true
            value = .array(wrapper)
        }
        frame.bind("$", document)
        for (name, binding) in bindings { frame.bind(name, Value(binding)) }
        let result = try evaluator.evaluate(root, value, frame)
        return result.flatMap(\.json)
    }

    private static func collect(_ node: Node, into names: inout Set<String>) {
        switch node {
        case .variable(let name): if !name.isEmpty, name != "$" { names.insert(name) }
        case .path(let path):
            for step in path.steps {
                collect(step.node, into: &names)
                for stage in step.stages { collect(stage, into: &names) }
            }
            for pair in path.group ?? [] {
                collect(pair.key, into: &names)
                collect(pair.value, into: &names)
            }
        case .binary(_, let a, let b, _), .range(let a, let b, _), .apply(let a, let b, _):
            collect(a, into: &names)
            collect(b, into: &names)
        case .negate(let a, _): collect(a, into: &names)
        case .array(let items, _): for item in items { collect(item.node, into: &names) }
        case .object(let pairs, _):
            for pair in pairs {
                collect(pair.key, into: &names)
                collect(pair.value, into: &names)
            }
        case .condition(let a, let b, let c):
            collect(a, into: &names)
            collect(b, into: &names)
            if let c { collect(c, into: &names) }
        case .block(let items): for item in items { collect(item, into: &names) }
        case .bind(let name, let value):
            names.insert(name)
            collect(value, into: &names)
        case .call(let procedure, let arguments, _):
            collect(procedure, into: &names)
            for argument in arguments { collect(argument, into: &names) }
        case .partial(let procedure, let arguments, _):
            collect(procedure, into: &names)
            for argument in arguments { if let argument { collect(argument, into: &names) } }
        case .lambda(_, let body, _): collect(body, into: &names)
        case .transform(let pattern, let update, let delete):
            collect(pattern, into: &names)
            collect(update, into: &names)
            if let delete { collect(delete, into: &names) }
        case .sort(let terms, _): for term in terms { collect(term.term, into: &names) }
        case .filtered(let inner, let predicates, let group, _):
            collect(inner, into: &names)
            for predicate in predicates { collect(predicate, into: &names) }
            for pair in group ?? [] {
                collect(pair.key, into: &names)
                collect(pair.value, into: &names)
            }
        default: break
        }
    }
}
