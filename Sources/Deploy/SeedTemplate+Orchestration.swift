import Foundation
import InfraJSON

extension SeedTemplate {
    /// The state machine with its role and log group, the schedule rule with its role, the topic
    /// and its email subscription.
    func orchestrationResources() throws -> [String: Resource] {
        let substitutions = try definitionSubstitutions()
        let collectorArn = TemplateValue.getAtt(ID.collector, "Arn")
        let stateMachineStatements: [TemplateValue] = [
            Self.statement(["lambda:InvokeFunction"], [collectorArn, .join(":", [collectorArn, "*"])]),
            Self.statement(["sns:Publish"], [.ref(ID.topic)]),
            Self.logDeliveryStatement,
        ]
        return [
            ID.stateMachineLogs: Resource(
                "AWS::Logs::LogGroup",
                ["LogGroupName": .string(SeedNames.stateMachineLogGroup), "RetentionInDays": .ref(Param.retention)],
                deletionPolicy: "Delete"
            ),
            ID.stateMachineRole: Self.role(service: "states.amazonaws.com", policyName: "pipeline", stateMachineStatements),
            ID.stateMachine: Resource(
                "AWS::StepFunctions::StateMachine",
                [
                    "StateMachineName": .string(SeedNames.stateMachine),
                    "StateMachineType": "STANDARD",
                    "DefinitionString": .string(try compactDefinition()),
                    "DefinitionSubstitutions": .object(substitutions),
                    "RoleArn": .getAtt(ID.stateMachineRole, "Arn"),
                    "LoggingConfiguration": [
                        "Level": "ERROR",
                        "IncludeExecutionData": true,
                        "Destinations": [["CloudWatchLogsLogGroup": ["LogGroupArn": .getAtt(ID.stateMachineLogs, "Arn")]]],
                    ],
                ]
            ),
            ID.ruleRole: Self.role(
                service: "events.amazonaws.com",
                policyName: "start-pipeline",
                [Self.statement(["states:StartExecution"], [.ref(ID.stateMachine)])]
            ),
            ID.rule: Resource(
                "AWS::Events::Rule",
                [
                    "Name": .string(SeedNames.scheduleRule),
                    "Description": "Starts InfraMonitoring-Pipeline-Orch on the schedule",
                    "ScheduleExpression": .ref(Param.schedule),
                    "State": "ENABLED",
                    "Targets": [
                        ["Id": "pipeline", "Arn": .ref(ID.stateMachine), "RoleArn": .getAtt(ID.ruleRole, "Arn")]
                    ],
                ]
            ),
            ID.topic: Resource(
                "AWS::SNS::Topic",
                [
                    "TopicName": .string(SeedNames.topic),
                    "DisplayName": "InfraMonitor",
                    "Subscription": [["Protocol": "email", "Endpoint": .ref(Param.email)]],
                ]
            ),
        ]
    }

    /// Step Functions delivers logs through CloudWatch Logs' vended-log API, whose actions have no
    /// resource-level ARNs: AWS documents `"Resource": "*"` for them.
    static let logDeliveryStatement: TemplateValue = [
        "Effect": "Allow",
        "Action": .list(IAMPolicyCheck.logDeliveryActions.sorted().map { .string($0) }),
        "Resource": "*",
    ]

    /// The values CloudFormation puts in the definition's `${…}` placeholders.
    static let knownSubstitutions: [String: TemplateValue] = [
        "DataCollectorFunctionArn": .getAtt(ID.collector, "Arn"),
        "LogProcessorFunctionArn": .getAtt(ID.processor, "Arn"),
        "AlarmTopicArn": .ref(ID.topic),
        "ShardSize": .ref(FleetParam.shardSize),
    ]

    /// The substitutions the definition uses; a placeholder this stack cannot fill is an error.
    func definitionSubstitutions() throws -> [String: TemplateValue] {
        var result: [String: TemplateValue] = [:]
        for name in Self.placeholders(in: definitionText) {
            guard let value = Self.knownSubstitutions[name] else {
                throw DeployError.definition(
                    "the state-machine definition uses ${\(name)}, which the stack does not provide; use one of "
                        + Self.knownSubstitutions.keys.sorted().joined(separator: ", ")
                )
            }
            result[name] = value
        }
        return result
    }

    /// The definition as compact JSON, validated as JSON first.
    func compactDefinition() throws -> String {
        do {
            return try JSON(parsing: definitionText).text
        } catch {
            throw DeployError.definition("the state-machine definition is not valid JSON (\(error)); fix the file and retry")
        }
    }

    /// The names inside `${…}`, in order of first appearance.
    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "${") {
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
            let name = String(rest[start.upperBound..<end])
            if !names.contains(name) { names.append(name) }
            rest = rest[rest.index(after: end)...]
        }
        return names
    }
}
