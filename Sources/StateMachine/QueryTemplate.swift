import InfraJSON
import JSONata

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
public import Foundation
#endif

/// A JSONata-state field value (`Arguments`, `Output`, `Assign`, `ItemSelector`, `Items`, a
/// `Condition`, …): any JSON in which a string `"{% expression %}"` is replaced by the JSONata
/// expression's value (Developer Guide, "Transforming data with JSONata in Step Functions",
/// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
indirect enum QueryTemplate: Sendable {
    case literal(JSON)
    case expression(JSONataExpression)
    case object([(key: String, value: QueryTemplate)])
    case array([QueryTemplate])

    /// Compiles a value, reporting each expression that does not parse with its JSON path.
    static func compile(_ json: JSON, at location: String, problems: inout [DefinitionProblem]) -> QueryTemplate {
        switch json {
        case .string(let text):
            guard let body = expressionBody(text) else { return .literal(json) }
            do {
                return .expression(try JSONataExpression(body))
            } catch {
                problems.append(DefinitionProblem(path: location, message: "invalid JSONata expression: \(error)"))
                return .literal(json)
            }
        case .object(let members):
            if members.isEmpty { return .literal(json) }
            return .object(
                members.keys.sorted().map { key in (key, compile(members[key]!, at: location + DefinitionProblem.member(key), problems: &problems)) }
            )
        case .array(let elements):
            return .array(elements.enumerated().map { compile($0.element, at: location + "[\($0.offset)]", problems: &problems) })
        default:
            return .literal(json)
        }
    }

    /// The text between `{%` and `%}` when `text` is a JSONata expression string.
    static func expressionBody(_ text: String) -> String? {
        guard text.hasPrefix("{%"), text.hasSuffix("%}"), text.count >= 4 else { return nil }
        return String(text.dropFirst(2).dropLast(2))
    }

    /// Whether the value contains no expression at all.
    var isLiteral: Bool {
        if case .literal = self { return true }
        return false
    }

    /// The variable names the template's expressions read.
    var variableNames: Set<String> {
        switch self {
        case .literal: []
        case .expression(let expression): expression.variableNames
        case .object(let fields): fields.reduce(into: []) { $0.formUnion($1.value.variableNames) }
        case .array(let elements): elements.reduce(into: []) { $0.formUnion($1.variableNames) }
        }
    }

    /// Evaluates the template with `$states` and the workflow variables bound.
    /// - Throws: `States.QueryEvaluationError` when an expression fails or a top-level expression
    ///   yields nothing; a member whose expression yields nothing is left out of its object.
    func evaluate(states: JSON, variables: [String: JSON], field: String) throws(ExecutionError) -> JSON {
        guard let value = try evaluateOptional(states: states, variables: variables, field: field) else {
            throw ExecutionError(StatesErrors.queryEvaluationError, "The JSONata expression of the field '\(field)' returned nothing (undefined)")
        }
        return value
    }

    private func evaluateOptional(states: JSON, variables: [String: JSON], field: String) throws(ExecutionError) -> JSON? {
        switch self {
        case .literal(let value):
            return value
        case .expression(let expression):
            var bindings = variables
            bindings["states"] = states
            do {
                return try expression.evaluate(input: nil, bindings: bindings, library: StepFunctionsJSONata.library)
            } catch {
                throw ExecutionError(
                    StatesErrors.queryEvaluationError,
                    "An error occurred while evaluating the JSONata expression '\(expression.text)' of the field '\(field)': \(error)"
                )
            }
        case .object(let fields):
            var members: [String: JSON] = [:]
            for entry in fields {
                if let value = try entry.value.evaluateOptional(states: states, variables: variables, field: entry.key) { members[entry.key] = value }
            }
            return .object(members)
        case .array(let elements):
            var values: [JSON] = []
            for element in elements {
                if let value = try element.evaluateOptional(states: states, variables: variables, field: field) { values.append(value) }
            }
            return .array(values)
        }
    }
}

/// The functions Step Functions adds to JSONata, and the one it removes (Developer Guide,
/// "Transforming data with JSONata in Step Functions", section "JSONata functions provided by Step
/// Functions": `$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`; `$eval` is not supported).
enum StepFunctionsJSONata {
    static let excluded: Set<String> = ["eval"]

    /// The JSONata library of Step Functions, built once.
    static let library = JSONataLibrary(functions: functions, excluding: excluded)

    private static func failure(_ message: String) -> JSONataError { .raised(code: "States.QueryEvaluationError", message: message) }

    static let functions: [String: JSONataFunction] = [
        // $partition(array, size): the array in chunks of `size`.
        "partition": JSONataFunction(signature: "<an:a>") { arguments throws(JSONataError) in
            guard case .array(let items)?? = arguments.first, arguments.count > 1, case .number(let size)? = arguments[1] else { return nil }
            guard size >= 1, size.rounded(.towardZero) == size, let chunk = Int(exactly: size) else {
                throw failure("$partition: the chunk size must be a positive integer")
            }
            return .array(stride(from: 0, to: items.count, by: chunk).map { .array(Array(items[$0..<min($0 + chunk, items.count)])) })
        },
        // $range(start, end, step): the numbers from `start` to `end` inclusive, `step` apart.
        "range": JSONataFunction(signature: "<nnn:a<n>>") { arguments throws(JSONataError) in
            guard arguments.count == 3, case .number(let start)? = arguments[0], case .number(let end)? = arguments[1],
                case .number(let step)? = arguments[2]
            else { return nil }
            guard step != 0 else { throw failure("$range: the step must not be zero") }
            let count = ((end - start) / step).rounded(.down) + 1
            guard count <= 1000 else { throw failure("$range: the range would have more than 1000 elements") }
            guard count > 0 else { return .array([]) }
            return .array((0..<Int(count)).map { .number(start + Double($0) * step) })
        },
        // $hash(data, algorithm): the hexadecimal digest of the string's UTF-8 bytes.
        "hash": JSONataFunction(signature: "<ss:s>") { arguments throws(JSONataError) in
            guard arguments.count == 2, case .string(let data)? = arguments[0], case .string(let algorithm)? = arguments[1] else { return nil }
            guard let digest = Digests.hex(algorithm, Array(data.utf8)) else {
                throw failure("$hash: unknown algorithm '\(algorithm)': use one of \(Digests.algorithms.joined(separator: ", "))")
            }
            return .string(digest)
        },
        // $random([seed]): a number in [0, 1); with a seed, always the same one.
        "random": JSONataFunction(signature: "<n?:n>") { arguments throws(JSONataError) in
            if case .number(let seed)?? = arguments.first {
                var generator = SeededGenerator(seed: seed.rounded(.towardZero).bitPattern)
                return .number(Double.random(in: 0..<1, using: &generator))
            }
            return .number(Double.random(in: 0..<1))
        },
        // $uuid(): a version 4 UUID.
        "uuid": JSONataFunction(signature: "<:s>") { _ throws(JSONataError) in .string(UUID().uuidString.lowercased()) },
        // $parse(text): the JSON value of a JSON string.
        "parse": JSONataFunction(signature: "<s:j>") { arguments throws(JSONataError) in
            guard case .string(let text)?? = arguments.first else { return nil }
            do {
                return try JSON(parsing: text)
            } catch {
                throw failure("$parse: not valid JSON: \(error)")
            }
        },
    ]
}

extension JSON {
    /// Whether the value is an object or a `{% %}` expression string.
    var isObjectOrExpression: Bool {
        if case .object = self { return true }
        return stringValue.flatMap(QueryTemplate.expressionBody) != nil
    }
}
