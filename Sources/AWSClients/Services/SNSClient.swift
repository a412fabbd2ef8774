/// The SNS operations the pipeline uses (Query protocol, 2010-03-31).
public struct SNSClient: Sendable {
    /// The request layer.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) { self.client = client }

    /// Publishes `message` to `topicARN`; returns the message id.
    @discardableResult
    public func publish(topicARN: String, message: String, subject: String? = nil) async throws -> String {
        var parameters = [("TopicArn", topicARN), ("Message", message)]
        if let subject { parameters.append(("Subject", subject)) }
        let xml = try await client.query(.sns, action: "Publish", parameters: parameters)
        guard let id = xml.string("PublishResult", "MessageId") else {
            throw AWSResponseError(operation: "sns Publish", message: "no MessageId")
        }
        return id
    }

    /// Creates (or finds) the topic `name`; returns its ARN.
    public func createTopic(name: String) async throws -> String {
        let xml = try await client.query(.sns, action: "CreateTopic", parameters: [("Name", name)])
        guard let arn = xml.string("CreateTopicResult", "TopicArn") else {
            throw AWSResponseError(operation: "sns CreateTopic", message: "no TopicArn")
        }
        return arn
    }
}
