import InfraJSON

/// One log event: milliseconds since the epoch and the message.
public struct LogEvent: Sendable, Hashable {
    /// Epoch milliseconds.
    public var timestamp: Int64
    /// The message.
    public var message: String

    /// An event from its parts.
    public init(timestamp: Int64, message: String) {
        self.timestamp = timestamp
        self.message = message
    }
}

/// Events CloudWatch Logs refused (too old, too new or expired), so the batch was not stored whole.
public struct LogEventsRejectedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The log group.
    public var group: String
    /// The log stream.
    public var stream: String
    /// The service's `rejectedLogEventsInfo`, as JSON.
    public var details: String
    public var description: String {
        "CloudWatch Logs rejected events in \(group)/\(stream): \(details); events must be within 14 days past and 2 hours future"
    }
}

/// CloudWatch Logs (JSON 1.1, `Logs_20140328`): groups, streams and `PutLogEvents` batched
/// under its limits (10,000 events, 1,048,576 bytes counting 26 bytes per event, 24 hours per call).
public struct CloudWatchLogsClient: Sendable {
    /// The request layer.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) { self.client = client }

    /// Creates the log group; an existing group is fine when `ifNotExists`.
    public func createLogGroup(name: String, ifNotExists: Bool = true) async throws {
        try await tolerateExisting(ifNotExists) {
            _ = try await client.json(.logs, operation: "CreateLogGroup", input: ["logGroupName": .string(name)])
        }
    }

    /// Creates the stream in `group`; an existing stream is fine when `ifNotExists`.
    public func createLogStream(group: String, stream: String, ifNotExists: Bool = true) async throws {
        try await tolerateExisting(ifNotExists) {
            _ = try await client.json(
                .logs,
                operation: "CreateLogStream",
                input: ["logGroupName": .string(group), "logStreamName": .string(stream)]
            )
        }
    }

    /// Sends `events` (sorted here by time) in as many calls as the limits need; returns the number of calls.
    @discardableResult
    public func putLogEvents(group: String, stream: String, events: [LogEvent]) async throws -> Int {
        let batches = Self.batches(events)
        for batch in batches {
            let input: JSON = [
                "logGroupName": .string(group), "logStreamName": .string(stream),
                "logEvents": .array(batch.map { ["timestamp": .number(Double($0.timestamp)), "message": .string($0.message)] }),
            ]
            let output = try await client.json(.logs, operation: "PutLogEvents", input: input)
            if let rejected = output["rejectedLogEventsInfo"], rejected.objectValue?.isEmpty == false {
                throw LogEventsRejectedError(group: group, stream: stream, details: rejected.text)
            }
        }
        return batches.count
    }

    /// The events of one stream, oldest first (GetLogEvents, first page).
    public func getLogEvents(group: String, stream: String) async throws -> [LogEvent] {
        let output = try await client.json(
            .logs,
            operation: "GetLogEvents",
            input: ["logGroupName": .string(group), "logStreamName": .string(stream), "startFromHead": true]
        )
        return (output["events"]?.arrayValue ?? []).map {
            LogEvent(timestamp: Int64($0["timestamp"]?.doubleValue ?? 0), message: $0["message"]?.stringValue ?? "")
        }
    }

    /// `events` sorted by time and split under the per-call limits.
    public static func batches(_ events: [LogEvent]) -> [[LogEvent]] {
        let sorted = events.sorted { $0.timestamp < $1.timestamp }
        var batches: [[LogEvent]] = []
        var current: [LogEvent] = []
        var bytes = 0
        for event in sorted {
            let size = event.message.utf8.count + 26
            if let first = current.first,
                current.count == 10_000 || bytes + size > 1_048_576 || event.timestamp - first.timestamp >= 86_400_000
            {
                batches.append(current)
                current = []
                bytes = 0
            }
            current.append(event)
            bytes += size
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    private func tolerateExisting(_ tolerate: Bool, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as AWSError where tolerate && error.code == "ResourceAlreadyExistsException" {
            return
        }
    }
}
