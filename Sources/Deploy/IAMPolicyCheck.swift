public import InfraJSON

/// Checks every IAM statement of a template for wildcards: no `*` action (or `service:*`), and
/// `"Resource": "*"` only for actions that have no resource-level ARN, each listed with the reason.
public enum IAMPolicyCheck {
    /// One statement that grants more than it should.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public var resource: String
        public var statementIndex: Int
        public var reason: String

        public var description: String { "\(resource) statement \(statementIndex): \(reason)" }
    }

    /// The CloudWatch Logs vended-log delivery actions Step Functions needs for logging. AWS's
    /// Step Functions guide ("IAM policies for logging to CloudWatch Logs") grants them on
    /// `"Resource": "*"` because they have no resource-level permissions.
    public static let logDeliveryActions: Set<String> = [
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    ]

    /// The network-interface actions of the managed policy `AWSLambdaVPCAccessExecutionRole`
    /// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html), granted on
    /// `"Resource": "*"` as that policy grants them: Lambda creates the function's ENIs before their ids exist.
    public static let vpcAccessActions: Set<String> = [
        "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
    ]

    /// Actions allowed on `"Resource": "*"`, and why. Everything else must name its ARNs.
    public static let resourceWildcardExceptions: [String: String] = {
        var exceptions: [String: String] = [
            "cloudwatch:PutMetricData":
                "CloudWatch PutMetricData has no resource-level ARN; the statement must carry a cloudwatch:namespace condition",
            "ec2:DescribeInstances": "EC2 Describe actions support no resource-level permissions (ec2_sd_configs discovery)",
        ]
        for action in logDeliveryActions {
            exceptions[action] = "CloudWatch Logs vended-log delivery (Step Functions logging) has no resource-level ARN"
        }
        for action in vpcAccessActions {
            exceptions[action] = "the Lambda VPC network-interface actions of AWSLambdaVPCAccessExecutionRole (the ENIs do not exist yet)"
        }
        return exceptions
    }()

    /// Actions whose wildcard-resource statement must also carry this condition key.
    static let requiredConditionKeys: [String: String] = ["cloudwatch:PutMetricData": "cloudwatch:namespace"]

    /// The findings for a template given as JSON (the output of `deploy template --format json`).
    public static func findings(in template: JSON) -> [Finding] {
        var findings: [Finding] = []
        for (id, resource) in (template["Resources"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            for (index, statement) in statements(of: resource).enumerated() {
                for reason in problems(statement) {
                    findings.append(Finding(resource: id, statementIndex: index, reason: reason))
                }
            }
        }
        return findings
    }

    /// The permission statements of a role, policy or managed policy (trust policies excluded).
    static func statements(of resource: JSON) -> [JSON] {
        let properties = resource["Properties"]
        var documents: [JSON] = []
        switch resource["Type"]?.stringValue {
        case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
            for policy in properties?["Policies"]?.arrayValue ?? [] {
                if let document = policy["PolicyDocument"] { documents.append(document) }
            }
        case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy":
            if let document = properties?["PolicyDocument"] { documents.append(document) }
        default:
            break
        }
        let listed = documents.flatMap { document -> [JSON] in
            let statement = document["Statement"]
            if let list = statement?.arrayValue { return list }
            return statement.map { [$0] } ?? []
        }
        // A conditional statement (`Fn::If` [condition, statement, AWS::NoValue]) is checked as
        // both of its branches.
        return listed.flatMap { statement -> [JSON] in
            guard let branches = statement["Fn::If"]?.arrayValue, branches.count == 3 else { return [statement] }
            return Array(branches.dropFirst().filter { $0.objectValue?["Ref"] == nil })
        }
    }

    /// What is wrong with one statement, if anything.
    static func problems(_ statement: JSON) -> [String] {
        guard statement["Effect"]?.stringValue == "Allow" else { return [] }
        var problems: [String] = []
        if statement["NotAction"] != nil { problems.append("uses NotAction, which grants every other action") }
        if statement["NotResource"] != nil { problems.append("uses NotResource, which grants every other resource") }
        let actions = strings(statement["Action"])
        for action in actions where action == "*" || action.hasSuffix(":*") || action.contains("*") {
            problems.append("action \"\(action)\" is a wildcard; name the actions the code calls")
        }
        let resources = statement["Resource"]
        let wildcardResource = strings(resources).contains("*")
        if wildcardResource {
            let unexcused = actions.filter { resourceWildcardExceptions[$0] == nil }
            if !unexcused.isEmpty {
                problems.append(
                    "\"Resource\": \"*\" for \(unexcused.joined(separator: ", ")), which support resource ARNs; scope them to this stack's ARNs"
                )
            }
            for action in actions {
                guard let key = requiredConditionKeys[action] else { continue }
                let conditions = statement["Condition"]?.objectValue?.values.compactMap(\.objectValue) ?? []
                if !conditions.contains(where: { $0[key] != nil }) {
                    problems.append("\(action) on \"Resource\": \"*\" needs a \(key) condition")
                }
            }
        }
        return problems
    }

    /// The plain strings of a string-or-list value; intrinsic functions (objects) are not wildcards.
    private static func strings(_ value: JSON?) -> [String] {
        switch value {
        case .string(let text): return [text]
        case .array(let items): return items.compactMap(\.stringValue)
        default: return []
        }
    }
}
