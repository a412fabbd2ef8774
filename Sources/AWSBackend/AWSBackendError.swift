/// What went wrong in the AWS adapters, each with what to do about it.
public enum AWSBackendError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A Lambda event did not have the expected shape.
    case badEvent(String)
    /// A batch could not be stored in the bucket and was kept in the local spool instead.
    case spooled(key: String, spoolPath: String, reason: String)
    /// The spool could not be written or read.
    case spool(path: String, reason: String)
    /// A service answered with something the adapter cannot use.
    case badResponse(service: String, reason: String)
    /// An Athena query did not succeed.
    case queryFailed(state: String, reason: String)
    /// The environment lacked a setting the Lambda function needs.
    case missingSetting(String)
    /// No state machine of this name is deployed.
    case noStateMachine(name: String)
    /// An execution of this name already ran (Step Functions keeps names for 90 days).
    case executionAlreadyExists(name: String)

    public var description: String {
        switch self {
        case .badEvent(let reason):
            return "bad event: \(reason)"
        case .spooled(let key, let path, let reason):
            return "cannot store \(key) in the bucket (\(reason)); kept it in the spool at \(path), the next run uploads it"
        case .spool(let path, let reason):
            return "cannot use the spool at \(path): \(reason); check the data directory's permissions and free space"
        case .badResponse(let service, let reason):
            return "\(service) answered unexpectedly: \(reason); check --endpoint-url and the service's health"
        case .queryFailed(let state, let reason):
            return "the Athena query ended \(state): \(reason); check the SQL and the metrics table"
        case .noStateMachine(let name):
            return "no state machine named \(name); deploy it with `infra-monitor deploy apply`"
        case .executionAlreadyExists(let name):
            return "an execution named \(name) already ran on the deployed state machine (Step Functions keeps names for 90 days); "
                + "omit --execution-id for a new name, or see it with `infra-monitor executions show \(name) --backend aws`"
        case .missingSetting(let name):
            return "the environment variable \(name) is not set; set it in the function's configuration"
        }
    }
}
