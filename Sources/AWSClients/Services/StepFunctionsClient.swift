public import InfraJSON

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `DescribeExecution` tells about one execution.
public struct StepFunctionsExecution: Sendable, Hashable {
    /// The execution ARN.
    public var executionARN: String
    /// The state machine ARN.
    public var stateMachineARN: String
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    public var status: String
    /// The input document.
    public var input: String?
    /// The output document, once succeeded.
    public var output: String?
    /// The error name of a failed execution.
    public var error: String?
    /// The cause of a failed execution.
    public var cause: String?
    /// The start time, epoch seconds.
    public var startDate: Double?
    /// The stop time, epoch seconds.
    public var stopDate: Double?
}

/// A state machine in a listing.
public struct StateMachineSummary: Sendable, Hashable {
    /// The name.
    public var name: String
    /// The ARN.
    public var arn: String
}

/// Step Functions (JSON 1.0, `AWSStepFunctions`).
public struct StepFunctionsClient: Sendable {
    /// The request layer.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) { self.client = client }

    private func call(_ operation: String, _ input: JSON) async throws -> JSON {
        try await client.json(.stepFunctions, operation: operation, input: input)
    }

    /// Creates a state machine from an ASL `definition`; returns its ARN.
    public func createStateMachine(name: String, definition: String, roleARN: String, type: String = "STANDARD") async throws -> String {
        let output = try await call(
            "CreateStateMachine",
            ["name": .string(name), "definition": .string(definition), "roleArn": .string(roleARN), "type": .string(type)]
        )
        guard let arn = output["stateMachineArn"]?.stringValue else {
            throw AWSResponseError(operation: "states CreateStateMachine", message: "no stateMachineArn")
        }
        return arn
    }

    /// Replaces the definition (and role, when given) of `stateMachineARN`.
    public func updateStateMachine(stateMachineARN: String, definition: String, roleARN: String? = nil) async throws {
        var input: [String: JSON] = ["stateMachineArn": .string(stateMachineARN), "definition": .string(definition)]
        if let roleARN { input["roleArn"] = .string(roleARN) }
        _ = try await call("UpdateStateMachine", .object(input))
    }

    /// Starts an execution with `input` (a JSON document); returns the execution ARN.
    public func startExecution(stateMachineARN: String, input: String = "{}", name: String? = nil) async throws -> String {
        var request: [String: JSON] = ["stateMachineArn": .string(stateMachineARN), "input": .string(input)]
        if let name { request["name"] = .string(name) }
        let output = try await call("StartExecution", .object(request))
        guard let arn = output["executionArn"]?.stringValue else {
            throw AWSResponseError(operation: "states StartExecution", message: "no executionArn")
        }
        return arn
    }

    /// The status and documents of execution `executionARN`.
    public func describeExecution(executionARN: String) async throws -> StepFunctionsExecution {
        let output = try await call("DescribeExecution", ["executionArn": .string(executionARN)])
        return StepFunctionsExecution(
            executionARN: output["executionArn"]?.stringValue ?? executionARN,
            stateMachineARN: output["stateMachineArn"]?.stringValue ?? "",
            status: output["status"]?.stringValue ?? "UNKNOWN",
            input: output["input"]?.stringValue,
            output: output["output"]?.stringValue,
            error: output["error"]?.stringValue,
            cause: output["cause"]?.stringValue,
            startDate: output["startDate"]?.doubleValue,
            stopDate: output["stopDate"]?.doubleValue
        )
    }

    /// Every history event of execution `executionARN`, oldest first, across pages.
    public func getExecutionHistory(executionARN: String) async throws -> [JSON] {
        var events: [JSON] = []
        var token: String?
        repeat {
            var input: [String: JSON] = ["executionArn": .string(executionARN)]
            if let token { input["nextToken"] = .string(token) }
            let output = try await call("GetExecutionHistory", .object(input))
            events += output["events"]?.arrayValue ?? []
            token = output["nextToken"]?.stringValue
        } while token != nil
        return events
    }

    /// Every state machine in the account and region, across pages.
    public func listStateMachines() async throws -> [StateMachineSummary] {
        var machines: [StateMachineSummary] = []
        var token: String?
        repeat {
            var input: [String: JSON] = [:]
            if let token { input["nextToken"] = .string(token) }
            let output = try await call("ListStateMachines", .object(input))
            machines += (output["stateMachines"]?.arrayValue ?? []).map {
                StateMachineSummary(name: $0["name"]?.stringValue ?? "", arn: $0["stateMachineArn"]?.stringValue ?? "")
            }
            token = output["nextToken"]?.stringValue
        } while token != nil
        return machines
    }
}
