import InfraMonitorCore

/// Failures of the pipeline itself (not of a state inside an execution, which the execution reports).
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    case definition(path: String, reason: String)
    case definitionNotFound(searched: [String])
    case badPayload(String)
    case unknownFunction(String)

    public var description: String {
        switch self {
        case .definition(let path, let reason):
            return "state machine \(path) is invalid: \(reason)"
        case .definitionNotFound(let searched):
            return
                "cannot find pipeline/state-machine.asl.json (looked at \(searched.joined(separator: ", "))); run from the project folder or set state_machine_definition in config.yaml"
        case .badPayload(let detail):
            return "bad task payload: \(detail)"
        case .unknownFunction(let name):
            return "no local handler for Lambda function \(name); the embedded backend runs data-collector and log-processor"
        }
    }
}
