import AWSClients
import Foundation
import InfraJSON
import Testing

/// DynamoDB, SNS, CloudWatch and Logs against moto.
@Suite(.serialized) struct MotoDataTests {
    @Test func dynamoDBItemsBatchesQueriesAndTTL() async throws {
        try await MotoServer.with { server in
            let dynamo = DynamoDBClient(client: AWSClient(configuration: MotoServer.configuration(server)))
            try await dynamo.createTable(table: "InfraMetrics", partitionKey: "pk", sortKey: "sk")
            #expect(try await dynamo.describeTable(table: "InfraMetrics")["TableName"]?.stringValue == "InfraMetrics")
            try await dynamo.updateTimeToLive(table: "InfraMetrics", attribute: "expires_at")

            try await dynamo.putItem(
                table: "InfraMetrics",
                item: ["pk": DynamoDBValue.string("host#web-1"), "sk": DynamoDBValue.string("0000"), "value": DynamoDBValue.number(1.5)]
            )
            let items: [DynamoDBItem] = (1...60).map {
                [
                    "pk": DynamoDBValue.string("host#web-1"), "sk": DynamoDBValue.string(String(format: "%04d", $0)),
                    "value": DynamoDBValue.number($0), "expires_at": DynamoDBValue.number(2_000_000_000),
                ]
            }
            try await dynamo.batchWriteItem(table: "InfraMetrics", items: items)

            let query = DynamoDBQuery(
                table: "InfraMetrics",
                keyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
                expressionAttributeValues: [
                    ":pk": DynamoDBValue.string("host#web-1"), ":from": DynamoDBValue.string("0000"), ":to": DynamoDBValue.string("0050"),
                ],
                limit: 7
            )
            let page = try await dynamo.query(query)
            #expect(page.items.count == 7)
            #expect(page.lastEvaluatedKey != nil)
            let all = try await dynamo.queryAll(query)
            #expect(all.count == 51)
            #expect(all.compactMap { DynamoDBValue.text($0["sk"]) } == (0...50).map { String(format: "%04d", $0) })
            #expect(DynamoDBValue.double(all[0]["value"]) == 1.5)

            let missing = try await dynamo.getItem(table: "InfraMetrics", key: ["pk": DynamoDBValue.string("none"), "sk": DynamoDBValue.string("x")])
            #expect(missing == nil)
            do {
                _ = try await dynamo.describeTable(table: "Missing")
                Issue.record("a missing table was described")
            } catch let error as AWSError {
                #expect(error.code == "ResourceNotFoundException")
                #expect(error.status == 400)
            }
        }
    }

    @Test func snsPublish() async throws {
        try await MotoServer.with { server in
            let sns = SNSClient(client: AWSClient(configuration: MotoServer.configuration(server)))
            let arn = try await sns.createTopic(name: "infra-alerts")
            #expect(arn.hasSuffix(":infra-alerts"))
            let id = try await sns.publish(topicARN: arn, message: "{\"status\":\"FAILED\"}", subject: "Pipeline failed")
            #expect(!id.isEmpty)
            do {
                _ = try await sns.publish(topicARN: "arn:aws:sns:eu-west-1:123456789012:missing", message: "x")
                Issue.record("publishing to a missing topic succeeded")
            } catch let error as AWSError {
                #expect(error.code == "NotFound")
                #expect(error.service == "sns")
            }
        }
    }

    @Test func cloudWatchPutMetricDataInBatches() async throws {
        try await MotoServer.with { server in
            let cloudWatch = CloudWatchClient(client: AWSClient(configuration: MotoServer.configuration(server)))
            let now = Date()
            let data = (0..<1500).map {
                MetricDatum(
                    name: "metric_\($0 % 3)",
                    value: Double($0),
                    unit: "Percent",
                    timestamp: now,
                    dimensions: [("Host", "web-\($0 % 2)")]
                )
            }
            let calls = try await cloudWatch.putMetricData(namespace: "InfraMonitoring", data: data)
            #expect(calls == 2)
            #expect(Set(try await cloudWatch.listMetrics(namespace: "InfraMonitoring")) == ["metric_0", "metric_1", "metric_2"])
        }
    }

    @Test func logsGroupsStreamsAndEvents() async throws {
        try await MotoServer.with { server in
            let logs = CloudWatchLogsClient(client: AWSClient(configuration: MotoServer.configuration(server)))
            try await logs.createLogGroup(name: "/infra-monitor/data-collector")
            try await logs.createLogGroup(name: "/infra-monitor/data-collector")
            try await logs.createLogStream(group: "/infra-monitor/data-collector", stream: "2026/11/25")
            try await logs.createLogStream(group: "/infra-monitor/data-collector", stream: "2026/11/25")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let events = [LogEvent(timestamp: now - 1000, message: "second"), LogEvent(timestamp: now - 2000, message: "first")]
            try await logs.putLogEvents(group: "/infra-monitor/data-collector", stream: "2026/11/25", events: events)
            let read = try await logs.getLogEvents(group: "/infra-monitor/data-collector", stream: "2026/11/25")
            #expect(read.map(\.message) == ["first", "second"])
            let old = [LogEvent(timestamp: now - 30 * 86_400_000, message: "a month old")]
            await #expect(throws: LogEventsRejectedError.self) {
                try await logs.putLogEvents(group: "/infra-monitor/data-collector", stream: "2026/11/25", events: old)
            }
            do {
                try await logs.createLogGroup(name: "/infra-monitor/data-collector", ifNotExists: false)
                Issue.record("creating an existing group twice succeeded")
            } catch let error as AWSError {
                #expect(error.code == "ResourceAlreadyExistsException")
            }
        }
    }
}
