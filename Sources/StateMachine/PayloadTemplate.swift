import InfraJSON

/// A compiled `Parameters` or `ResultSelector` (or `ItemSelector`) object: fields whose names end in `.$`
/// take their value from a path or an intrinsic function call; every other value is copied as is.
indirect enum PayloadTemplate: Sendable {
    case literal(JSON)
    case object([(key: String, value: PayloadTemplate)])
    case array([PayloadTemplate])
    case path(JSONPath, field: String)
    case intrinsic(IntrinsicCall, field: String)

    /// Compiles a template, reporting each bad `.$` field with its JSON path (under `location`).
    static func compile(_ json: JSON, at location: String, problems: inout [DefinitionProblem]) -> PayloadTemplate {
        switch json {
        case .object(let members):
            var fields: [(key: String, value: PayloadTemplate)] = []
            for key in members.keys.sorted() {
                let value = members[key]!
                let fieldLocation = location + DefinitionProblem.member(key)
                guard key.hasSuffix(".$") else {
                    fields.append((key, compile(value, at: fieldLocation, problems: &problems)))
                    continue
                }
                let name = String(key.dropLast(2))
                guard case .string(let expression) = value else {
                    problems.append(
                        DefinitionProblem(
                            path: fieldLocation,
                            message: "the value of a field ending in '.$' must be a path or intrinsic function string"
                        )
                    )
                    continue
                }
                if expression.hasPrefix("$") {
                    do {
                        fields.append((name, .path(try JSONPath.parse(expression), field: key)))
                    } catch {
                        problems.append(DefinitionProblem(path: fieldLocation, message: "invalid path '\(expression)': \(error.message)"))
                    }
                } else {
                    do {
                        fields.append((name, .intrinsic(try IntrinsicCall.parse(expression), field: key)))
                    } catch {
                        problems.append(
                            DefinitionProblem(path: fieldLocation, message: "invalid intrinsic function '\(expression)': \(error.message)")
                        )
                    }
                }
            }
            return .object(fields)
        case .array(let elements):
            return .array(elements.enumerated().map { compile($0.element, at: location + "[\($0.offset)]", problems: &problems) })
        default:
            return .literal(json)
        }
    }

    /// Produces the payload from `input` (`$`) and `context` (`$$`).
    /// - Throws: `States.ParameterPathFailure` when a path matches nothing; `States.IntrinsicFailure` from intrinsics.
    func evaluate(input: JSON, context: JSON, variables: [String: JSON] = [:]) throws(ExecutionError) -> JSON {
        switch self {
        case .literal(let value):
            return value
        case .object(let fields):
            var members: [String: JSON] = [:]
            for field in fields { members[field.key] = try field.value.evaluate(input: input, context: context, variables: variables) }
            return .object(members)
        case .array(let elements):
            var values: [JSON] = []
            for element in elements { values.append(try element.evaluate(input: input, context: context, variables: variables)) }
            return .array(values)
        case .path(let path, let field):
            guard let value = path.select(input: input, context: context, variables: variables) else {
                let source: JSON
                switch path.root {
                case .input: source = input
                case .context: source = context
                case .variable(let name): source = variables[name] ?? .null
                }
                throw ExecutionError(
                    StatesErrors.parameterPathFailure,
                    "The JSONPath '\(path.text)' specified for the field '\(field)' could not be found in the input '\(source.text)'"
                )
            }
            return value
        case .intrinsic(let call, _):
            return try call.evaluate(input: input, context: context, variables: variables)
        }
    }
}
