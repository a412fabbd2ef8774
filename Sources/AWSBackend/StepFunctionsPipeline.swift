public import AWSClients
import Foundation
import InfraJSON
public import InfraMonitorCore

/// The deployed state machine `InfraMonitoring-Pipeline-Orch` on Step Functions: start an
/// execution and wait for it, list executions, read one execution and its history.
public struct StepFunctionsPipeline: ExecutionHistory, RemoteRunner {
    public let stepFunctions: StepFunctionsClient
    public let stateMachineName: String
    /// Time between status polls while waiting.
    public var pollInterval: Duration = .seconds(1)

    public init(stepFunctions: StepFunctionsClient, stateMachineName: String) {
        self.stepFunctions = stepFunctions
        self.stateMachineName = stateMachineName
    }

    /// The state machine's ARN, found by name.
    /// - Throws: ``AWSBackendError/noStateMachine(name:)`` when no state machine has the name.
    public func stateMachineARN() async throws -> String {
        guard let machine = try await stepFunctions.listStateMachines().first(where: { $0.name == stateMachineName }) else {
            throw AWSBackendError.noStateMachine(name: stateMachineName)
        }
        return machine.arn
    }

    /// Starts an execution named `name` for the schedule tick `scheduledTime` (input `{"time": …}`,
    /// as EventBridge sends it) and returns its ARN.
    /// - Throws: ``AWSBackendError/executionAlreadyExists(name:)`` when Step Functions answers
    ///   `ExecutionAlreadyExists`: "If the execution is closed or if the input is different, it will
    ///   return a 400 ExecutionAlreadyExists error. Names can be reused after 90 days." (StartExecution).
    public func start(name: String, scheduledTime: Timestamp) async throws -> String {
        let input: JSON = ["time": .string(scheduledTime.iso8601Seconds)]
        let arn = try await stateMachineARN()
        do {
            return try await stepFunctions.startExecution(stateMachineARN: arn, input: input.text, name: name)
        } catch let error as AWSError where error.code == "ExecutionAlreadyExists" {
            throw AWSBackendError.executionAlreadyExists(name: name)
        }
    }

    /// Why Step Functions would refuse `name` as an execution name, or `nil`. StartExecution
    /// (API Reference): length 1–80, and "A name must not contain: white space, brackets < > { } [ ],
    /// wildcard characters ? *, special characters " # % \ ^ | ~ ` $ & , ; : /, control characters
    /// (U+0000-001F, U+007F-009F, U+FFFE-FFFF), surrogates (U+D800-DFFF), invalid characters (U+10FFFF)".
    public static func executionNameProblem(_ name: String) -> String? {
        let scalars = name.unicodeScalars
        if scalars.isEmpty { return "is empty" }
        if scalars.count > 80 { return "is longer than 80 characters" }
        let forbidden = Set("<>{}[]?*\"#%\\^|~`$&,;:/".unicodeScalars)
        for scalar in scalars {
            let value = scalar.value
            if scalar.properties.isWhitespace { return "contains white space" }
            if value <= 0x1F || (0x7F...0x9F).contains(value) || value == 0xFFFE || value == 0xFFFF || value == 0x10FFFF {
                return "contains the control or invalid character U+" + String(value, radix: 16, uppercase: true)
            }
            if forbidden.contains(scalar) { return "contains '\(Character(scalar))'" }
        }
        return nil
    }

    /// Polls the execution until it is no longer RUNNING, at most 900 times.
    public func wait(executionARN: String) async throws -> ExecutionSummary {
        try await wait(executionARN: executionARN, maxPolls: 900)
    }

    /// Polls the execution until it is no longer RUNNING, at most `maxPolls` times.
    public func wait(executionARN: String, maxPolls: Int) async throws -> ExecutionSummary {
        var last = try await stepFunctions.describeExecution(executionARN: executionARN)
        var polls = 1
        while last.status == "RUNNING" && polls < maxPolls {
            try await Task.sleep(for: pollInterval)
            last = try await stepFunctions.describeExecution(executionARN: executionARN)
            polls += 1
        }
        return Self.summary(last)
    }

    /// The newest executions first, at most `limit`.
    public func list(limit: Int) async throws -> [ExecutionSummary] {
        let arn = try await stateMachineARN()
        var summaries: [ExecutionSummary] = []
        var token: String?
        repeat {
            var input: [String: JSON] = ["stateMachineArn": .string(arn), "maxResults": .number(Double(min(max(limit, 1), 1000)))]
            if let token { input["nextToken"] = .string(token) }
            let output = try await stepFunctions.client.json(.stepFunctions, operation: "ListExecutions", input: .object(input))
            for item in output["executions"]?.arrayValue ?? [] {
                summaries.append(
                    Self.summary(
                        arn: item["executionArn"]?.stringValue ?? "",
                        status: item["status"]?.stringValue ?? "UNKNOWN",
                        input: nil,
                        output: nil,
                        error: nil,
                        cause: nil,
                        startDate: item["startDate"]?.doubleValue,
                        stopDate: item["stopDate"]?.doubleValue
                    )
                )
            }
            token = output["nextToken"]?.stringValue
        } while token != nil && summaries.count < limit
        return Array(summaries.sorted { $0.startedAt > $1.startedAt }.prefix(limit))
    }

