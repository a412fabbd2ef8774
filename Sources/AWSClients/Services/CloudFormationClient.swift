/// A stack as `DescribeStacks` reports it.
public struct CloudFormationStack: Sendable, Hashable {
    /// The stack name.
    public var name: String
    /// The stack id (an ARN).
    public var id: String
    /// The status, e.g. `CREATE_COMPLETE`, `UPDATE_ROLLBACK_COMPLETE`.
    public var status: String
    /// Why it is in that status.
    public var statusReason: String?
    /// Outputs by key.
    public var outputs: [String: String]
    /// The parameter values the stack runs with, by key.
    public var parameters: [String: String] = [:]

    /// Whether the stack is in a final (not `_IN_PROGRESS`) status.
    public var isSettled: Bool { !status.hasSuffix("_IN_PROGRESS") }
}

/// One stack event.
public struct CloudFormationStackEvent: Sendable, Hashable {
    /// The event id.
    public var id: String
    /// The logical id of the resource.
    public var logicalResourceID: String
    /// The resource type, e.g. `AWS::S3::Bucket`.
    public var resourceType: String
    /// The resource status.
    public var status: String
    /// Why.
    public var statusReason: String?
    /// The timestamp as sent (ISO 8601).
    public var timestamp: String
}

/// CloudFormation (Query, 2010-05-15): the stack operations `deploy`/`destroy` use.
public struct CloudFormationClient: Sendable {
    /// The request layer.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) { self.client = client }

    /// Creates stack `name` from `templateBody`; returns the stack id.
    @discardableResult
    public func createStack(
        name: String,
        templateBody: String,
        parameters: [String: String] = [:],
        capabilities: [String] = []
    )
        async throws -> String
    {
        let xml = try await client.query(
            .cloudFormation,
            action: "CreateStack",
            parameters: Self.stackParameters(name: name, templateBody: templateBody, parameters: parameters, capabilities: capabilities)
        )
        return xml.string("CreateStackResult", "StackId") ?? ""
    }

    /// Updates stack `name`; returns `false` when CloudFormation reports there is nothing to update.
    @discardableResult
    public func updateStack(
        name: String,
        templateBody: String,
        parameters: [String: String] = [:],
        capabilities: [String] = []
    )
        async throws -> Bool
    {
        do {
            _ = try await client.query(
                .cloudFormation,
                action: "UpdateStack",
                parameters: Self.stackParameters(name: name, templateBody: templateBody, parameters: parameters, capabilities: capabilities)
            )
            return true
        } catch let error as AWSError where error.code == "ValidationError" && error.message.contains("No updates are to be performed") {
            return false
        }
    }

    /// The stack named `name`, or `nil` when it does not exist.
    public func describeStack(name: String) async throws -> CloudFormationStack? {
        let xml: XMLNode
        do {
            xml = try await client.query(.cloudFormation, action: "DescribeStacks", parameters: [("StackName", name)])
        } catch let error as AWSError where error.code == "ValidationError" && error.message.contains("does not exist") {
            return nil
        }
        guard let member = xml.descendant("DescribeStacksResult", "Stacks")?.children.first else { return nil }
        var outputs: [String: String] = [:]
        for output in member.child("Outputs")?.children ?? [] {
            if let key = output.string("OutputKey") { outputs[key] = output.string("OutputValue") ?? "" }
        }
        var stack = CloudFormationStack(
            name: member.string("StackName") ?? name,
            id: member.string("StackId") ?? "",
            status: member.string("StackStatus") ?? "",
            statusReason: member.string("StackStatusReason"),
            outputs: outputs
        )
        for parameter in member.child("Parameters")?.children ?? [] {
            if let key = parameter.string("ParameterKey") { stack.parameters[key] = parameter.string("ParameterValue") ?? "" }
        }
        return stack
    }

    /// The events of stack `name`, newest first (first page).
    public func describeStackEvents(name: String) async throws -> [CloudFormationStackEvent] {
        let xml = try await client.query(.cloudFormation, action: "DescribeStackEvents", parameters: [("StackName", name)])
        return (xml.descendant("DescribeStackEventsResult", "StackEvents")?.children ?? []).map {
            CloudFormationStackEvent(
                id: $0.string("EventId") ?? "",
                logicalResourceID: $0.string("LogicalResourceId") ?? "",
                resourceType: $0.string("ResourceType") ?? "",
                status: $0.string("ResourceStatus") ?? "",
                statusReason: $0.string("ResourceStatusReason"),
                timestamp: $0.string("Timestamp") ?? ""
            )
        }
    }

    /// Deletes stack `name` (CloudFormation deletes asynchronously; poll ``describeStack(name:)``).
    public func deleteStack(name: String) async throws {
        _ = try await client.query(.cloudFormation, action: "DeleteStack", parameters: [("StackName", name)])
    }

    static func stackParameters(
        name: String,
        templateBody: String,
        parameters: [String: String],
        capabilities: [String]
    )
        -> [(String, String)]
    {
        var result = [("StackName", name), ("TemplateBody", templateBody)]
        for (index, key) in parameters.keys.sorted().enumerated() {
            result.append(("Parameters.member.\(index + 1).ParameterKey", key))
            result.append(("Parameters.member.\(index + 1).ParameterValue", parameters[key]!))
        }
        for (index, capability) in capabilities.enumerated() {
            result.append(("Capabilities.member.\(index + 1)", capability))
        }
        return result
    }
}
