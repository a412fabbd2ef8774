/// Evaluates processed expressions with JSONata's sequence semantics (the reference implementation's
/// `evaluate`, `evaluatePath`, `evaluateStep`, `evaluateFilter`, …).
final class Evaluator {
    /// The deepest evaluation recursion allowed; past it evaluation fails with `U1001` instead of
    /// overflowing the (small) stack of a concurrent task.
    static let maximumDepth = 250

    let functions: [String: Builtin]
    var depth = 0
    /// Evaluation steps left before `U1001`: bounds the time a hostile expression can take.
    var budget: Int
    /// The frames lambdas and transforms closed over, cleared after evaluation (see ``releaseClosures()``).
    private var capturedFrames: [ObjectIdentifier: Frame] = [:]

    init(functions: [String: Builtin], budget: Int) {
        self.functions = functions
        self.budget = budget
    }

    /// Clears the frames closures captured: a lambda bound to a variable of the frame it closes over
    /// is a reference cycle that would otherwise outlive the evaluation.
    func releaseClosures() {
        for frame in capturedFrames.values { frame.clear() }
        capturedFrames.removeAll()
    }

    func failure(_ code: String, _ message: String, _ position: Int = 0) -> JSONataError {
        .evaluation(code: code, position: position, message: message)
    }

    func evaluate(_ node: Node, _ input: Value?, _ frame: Frame) throws(JSONataError) -> Value? {
        let result = try evaluateSequence(node, input, frame)
        if case .array(let sequence)? = result, sequence.isSequence {
            if sequence.items.isEmpty { return nil }
            if sequence.items.count == 1, !sequence.keepSingleton { return sequence.items[0] }
        }
        return result
    }

