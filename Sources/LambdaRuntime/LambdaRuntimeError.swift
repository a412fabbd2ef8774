/// What went wrong between the function and the Lambda Runtime API.
public enum LambdaRuntimeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `AWS_LAMBDA_RUNTIME_API` is not set or is not `host:port`.
    case badRuntimeAPIAddress(String?)
    /// The next-invocation response lacked a required header.
    case missingHeader(String)
    /// `Lambda-Runtime-Deadline-Ms` was not an integer.
    case invalidDeadline(String)
    /// The Runtime API answered a request with a status other than the expected one.
    case unexpectedStatus(request: String, status: Int, body: String)

    public var description: String {
        switch self {
        case .badRuntimeAPIAddress(let value):
            return "AWS_LAMBDA_RUNTIME_API is \(value.map { "'\($0)'" } ?? "not set"); run the bootstrap inside Lambda or set it to host:port"
        case .missingHeader(let name):
            return "the Runtime API's next invocation lacks the header \(name); the runtime cannot answer it and stops"
        case .invalidDeadline(let value):
            return "Lambda-Runtime-Deadline-Ms '\(value)' is not epoch milliseconds; the runtime cannot answer it and stops"
        case .unexpectedStatus(let request, let status, let body):
            return "the Runtime API answered \(request) with status \(status) (\(body.prefix(200))); check the runtime's request"
        }
    }
}
