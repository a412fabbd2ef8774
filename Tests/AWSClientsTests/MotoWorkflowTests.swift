import AWSClients
import Foundation
import InfraJSON
import Testing

/// Athena, Step Functions, EventBridge and CloudFormation against moto.
@Suite(.serialized) struct MotoWorkflowTests {
    @Test func athenaStartPollAndResults() async throws {
        try await MotoServer.with { server in
            let athena = AthenaClient(client: AWSClient(configuration: MotoServer.configuration(server)))
            let id = try await athena.startQueryExecution(
                query: "SELECT host, avg(value) FROM metrics GROUP BY host",
                database: "infra",
                outputLocation: "s3://athena-results/"
            )
            try await athena.waitForQuery(id: id, pollInterval: .milliseconds(50))
            let status = try await athena.getQueryExecution(id: id)
            #expect(status.state == "SUCCEEDED")
            let page = try await athena.getQueryResults(id: id)
            #expect(page.nextToken == nil)
        }
    }

    @Test func stepFunctionsLifecycle() async throws {
        try await MotoServer.with { server in
            let states = StepFunctionsClient(client: AWSClient(configuration: MotoServer.configuration(server)))
            let definition = #"{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}"#
            let role = "arn:aws:iam::123456789012:role/infra-monitor-states"
            let arn = try await states.createStateMachine(name: "infra-monitor-pipeline", definition: definition, roleARN: role)
            try await states.updateStateMachine(stateMachineARN: arn, definition: definition)
            #expect(try await states.listStateMachines().map(\.name) == ["infra-monitor-pipeline"])
            let execution = try await states.startExecution(stateMachineARN: arn, input: #"{"hosts":["web-1"]}"#, name: "run-1")
            let described = try await states.describeExecution(executionARN: execution)
            #expect(described.stateMachineARN == arn)
            #expect(["RUNNING", "SUCCEEDED"].contains(described.status))
            #expect(described.input == #"{"hosts":["web-1"]}"#)
            let history = try await states.getExecutionHistory(executionARN: execution)
            #expect(history.first?["type"]?.stringValue == "ExecutionStarted")
        }
    }

    @Test func eventBridgeRuleAndTargets() async throws {
        try await MotoServer.with { server in
            let events = EventBridgeClient(client: AWSClient(configuration: MotoServer.configuration(server)))
            let ruleARN = try await events.putRule(name: "infra-monitor-schedule", scheduleExpression: "rate(5 minutes)")
            #expect(ruleARN.hasSuffix("rule/infra-monitor-schedule"))
            let target = EventBridgeTarget(
                id: "pipeline",
                arn: "arn:aws:states:eu-west-1:123456789012:stateMachine:infra-monitor-pipeline",
                roleARN: "arn:aws:iam::123456789012:role/events",
                input: "{}"
            )
            try await events.putTargets(rule: "infra-monitor-schedule", targets: [target])
            #expect(try await events.listTargets(rule: "infra-monitor-schedule") == [target])
        }
    }

    @Test func cloudFormationStacks() async throws {
        try await MotoServer.with { server in
            let cloudFormation = CloudFormationClient(client: AWSClient(configuration: MotoServer.configuration(server)))
            let template = #"""
                {"Parameters":{"Name":{"Type":"String"}},
                 "Resources":{"Topic":{"Type":"AWS::SNS::Topic","Properties":{"TopicName":{"Ref":"Name"}}}},
                 "Outputs":{"TopicArn":{"Value":{"Ref":"Topic"}}}}
                """#
            #expect(try await cloudFormation.describeStack(name: "infra-monitor") == nil)
            let id = try await cloudFormation.createStack(name: "infra-monitor", templateBody: template, parameters: ["Name": "alerts"])
            #expect(id.contains("infra-monitor"))
            let stack = try #require(try await cloudFormation.describeStack(name: "infra-monitor"))
            #expect(stack.status == "CREATE_COMPLETE")
            #expect(stack.outputs["TopicArn"]?.hasSuffix(":alerts") == true)
            #expect(try await cloudFormation.describeStackEvents(name: "infra-monitor").isEmpty == false)
            try await cloudFormation.deleteStack(name: "infra-monitor")
        }
    }
}
