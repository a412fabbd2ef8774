/// What went wrong while building, packaging, estimating or deploying; each message is one line
/// saying what was wrong and what to do.
public enum DeployError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The state-machine definition cannot go into the template.
    case definition(String)
    /// A schedule expression the estimator cannot count.
    case schedule(String)
    /// Bad input to a command (an option value, a missing file).
    case usage(String)
    /// Building or zipping the Lambda package failed.
    case package(String)
    /// A local file operation failed.
    case file(String)

    public var description: String {
        switch self {
        case .definition(let message), .schedule(let message), .usage(let message), .package(let message),
            .file(let message):
            return message
        }
    }
}
