/// Why a JSONata expression could not be parsed or evaluated, with the JSONata error code
/// (`S0xxx` syntax, `T0xxx`/`T1xxx`/`T2xxx` type, `D1xxx`–`D3xxx` dynamic, `U1001` limits) as the
/// JSONata reference implementation names it (https://docs.jsonata.org/).
public enum JSONataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The expression text is not valid JSONata.
    case syntax(code: String, position: Int, message: String)
    /// The expression is valid but failed on the data it was given.
    case evaluation(code: String, position: Int, message: String)
    /// `$error()` was called, or a function registered by the caller failed.
    case raised(code: String, message: String)

    /// The JSONata error code, e.g. `T2001`.
    public var code: String {
        switch self {
        case .syntax(let code, _, _), .evaluation(let code, _, _), .raised(let code, _): code
        }
    }

    /// What went wrong.
    public var message: String {
        switch self {
        case .syntax(_, _, let message), .evaluation(_, _, let message), .raised(_, let message): message
        }
    }

    public var description: String {
        switch self {
        case .syntax(let code, let position, let message): "\(code) at position \(position): \(message)"
        case .evaluation(let code, let position, let message): "\(code) at position \(position): \(message)"
        case .raised(let code, let message): "\(code): \(message)"
        }
    }
}
