import InfraJSON

/// The input and output processing of a state: InputPath, ResultPath and OutputPath with the spec's `null` rules.
enum DataFlow {
    /// `InputPath`: `null` gives `{}`; a path that matches nothing is a `States.Runtime` error.
    static func applyInputPath(_ path: JSONPath?, to input: JSON, context: JSON, variables: [String: JSON] = [:]) throws(ExecutionError) -> JSON {
        try select(path, from: input, context: context, variables: variables, field: "InputPath")
    }

    /// `OutputPath`: `null` gives `{}`; a path that matches nothing is a `States.Runtime` error.
    static func applyOutputPath(_ path: JSONPath?, to output: JSON, context: JSON, variables: [String: JSON] = [:]) throws(ExecutionError) -> JSON {
        try select(path, from: output, context: context, variables: variables, field: "OutputPath")
    }

    private static func select(
        _ path: JSONPath?,
        from value: JSON,
        context: JSON,
        variables: [String: JSON],
        field: String
    ) throws(ExecutionError) -> JSON {
        guard let path else { return .object([:]) }
        guard let selected = path.select(input: value, context: context, variables: variables) else {
            throw ExecutionError.runtime("Invalid path '\(path.text)' : No results for path: \(field) '\(path.text)' in input '\(value.text)'")
        }
        return selected
    }

    /// `ResultPath`: `null` keeps the input; `$` replaces it with the result; otherwise the result is
    /// placed into a copy of the input, creating missing fields.
    /// - Throws: `States.ResultPathMatchFailure` when the path cannot be applied to the input.
    static func applyResultPath(_ path: JSONPath?, result: JSON, to input: JSON) throws(ExecutionError) -> JSON {
        guard let path else { return input }
        guard let merged = path.setting(result, in: input) else {
            throw ExecutionError(
                StatesErrors.resultPathMatchFailure,
                "Unable to apply ResultPath '\(path.text)' to input '\(input.text)'"
            )
        }
        return merged
    }
}
