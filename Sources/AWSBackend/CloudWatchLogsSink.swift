public import AWSClients
import Foundation
import InfraJSON
public import InfraMonitorCore
public import Logging

/// Structured log events for the two Lambda log groups on CloudWatch Logs.
///
/// Events are buffered and sent by ``flush()`` (one stream per group and process, created on
/// first use), so that a run makes a few calls rather than one per line. Logging never fails the
/// pipeline: a flush that cannot reach the service reports on stderr and keeps the events.
public actor CloudWatchLogsSink: LogSink {
    public let logs: CloudWatchLogsClient
    /// The stream this process writes, in every group.
    public let streamName: String
    private var pending: [LogGroup: [AWSClients.LogEvent]] = [:]
    private var createdStreams: Set<LogGroup> = []

    public init(logs: CloudWatchLogsClient, streamName: String) {
        self.logs = logs
        self.streamName = streamName
    }

    /// A stream name such as `2026/11/25/infra-monitor/web-1/1f2e…`, as Lambda names its streams.
    public static func defaultStreamName(host: String, now: Timestamp = .now()) -> String {
        let suffix = String(UUID().uuidString.lowercased().prefix(8))
        return now.civil.dateString(separator: "/") + "/infra-monitor/" + host + "/" + suffix
    }

    public func log(_ group: LogGroup, level: Logger.Level, message: String, fields: [String: String]) async {
        let now = Timestamp.now()
        var object: [String: JSON] = fields.mapValues { .string($0) }
        object["time"] = .string(now.iso8601Milliseconds)
        object["level"] = .string(level.logName)
        object["message"] = .string(message)
        pending[group, default: []].append(AWSClients.LogEvent(timestamp: now.milliseconds, message: JSON.object(object).text))
    }

    /// The events not sent yet, per group.
    public var pendingCount: Int { pending.values.reduce(0) { $0 + $1.count } }

    public func flush() async { await flushReporting() }

    /// Sends the buffered events; returns the groups that could not be written, with why.
    @discardableResult
    public func flushReporting() async -> [LogGroup: String] {
        var failures: [LogGroup: String] = [:]
        for group in LogGroup.allCases {
            guard let events = pending[group], !events.isEmpty else { continue }
            do {
                if !createdStreams.contains(group) {
                    try await logs.createLogStream(group: group.rawValue, stream: streamName)
                    createdStreams.insert(group)
                }
                try await logs.putLogEvents(group: group.rawValue, stream: streamName, events: events)
                pending[group] = nil
            } catch {
                failures[group] = "\(error)"
                FileHandle.standardError.write(Data("warning: cannot write log events to \(group.rawValue): \(error)\n".utf8))
            }
        }
        return failures
    }
}
