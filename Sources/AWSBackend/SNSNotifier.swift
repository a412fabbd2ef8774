public import AWSClients
import InfraJSON
public import InfraMonitorCore

/// Publishes the pipeline's notifications to the `InfraMonitoring-Alarms` topic.
public struct SNSNotifier: Notifier {
    public let sns: SNSClient
    let topicARN: @Sendable () async throws -> String

    /// The topic name of the seed.
    public static let topicName = "InfraMonitoring-Alarms"

    /// A notifier for the topic `topicARN`.
    public init(sns: SNSClient, topicARN: String) {
        self.init(sns: sns) { topicARN }
    }

    /// A notifier that finds the topic's ARN when it first publishes (so that building it makes
    /// no call, and an unreachable endpoint fails the publish, not the set-up).
    public init(sns: SNSClient, resolveTopicARN: @escaping @Sendable () async throws -> String) {
        self.sns = sns
        self.topicARN = resolveTopicARN
    }

    public func publish(_ notification: PipelineNotification) async throws {
        try await sns.publish(topicARN: try await topicARN(), message: notification.message.text, subject: notification.subject)
    }
}
