import ArgumentParser
import Collectors
import InfraMonitorCore
import LocalBackend
import Pipeline
import StateMachine

/// An error for the operator: one line saying what was wrong and what to do, and the exit code
/// of docs/design.md, "Command line" (1 the job failed, 2 bad usage or bad input).
public struct CLIError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Bad usage or bad input: exit 2.
    public static func usage(_ message: String) -> CLIError { CLIError(message, exitCode: 2) }
    /// The job failed: exit 1.
    public static func failed(_ message: String) -> CLIError { CLIError(message, exitCode: 1) }

    public var description: String { message }

    /// Maps any error to an operator-facing one.
    static func from(_ error: any Error) -> CLIError {
        switch error {
        case let error as CLIError:
            return error
        case let refusal as QueryRefusal:
            return .usage(refusal.description)
        case let error as LocalBackendError:
            switch error {
            case .configuration, .readOnlyQuery, .invalidKey, .objectNotFound: return .usage(error.description)
            case .query(let reason) where !reason.hasPrefix("no database"): return .usage(error.description)
            default: return .failed(error.description)
            }
        case let error as PipelineError:
            switch error {
            case .definition, .definitionNotFound: return .usage(error.description)
            default: return .failed(error.description)
            }
        case let error as CollectorError:
            return .failed(error.description)
        case let error as FileError:
            return .failed(error.description)
        default:
            return .failed(String(describing: error))
        }
    }
}
