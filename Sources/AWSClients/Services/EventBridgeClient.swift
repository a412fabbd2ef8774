import InfraJSON

/// A rule target.
public struct EventBridgeTarget: Sendable, Hashable {
    /// The target id within the rule.
    public var id: String
    /// The ARN invoked (a state machine, a Lambda function).
    public var arn: String
    /// The role EventBridge assumes to invoke it (needed for Step Functions).
    public var roleARN: String?
    /// A constant JSON input.
    public var input: String?

    /// A target from its parts.
    public init(id: String, arn: String, roleARN: String? = nil, input: String? = nil) {
        self.id = id
        self.arn = arn
        self.roleARN = roleARN
        self.input = input
    }
}

/// Targets `PutTargets` rejected.
public struct EventBridgeTargetsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rule.
    public var rule: String
    /// `id: message` of each failed target.
    public var failures: [String]
    public var description: String { "EventBridge rejected targets of rule \(rule): \(failures.joined(separator: ", ")); check the ARNs and role" }
}

/// EventBridge (JSON 1.1, `AWSEvents`): schedule rules and their targets.
public struct EventBridgeClient: Sendable {
    /// The request layer.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) { self.client = client }

    /// Creates or updates rule `name` firing on `scheduleExpression` (`rate(5 minutes)`, `cron(...)`); returns its ARN.
    @discardableResult
    public func putRule(name: String, scheduleExpression: String, enabled: Bool = true, description: String? = nil) async throws -> String {
        var input: [String: JSON] = [
            "Name": .string(name), "ScheduleExpression": .string(scheduleExpression), "State": .string(enabled ? "ENABLED" : "DISABLED"),
        ]
        if let description { input["Description"] = .string(description) }
        let output = try await client.json(.eventBridge, operation: "PutRule", input: .object(input))
        return output["RuleArn"]?.stringValue ?? ""
    }

    /// Adds or replaces `targets` of `rule`; throws ``EventBridgeTargetsError`` when any is rejected.
    public func putTargets(rule: String, targets: [EventBridgeTarget]) async throws {
        let list: [JSON] = targets.map {
            var target: [String: JSON] = ["Id": .string($0.id), "Arn": .string($0.arn)]
            if let role = $0.roleARN { target["RoleArn"] = .string(role) }
            if let input = $0.input { target["Input"] = .string(input) }
            return .object(target)
        }
        let output = try await client.json(.eventBridge, operation: "PutTargets", input: ["Rule": .string(rule), "Targets": .array(list)])
        let failed = output["FailedEntries"]?.arrayValue ?? []
        if !failed.isEmpty {
            throw EventBridgeTargetsError(
                rule: rule,
                failures: failed.map { "\($0["TargetId"]?.stringValue ?? "?"): \($0["ErrorMessage"]?.stringValue ?? "")" }
            )
        }
    }

    /// The targets of `rule` (id and ARN).
    public func listTargets(rule: String) async throws -> [EventBridgeTarget] {
        let output = try await client.json(.eventBridge, operation: "ListTargetsByRule", input: ["Rule": .string(rule)])
        return (output["Targets"]?.arrayValue ?? []).map {
            EventBridgeTarget(
                id: $0["Id"]?.stringValue ?? "",
                arn: $0["Arn"]?.stringValue ?? "",
                roleARN: $0["RoleArn"]?.stringValue,
                input: $0["Input"]?.stringValue
            )
        }
    }
}
