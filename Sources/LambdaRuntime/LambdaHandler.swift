public import InfraJSON

/// What a handler knows about the invocation it serves.
public struct LambdaContext: Sendable, Hashable {
    public var metadata: InvocationMetadata

    public init(metadata: InvocationMetadata) {
        self.metadata = metadata
    }

    /// The request id of the invocation, for log lines.
    public var requestID: String { metadata.requestID }
}

/// A function body: takes the event as JSON and returns the response as JSON.
public protocol LambdaHandler: Sendable {
    func handle(_ event: JSON, context: LambdaContext) async throws -> JSON
}

/// The event body was not JSON: reported as the invocation's error, the loop goes on.
public struct MalformedEvent: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "the event is not valid JSON (\(reason)); send a JSON event" }
}