    /// The ARN of the execution named `name` of this state machine.
    public func executionARN(name: String) async throws -> String {
        let machine = try await stateMachineARN()
        return machine.replacingOccurrences(of: ":stateMachine:", with: ":execution:") + ":" + name
    }

    /// One execution, described.
    public func execution(arn: String) async throws -> ExecutionSummary {
        Self.summary(try await stepFunctions.describeExecution(executionARN: arn))
    }

    /// The ARN of `nameOrARN`: an ARN as it is, a name as an execution of this state machine.
    func resolveARN(_ nameOrARN: String) async throws -> String {
        nameOrARN.hasPrefix("arn:") ? nameOrARN : try await executionARN(name: nameOrARN)
    }

    /// The execution named `id` (or with the ARN `id`), or nil when Step Functions knows none.
    public func execution(id: String) async throws -> ExecutionSummary? {
        do {
            return try await execution(arn: try await resolveARN(id))
        } catch let error as AWSError where error.code == "ExecutionDoesNotExist" {
            return nil
        }
    }

    /// The history of the execution named `executionID` (or with that ARN).
    public func events(executionID: String) async throws -> [ExecutionEvent] {
        try await events(executionARN: try await resolveARN(executionID))
    }

    /// The execution's history as ``ExecutionEvent``s, oldest first.
    public func events(executionARN: String) async throws -> [ExecutionEvent] {
        try await stepFunctions.getExecutionHistory(executionARN: executionARN).map(Self.event)
    }

    /// A Step Functions history event as an ``ExecutionEvent``: the `…EventDetails` object becomes
    /// the details, its `name` the state name.
    static func event(_ json: JSON) -> ExecutionEvent {
        let details = (json.objectValue ?? [:]).first { $0.key.hasSuffix("EventDetails") }?.value ?? .object([:])
        let timestamp: String
        if let seconds = json["timestamp"]?.doubleValue {
            timestamp = Timestamp(milliseconds: Int64((seconds * 1000).rounded())).iso8601Milliseconds
        } else {
            timestamp = json["timestamp"]?.stringValue ?? ""
        }
        return ExecutionEvent(
            id: json["id"]?.intValue ?? 0,
            previousID: json["previousEventId"]?.intValue ?? 0,
            type: ExecutionEventType(name: json["type"]?.stringValue ?? ""),
            timestamp: timestamp,
            stateName: details["name"]?.stringValue,
            details: details
        )
    }

    /// A described execution as an ``ExecutionSummary``; its name is the id.
    static func summary(_ execution: StepFunctionsExecution) -> ExecutionSummary {
        summary(
            arn: execution.executionARN,
            status: execution.status,
            input: execution.input,
            output: execution.output,
            error: execution.error,
            cause: execution.cause,
            startDate: execution.startDate,
            stopDate: execution.stopDate
        )
    }

    /// An execution's fields as an ``ExecutionSummary``; its name is the id.
    static func summary(
        arn: String,
        status: String,
        input: String?,
        output: String?,
        error: String?,
        cause: String?,
        startDate: Double?,
        stopDate: Double?
    ) -> ExecutionSummary {
        let name = arn.split(separator: ":").last.map(String.init) ?? arn
        let started = startDate.map { Timestamp(milliseconds: Int64(($0 * 1000).rounded())) } ?? Timestamp(seconds: 0)
        let scheduled = input.flatMap { try? JSON(parsing: $0) }?["time"]?.stringValue.flatMap { Timestamp.parseRFC3339($0) }
        return ExecutionSummary(
            id: name,
            status: ExecutionStatus(stepFunctions: status),
            scheduledTime: scheduled ?? started,
            startedAt: started,
            finishedAt: stopDate.map { Timestamp(milliseconds: Int64(($0 * 1000).rounded())) },
            error: error,
            cause: cause,
            output: output.flatMap { try? JSON(parsing: $0) }
        )
    }
}

extension ExecutionStatus {
    /// Step Functions' status names; TIMED_OUT counts as failed, anything unknown as running.
    init(stepFunctions status: String) {
        switch status {
        case "SUCCEEDED": self = .succeeded
        case "FAILED", "TIMED_OUT": self = .failed
        case "ABORTED": self = .aborted
        default: self = .running
        }
    }
}
