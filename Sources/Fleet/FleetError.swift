/// Why a fleet configuration, a discovery or a scrape failed.
public enum FleetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration is not YAML.
    case invalidYAML(detail: String)
    /// A key the configuration does not know (`path` is where it is, e.g. `scrape_configs[0].static_configs[1]`).
    case unknownKey(key: String, path: String, line: Int, column: Int)
    /// A value has the wrong shape or is out of range.
    case invalidValue(path: String, line: Int, detail: String)
    /// A required key is missing.
    case missingKey(key: String, path: String, line: Int)
    /// Two scrape configs have the same `job_name`.
    case duplicateJob(name: String, line: Int)
    /// A credentials, CA or file_sd file could not be read.
    case unreadableFile(path: String, reason: String)
    /// A file_sd file is not a Prometheus file_sd document (its previous targets are kept).
    case malformedTargetFile(path: String, detail: String)
    /// EC2 discovery failed (the call, or its response).
    case ec2Discovery(region: String, detail: String)
    /// Every target of a scrape failed.
    case allTargetsFailed(metric: String, count: Int, firstError: String)

    public var description: String {
        switch self {
        case .invalidYAML(let detail): return "the configuration is not valid YAML: \(detail)"
        case .unknownKey(let key, let path, let line, let column):
            return "unknown key \"\(key)\" in \(path) at line \(line), column \(column); check its spelling against Prometheus's scrape_config"
        case .invalidValue(let path, let line, let detail): return "invalid \(path) at line \(line): \(detail)"
        case .missingKey(let key, let path, let line): return "\(path) at line \(line) needs \"\(key)\""
        case .duplicateJob(let name, let line): return "job_name \"\(name)\" at line \(line) is used by an earlier scrape config"
        case .unreadableFile(let path, let reason): return "cannot read \(path): \(reason)"
        case .malformedTargetFile(let path, let detail):
            return "file_sd file \(path) is malformed (\(detail)); its previous targets are kept"
        case .ec2Discovery(let region, let detail): return "EC2 discovery in \(region) failed: \(detail)"
        case .allTargetsFailed(let metric, let count, let firstError):
            return "every one of the \(count) targets failed for \(metric); first error: \(firstError)"
        }
    }
}
