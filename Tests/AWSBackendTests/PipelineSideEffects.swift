import AWSBackend
import AWSClients
import InfraJSON
import InfraMonitorCore
import Testing

/// What one successful pipeline execution leaves in moto besides the bucket and the table.
enum PipelineSideEffects {
    /// Expects one `Pipeline Success` for `executionID` on the topic, metric data in
    /// InfraMonitoring for exactly the metrics of `records`, and JSON log events in one stream of
    /// each log group. Returns the messages of those log events, by log group.
    @discardableResult
    static func expect(
        in moto: MotoServer,
        services: AWSServices,
        records: [MetricRecord],
        executionID: String
    ) async throws -> [LogGroup: [String]] {
        let sent = try await moto.sentNotifications()
        #expect(sent.count == 1)
        #expect(sent.first?[2] == "InfraMonitor: Pipeline Success")
        let message = try sent.first?[1]?.stringValue.map { try JSON(parsing: $0) }
        #expect(message?["execution_id"] == .string(executionID))
        #expect(message?["status"] == "SUCCEEDED")

        let metricNames = try await services.cloudWatch.listMetrics(namespace: CloudWatchMetricPublisher.namespace)
        #expect(Set(metricNames) == Set(records.map(\.metric)))
        #expect(Set(metricNames).isSubset(of: Set(Metric.allCases.map(\.rawValue))))

        var messages: [LogGroup: [String]] = [:]
        for group in LogGroup.allCases {
            let streams = try await services.client.json(.logs, operation: "DescribeLogStreams", input: ["logGroupName": .string(group.rawValue)])
            let names = (streams["logStreams"]?.arrayValue ?? []).compactMap { $0["logStreamName"]?.stringValue }
            #expect(names.count == 1, "\(group.rawValue)")
            let events = try await services.logs.getLogEvents(group: group.rawValue, stream: names.first ?? "")
            #expect(!events.isEmpty, "\(group.rawValue)")
            #expect(events.allSatisfy { (try? JSON(parsing: $0.message))?["message"] != nil })
            messages[group] = events.map(\.message)
        }
        return messages
    }
}
