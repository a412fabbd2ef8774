public import InfraMonitorCore

/// What can go wrong in the embedded backend; each message says what failed and what to do.
public enum LocalBackendError: Error, Sendable, CustomStringConvertible {
    case database(path: String, reason: String)
    case file(FileError)
    case objectNotFound(key: String)
    case invalidKey(String)
    case configuration(path: String, reason: String)
    case readOnlyQuery(String)
    case query(reason: String)
    case busy(path: String)

    public var description: String {
        switch self {
        case .database(let path, let reason):
            return "database \(path): \(reason); check that the data directory is writable and has free space"
        case .file(let error):
            return error.description
        case .objectNotFound(let key):
            return "no object \(key) in the data bucket; list them with `find <data-dir>/objects`"
        case .invalidKey(let key):
            return "invalid object key \"\(key)\": keys are relative paths without '..' or empty parts"
        case .configuration(let path, let reason):
            return "config \(path): \(reason); fix the file or recreate it with `infra-monitor init --force`"
        case .readOnlyQuery(let reason):
            return "query refused: \(reason); only read statements (SELECT, WITH, VALUES, EXPLAIN) are allowed"
        case .query(let reason):
            return "query failed: \(reason)"
        case .busy(let path):
            return "another infra-monitor run holds \(path); wait for it to finish, then try again"
        }
    }
}