    /// Evaluates without unwrapping a result sequence of one item (for `[]` and predicates on it).
    private func evaluateSequence(_ node: Node, _ input: Value?, _ frame: Frame) throws(JSONataError) -> Value? {
        depth += 1
        budget -= 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw failure("U1001", "Stack overflow error: the expression recurses too deeply") }
        guard budget > 0 else { throw failure("U1001", "The expression took too many evaluation steps") }
        var result: Value?
        switch node {
        case .string(let text): result = .string(text)
        case .number(let value): result = .number(value)
        case .literal(.bool(let value)): result = .bool(value)
        case .literal(.null): result = .null
        case .regex(let pattern, let flags): result = .regex(.init(pattern: pattern, flags: flags))
        case .name(let name): result = Self.lookup(input, name)
        case .variable(let name):
            if name.isEmpty {
                result = input
                if case .array(let sequence)? = input, sequence.isOuterWrapper { result = sequence.items.first }
            } else {
                result = frame.lookup(name) ?? functions[name].map { .function(Function(.native($0), signature: $0.signature)) }
            }
        case .wildcard: result = wildcard(input)
        case .descendants: result = descendants(input)
        case .path(let path): result = try evaluatePath(path, input, frame)
        case .binary(let op, let lhs, let rhs, let position): result = try binary(op, lhs, rhs, input, frame, position)
        case .negate(let operand, let position):
            guard let value = try evaluate(operand, input, frame) else { return nil }
            guard case .number(let number) = value else {
                throw failure("D1002", "Cannot negate a non-numeric value", position)
            }
            result = .number(-number)
        case .array(let items, let constructed):
            var values: [Value] = []
            for item in items {
                if case .range(let lower, let upper, let position) = item.node {
                    values.append(contentsOf: try range(lower, upper, input, frame, position))
                    continue
                }
                guard let value = try evaluate(item.node, input, frame) else { continue }
                if item.nested {
                    values.append(value)
                } else if case .array(let sequence) = value {
                    values.append(contentsOf: sequence.items)
                } else {
                    values.append(value)
                }
            }
            var sequence = Value.Sequence(values)
            sequence.isConstructed = constructed
            result = .array(sequence)
        case .range(let lower, let upper, let position):
            result = .array(.init(try range(lower, upper, input, frame, position)))
        case .object(let pairs, let position):
            result = try group(pairs, input, frame, position)
        case .condition(let test, let then, let otherwise):
            if Self.truthy(try evaluate(test, input, frame)) {
                result = try evaluate(then, input, frame)
            } else if let otherwise {
                result = try evaluate(otherwise, input, frame)
            }
        case .block(let expressions):
            let scope = Frame(parent: frame)
            for expression in expressions { result = try evaluate(expression, input, scope) }
        case .bind(let name, let valueNode):
            result = try evaluate(valueNode, input, frame)
            frame.bind(name, result)
        case .call(let procedure, let arguments, let position):
            result = try call(procedure, arguments, input, frame, position)
        case .partial(let procedure, let arguments, let position):
            guard case .function(let function)? = try evaluate(procedure, input, frame) else {
                throw failure("T1008", "Attempted to partially apply a non-function", position)
            }
            var values: [Value?] = []
            var holes: [Int] = []
            for (index, argument) in arguments.enumerated() {
                if let argument {
                    values.append(try evaluate(argument, input, frame))
                } else {
                    values.append(nil)
                    holes.append(index)
                }
            }
            result = .function(Function(.partial(function, arguments: values, holes: holes)))
        case .lambda(let parameters, let body, let signature):
            capturedFrames[ObjectIdentifier(frame)] = frame
            result = .function(Function(.lambda(parameters: parameters, body: body, environment: frame, input: input), signature: signature))
        case .apply(let lhs, let rhs, let position):
            result = try applyChain(lhs, rhs, input, frame, position)
        case .transform(let pattern, let update, let delete):
            capturedFrames[ObjectIdentifier(frame)] = frame
            result = .function(Function(.transform(pattern: pattern, update: update, delete: delete, environment: frame)))
        case .sort(let terms, let position):
            result = try sort(terms, Self.asArray(input), frame, position)
        case .filtered(let inner, let predicates, let groupPairs, let keepArray):
            result = try evaluateSequence(inner, input, frame)
            for predicate in predicates { result = try filter(predicate, result, frame) }
            if let groupPairs { result = try group(groupPairs, result, frame, 0) }
            if keepArray, case .array(var sequence)? = result {
                sequence.keepSingleton = true
                if !sequence.isSequence { sequence.isSequence = true }
                result = .array(sequence)
            }
        case .placeholder:
            result = nil
        case .unsupported(let what, let position):
            throw failure("S0218", "\(what) is not supported by this evaluator", position)
        }
        return result
    }

    // MARK: - Paths

    static func lookup(_ input: Value?, _ key: String) -> Value? {
        switch input {
        case .array(let sequence)?:
            var results: [Value] = []
            for item in sequence.items {
                switch lookup(item, key) {
                case .array(let inner)?: results.append(contentsOf: inner.items)
                case let value?: results.append(value)
                case nil: break
                }
            }
            return .sequence(results)
        case .object(let object)?:
            return object[key]
        default:
            return nil
        }
    }

    private func wildcard(_ input: Value?) -> Value? {
        var input = input
        if case .array(let sequence)? = input, sequence.isOuterWrapper, let first = sequence.items.first { input = first }
        var results: [Value] = []
        if case .object(let object)? = input {
            for (_, value) in object.pairs {
                if case .array = value { results.append(contentsOf: Self.flatten(value)) } else { results.append(value) }
            }
        }
        return .sequence(results)
    }

    static func flatten(_ value: Value) -> [Value] {
        guard case .array(let sequence) = value else { return [value] }
        return sequence.items.flatMap(flatten)
    }

    private func descendants(_ input: Value?) -> Value? {
        guard let input else { return nil }
        var results: [Value] = []
        func recurse(_ value: Value) {
            budget -= 1
            switch value {
            case .array(let sequence): for item in sequence.items { recurse(item) }
            case .object(let object):
                results.append(value)
                for (_, member) in object.pairs { recurse(member) }
            default: results.append(value)
            }
        }
        recurse(input)
        return results.count == 1 ? results[0] : .sequence(results)
    }

    private func evaluatePath(_ path: PathNode, _ input: Value?, _ frame: Frame) throws(JSONataError) -> Value? {
        var inputSequence: [Value?]
        if case .variable = path.steps[0].node {
            inputSequence = [input]
        } else if case .array(let sequence)? = input {
            inputSequence = sequence.items
        } else {
            inputSequence = [input]
        }
        var resultSequence: Value? = .sequence()
        for (index, step) in path.steps.enumerated() {
            if index == 0, case .array(_, true) = step.node {
                resultSequence = try evaluate(step.node, .array(.init(inputSequence.compactMap { $0 }, isSequence: true)), frame)
                for stage in step.stages { resultSequence = try filter(stage, resultSequence, frame) }
            } else {
                resultSequence = try evaluateStep(step, inputSequence, frame, isLast: index == path.steps.count - 1)
            }
            guard let current = resultSequence else { break }
            if case .array(let sequence) = current {
                if sequence.items.isEmpty { break }
                inputSequence = sequence.items
            } else {
                inputSequence = [current]
            }
        }
        if path.keepSingleton {
            switch resultSequence {
            case .array(var sequence)?:
                if sequence.isConstructed, !sequence.isSequence { sequence = Value.Sequence([.array(sequence)], isSequence: true) }
                sequence.isSequence = true
                sequence.keepSingleton = true
                resultSequence = .array(sequence)
            case let value?:
                var sequence = Value.Sequence([value], isSequence: true)
                sequence.keepSingleton = true
                resultSequence = .array(sequence)
            case nil:
                break
            }
        }
        if let pairs = path.group { resultSequence = try group(pairs, resultSequence, frame, path.groupPosition) }
        return resultSequence
    }

    private func evaluateStep(_ step: StepNode, _ input: [Value?], _ frame: Frame, isLast: Bool) throws(JSONataError) -> Value? {
        if case .sort = step.node {
            var result = try evaluate(step.node, .array(.init(input.compactMap { $0 }, isSequence: true)), frame)
            for stage in step.stages { result = try filter(stage, result, frame) }
            return result
        }
        var results: [Value] = []
        for item in input {
            var value = try evaluate(step.node, item, frame)
            for stage in step.stages { value = try filter(stage, value, frame) }
            if let value { results.append(value) }
        }
        if isLast, results.count == 1, case .array(let sequence) = results[0], !sequence.isSequence { return results[0] }
        var flattened: [Value] = []
        for value in results {
            if case .array(let sequence) = value, !sequence.isConstructed {
                flattened.append(contentsOf: sequence.items)
            } else {
                flattened.append(value)
            }
        }
        return .sequence(flattened)
    }

    func filter(_ predicate: Node, _ input: Value?, _ frame: Frame) throws(JSONataError) -> Value? {
        let items: [Value]
        switch input {
        case nil: items = []
        case .array(let sequence)?: items = sequence.items
        case let value?: items = [value]
        }
        var results: [Value] = []
        if case .number(let number) = predicate {
            var index = Int(exactly: number.rounded(.down)) ?? Int.max
            if index < 0 { index += items.count }
            if items.indices.contains(index) {
                if case .array(let sequence) = items[index] { return .array(Value.Sequence(sequence.items, isSequence: true)) }
                results.append(items[index])
            }
            return .sequence(results)
        }
        for (index, item) in items.enumerated() {
            let value = try evaluate(predicate, item, frame)
            var indexes: [Double]?
            switch value {
            case .number(let number)?: indexes = [number]
            case .array(let sequence)?:
                let numbers = sequence.items.compactMap { if case .number(let n) = $0 { n } else { nil } }
                if !numbers.isEmpty, numbers.count == sequence.items.count { indexes = numbers }
            default: break
            }
            if let indexes {
                for number in indexes {
                    var wanted = Int(exactly: number.rounded(.down)) ?? Int.max
                    if wanted < 0 { wanted += items.count }
                    if wanted == index { results.append(item) }
                }
            } else if Self.truthy(value) {
                results.append(item)
            }
        }
        return .sequence(results)
    }

    // MARK: - Operators

    private func binary(_ op: String, _ lhs: Node, _ rhs: Node, _ input: Value?, _ frame: Frame, _ position: Int) throws(JSONataError) -> Value? {
        switch op {
        case "and":
            guard Self.truthy(try evaluate(lhs, input, frame)) else { return .bool(false) }
            return .bool(Self.truthy(try evaluate(rhs, input, frame)))
        case "or":
            if Self.truthy(try evaluate(lhs, input, frame)) { return .bool(true) }
            return .bool(Self.truthy(try evaluate(rhs, input, frame)))
        case "..":
            return .array(.init(try range(lhs, rhs, input, frame, position)))
        default:
            break
        }
        let left = try evaluate(lhs, input, frame)
        let right = try evaluate(rhs, input, frame)
        switch op {
        case "+", "-", "*", "/", "%":
            if let left, !Self.isNumber(left) {
                throw failure("T2001", "The left side of the \"\(op)\" operator must evaluate to a number", position)
            }
            if let right, !Self.isNumber(right) {
                throw failure("T2002", "The right side of the \"\(op)\" operator must evaluate to a number", position)
            }
            guard case .number(let a)? = left, case .number(let b)? = right else { return nil }
            let value: Double
            switch op {
            case "+": value = a + b
            case "-": value = a - b
            case "*": value = a * b
            case "/": value = a / b
            default: value = a.truncatingRemainder(dividingBy: b)
            }
            guard value.isFinite else { throw failure("D1001", "Number out of range", position) }
            return .number(value)
        case "=", "!=":
            guard let left, let right else { return .bool(false) }
            let equal = Self.deepEqual(left, right)
            return .bool(op == "=" ? equal : !equal)
        case "<", ">", "<=", ">=":
            let comparable = { (value: Value?) -> Bool in
                switch value {
                case nil, .number?, .string?: true
                default: false
                }
            }
            guard comparable(left), comparable(right) else {
                throw failure("T2010", "The expressions either side of operator \"\(op)\" must evaluate to numeric or string values", position)
            }
            guard let left, let right else { return nil }
            let less: Bool
            let equal: Bool
            switch (left, right) {
            case (.number(let a), .number(let b)):
                less = a < b
                equal = a == b
            case (.string(let a), .string(let b)):
                less = Self.codeUnitsPrecede(a, b)
                equal = a == b
            default:
                throw failure("T2009", "The values either side of the operator \"\(op)\" must be of the same data type", position)
            }
            switch op {
            case "<": return .bool(less)
            case ">": return .bool(!less && !equal)
            case "<=": return .bool(less || equal)
            default: return .bool(!less)
            }
        case "&":
            return .string(try Self.stringify(left) + Self.stringify(right))
        case "in":
            guard let left, let right else { return .bool(false) }
            let items = right.arrayItems ?? [right]
            return .bool(items.contains { Self.deepEqual($0, left) })
        default:
            throw failure("S0201", "Unknown operator \(op)", position)
        }
    }

    private func range(_ lower: Node, _ upper: Node, _ input: Value?, _ frame: Frame, _ position: Int) throws(JSONataError) -> [Value] {
        let low = try evaluate(lower, input, frame)
        let high = try evaluate(upper, input, frame)
        if let low, !Self.isInteger(low) { throw failure("T2003", "The left side of the range operator (..) must evaluate to an integer", position) }
        if let high, !Self.isInteger(high) {
            throw failure("T2004", "The right side of the range operator (..) must evaluate to an integer", position)
        }
        guard case .number(let a)? = low, case .number(let b)? = high, a <= b else { return [] }
        guard abs(a) <= 9_007_199_254_740_992, abs(b) <= 9_007_199_254_740_992 else {
            throw failure("D2014", "The range operator (..) supports integers up to 2^53", position)
        }
        guard b - a < 10_000_000 else {
            throw failure("D2014", "The size of the sequence allocated by the range operator (..) must not exceed 1e7", position)
        }
        budget -= Int(b - a)
        guard budget > 0 else { throw failure("U1001", "The expression took too many evaluation steps", position) }
        return stride(from: Int(a), through: Int(b), by: 1).map { .number(Double($0)) }
    }

    // MARK: - Grouping and sorting

    func group(_ pairs: [(key: Node, value: Node)], _ input: Value?, _ frame: Frame, _ position: Int) throws(JSONataError) -> Value? {
        var items: [Value?]
        switch input {
        case .array(let sequence)?: items = sequence.items.map { $0 }
        case let value?: items = [value]
        case nil: items = []
        }
        if items.isEmpty { items = [nil] }
        var groups = Value.Object()
        var data: [String: (value: Value?, pair: Int)] = [:]
        var order: [String] = []
        for item in items {
            for (index, pair) in pairs.enumerated() {
                let key = try evaluate(pair.key, item, frame)
                guard let key else { continue }
                guard case .string(let name) = key else {
                    throw failure("T1003", "Key in object structure must evaluate to a string; got: \(Self.describe(key))", position)
                }
                if let existing = data[name] {
                    guard existing.pair == index else {
                        throw failure("D1009", "Multiple key definitions evaluate to same key: \(name)", position)
                    }
                    data[name] = (Self.append(existing.value, item), index)
                } else {
                    data[name] = (item, index)
                    order.append(name)
                }
            }
        }
        for name in order {
            let entry = data[name]!
            if let value = try evaluate(pairs[entry.pair].value, entry.value, frame) { groups[name] = value }
        }
        return .object(groups)
    }

    /// JSONata's `fn.append`: undefined leaves the other side; otherwise one array of both.
    static func append(_ first: Value?, _ second: Value?) -> Value? {
        guard let first else { return second }
        guard let second else { return first }
        let left = first.arrayItems ?? [first]
        let right = second.arrayItems ?? [second]
        return .array(.init(left + right))
    }

    private func sort(_ terms: [(term: Node, descending: Bool)], _ items: [Value], _ frame: Frame, _ position: Int) throws(JSONataError) -> Value? {
        var keyed: [(item: Value, keys: [Value?])] = []
        for item in items {
            var keys: [Value?] = []
            for term in terms { keys.append(try evaluate(term.term, item, frame)) }
            keyed.append((item, keys))
        }
        var thrown: JSONataError?
        let sorted = Self.mergeSort(keyed) { a, b in
            for (index, term) in terms.enumerated() {
                let x = a.keys[index]
                let y = b.keys[index]
                switch (x, y) {
                case (nil, nil): continue
                case (nil, _): return false
                case (_, nil): return true
                case (.number(let p)?, .number(let q)?):
                    if p == q { continue }
                    return term.descending ? p > q : p < q
                case (.string(let p)?, .string(let q)?):
                    if p == q { continue }
                    return term.descending ? Self.codeUnitsPrecede(q, p) : Self.codeUnitsPrecede(p, q)
                case (.number?, .string?), (.string?, .number?):
                    thrown = .evaluation(code: "T2007", position: position, message: "Type mismatch when comparing values in order-by clause")
                    return false
                default:
                    thrown = .evaluation(
                        code: "T2008",
                        position: position,
                        message: "The expressions within an order-by clause must evaluate to numeric or string values"
                    )
                    return false
                }
            }
            return false
        }
        if let thrown { throw thrown }
        return .sequence(sorted.map(\.item))
    }

    /// A stable merge sort; `less` says whether the first argument goes before the second.
    static func mergeSort<T>(_ items: [T], by less: (T, T) -> Bool) -> [T] {
        guard items.count > 1 else { return items }
        let middle = items.count / 2
        let left = mergeSort(Array(items[..<middle]), by: less)
        let right = mergeSort(Array(items[middle...]), by: less)
        var merged: [T] = []
        merged.reserveCapacity(items.count)
        var (i, j) = (0, 0)
        while i < left.count, j < right.count {
            if less(right[j], left[i]) {
                merged.append(right[j])
                j += 1
            } else {
                merged.append(left[i])
                i += 1
            }
        }
        merged.append(contentsOf: left[i...])
        merged.append(contentsOf: right[j...])
        return merged
    }

    // MARK: - Functions

    private func call(_ procedureNode: Node, _ argumentNodes: [Node], _ input: Value?, _ frame: Frame, _ position: Int) throws(JSONataError) -> Value?
    {
        let procedure = try evaluate(procedureNode, input, frame)
        var arguments: [Value?] = []
        for node in argumentNodes { arguments.append(try evaluate(node, input, frame)) }
        guard let procedure, procedure.isFunction else {
            if case .path(let path) = procedureNode, path.steps.count == 1, case .name(let name) = path.steps[0].node,
                frame.lookup(name) != nil || functions[name] != nil
            {
                throw failure("T1005", "Attempted to invoke a non-function. Did you mean ${\(name)}?", position)
            }
            throw failure("T1006", "Attempted to invoke a non-function", position)
        }
        return try apply(procedure, arguments, input, position)
    }

    /// Calls a function value with arguments; `context` is the input the call site saw (for `-` signatures).
    func apply(_ procedure: Value, _ arguments: [Value?], _ context: Value?, _ position: Int = 0) throws(JSONataError) -> Value? {
        switch procedure {
        case .regex(let regex):
            return try Builtin.regexMatch(regex, arguments.first ?? nil, evaluator: self)
        case .function(let function):
            var arguments = arguments
            if let signature = function.signature {
                var focus = context
                if case .array(let sequence)? = context, sequence.isOuterWrapper { focus = sequence.items.first }
                arguments = try signature.validate(arguments, context: focus, position: position)
            }
            switch function.body {
            case .lambda(let parameters, let body, let environment, let input):
                let scope = Frame(parent: environment)
                for (index, name) in parameters.enumerated() { scope.bind(name, index < arguments.count ? arguments[index] : nil) }
                return try evaluate(body, input, scope)
            case .native(let builtin):
                return try builtin.implementation(arguments, context, self)
            case .partial(let inner, let fixed, let holes):
                var filled = fixed
                for (index, hole) in holes.enumerated() { filled[hole] = index < arguments.count ? arguments[index] : nil }
                return try apply(.function(inner), filled, context, position)
            case .composition(let first, let second):
                return try apply(second, [try apply(first, arguments, context, position)], context, position)
            case .transform(let pattern, let update, let delete, let environment):
                return try transform(arguments.first ?? nil, pattern: pattern, update: update, delete: delete, environment, position)
            }
        default:
            throw failure("T1006", "Attempted to invoke a non-function", position)
        }
    }

    /// `lhs ~> rhs`: the function on the right called with the value on the left as its first argument;
    /// two functions compose.
    private func applyChain(_ lhs: Node, _ rhs: Node, _ input: Value?, _ frame: Frame, _ position: Int) throws(JSONataError) -> Value? {
        let left = try evaluate(lhs, input, frame)
        if case .call(let procedureNode, let argumentNodes, let callPosition) = rhs {
            let procedure = try evaluate(procedureNode, input, frame)
            guard let procedure, procedure.isFunction else {
                throw failure("T2006", "The right side of the function application operator ~> must be a function", position)
            }
            var arguments: [Value?] = [left]
            for node in argumentNodes { arguments.append(try evaluate(node, input, frame)) }
            return try apply(procedure, arguments, input, callPosition)
        }
        let right = try evaluate(rhs, input, frame)
        guard let right, right.isFunction else {
            throw failure("T2006", "The right side of the function application operator ~> must be a function", position)
        }
        if let left, left.isFunction { return .function(Function(.composition(left, right))) }
        return try apply(right, [left], input, position)
    }

    /// The transform operator applied to `value`: a deep copy whose objects matched by `pattern` are
    /// merged with `update` and lose the keys `delete` names.
    private func transform(
        _ value: Value?,
        pattern: Node,
        update: Node,
        delete: Node?,
        _ frame: Frame,
        _ position: Int
    ) throws(JSONataError) -> Value? {
        guard let value else { return nil }
        let matches = Self.asArray(try evaluate(pattern, value, frame))
        // Values are copied on write: rebuild the document, replacing each matched object in place.
        var replacements: [(original: Value, updated: Value)] = []
        for match in matches {
            guard case .object(var object) = match else { continue }
            if let update = try evaluate(update, match, frame) {
                guard case .object(let changes) = update else {
                    throw failure("T2011", "The insert/update clause of the transform expression must evaluate to an object", position)
                }
                for (key, member) in changes.pairs { object[key] = member }
            }
            if let delete, let names = try evaluate(delete, match, frame) {
                for name in Self.asArray(names) {
                    guard case .string(let key) = name else {
                        throw failure(
                            "T2012",
                            "The delete clause of the transform expression must evaluate to a string or array of strings",
                            position
                        )
                    }
                    object[key] = nil
                }
            }
            replacements.append((match, .object(object)))
        }
        func rebuild(_ node: Value) -> Value {
            budget -= 1
            if let replacement = replacements.first(where: { Self.identical($0.original, node) }) {
                return rebuildChildren(replacement.updated)
            }
            return rebuildChildren(node)
        }
        func rebuildChildren(_ node: Value) -> Value {
            switch node {
            case .array(var sequence):
                sequence.items = sequence.items.map(rebuild)
                return .array(sequence)
            case .object(var object):
                for (key, member) in object.pairs { object[key] = rebuild(member) }
                return .object(object)
            default:
                return node
            }
        }
        return rebuild(value)
    }

    /// Whether two values are the same object (structurally equal objects stand in for identity,
    /// which value types do not have).
    private static func identical(_ a: Value, _ b: Value) -> Bool {
        if case .object = a, case .object = b { return deepEqual(a, b) }
        return false
    }

    // MARK: - Helpers

    static func isNumber(_ value: Value) -> Bool {
        if case .number = value { return true }
        return false
    }

    static func isInteger(_ value: Value) -> Bool {
        if case .number(let number) = value { return number.rounded(.towardZero) == number }
        return false
    }

    static func asArray(_ value: Value?) -> [Value] {
        switch value {
        case nil: []
        case .array(let sequence)?: sequence.items
        case let value?: [value]
        }
    }

    /// JSONata's `$boolean` casting.
    static func truthy(_ value: Value?) -> Bool {
        switch value {
        case nil, .null?: return false
        case .bool(let flag)?: return flag
        case .number(let number)?: return number != 0
        case .string(let text)?: return !text.isEmpty
        case .array(let sequence)?:
            if sequence.items.count == 1 { return truthy(sequence.items[0]) }
            return sequence.items.contains { truthy($0) }
        case .object(let object)?: return object.count > 0
        case .function?, .regex?: return false
        }
    }

    static func deepEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)):
            return x.items.count == y.items.count && zip(x.items, y.items).allSatisfy { deepEqual($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x.pairs {
                guard let other = y[key], deepEqual(value, other) else { return false }
            }
            return true
        default: return false
        }
    }

    /// Whether `a` sorts before `b` by UTF-16 code units, as JavaScript compares strings.
    static func codeUnitsPrecede(_ a: String, _ b: String) -> Bool {
        a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    /// `$string` of a value: strings as they are, everything else as JSON with numbers to 15 significant digits.
    static func stringify(_ value: Value?) throws(JSONataError) -> String {
        switch value {
        case nil: return ""
        case .string(let text)?: return text
        case .function?, .regex?: return ""
        case let value?:
            return try Printer.json(value, indent: nil)
        }
    }

    static func describe(_ value: Value) -> String {
        (try? Printer.json(value, indent: nil)) ?? value.typeName
    }
}
