import AWSBackend
import AWSClients
import Foundation
import InfraMonitorCore
import TestSupport
import Testing

/// The data-collector's counters in DynamoDB survive a cold start: a second store (a new sandbox)
/// reads what the first one saved.
@Suite(.serialized) struct DynamoDBCollectorStateTests {
    @Test func countersSavedByOneInvocationAreReadByTheNext() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let dynamoDB = DynamoDBClient(client: moto.client)
        try await dynamoDB.createTable(table: "InfraMonitorCollectorState", partitionKey: "state_key")
        let first = DynamoDBCollectorState(dynamoDB: dynamoDB, table: "InfraMonitorCollectorState")
        #expect(try await first.load(host: "web-1", name: "cpu_utilization") == nil)
        try await first.save(host: "web-1", name: "cpu_utilization", value: "cpu 1 2 3 4")
        try await first.save(host: "web-2", name: "cpu_utilization", value: "other host")

        let coldStart = DynamoDBCollectorState(dynamoDB: DynamoDBClient(client: moto.client), table: "InfraMonitorCollectorState")
        #expect(try await coldStart.load(host: "web-1", name: "cpu_utilization") == "cpu 1 2 3 4")
        #expect(try await coldStart.load(host: "web-2", name: "cpu_utilization") == "other host")
        try await coldStart.save(host: "web-1", name: "cpu_utilization", value: "cpu 5 6 7 8")
        #expect(try await first.load(host: "web-1", name: "cpu_utilization") == "cpu 5 6 7 8")
    }
}
