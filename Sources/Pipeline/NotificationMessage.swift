public import Collectors
public import InfraJSON
public import InfraMonitorCore

/// Builds the "Pipeline Success" / "Pipeline Failure" message (docs/design.md, "Notifications") from the Parameters
/// of the state machine's `sns:publish` Task.
public enum NotificationMessage {
    /// The subject prefix of every message.
    public static let subjectPrefix = "InfraMonitor: "

    /// - Parameters:
    ///   - parameters: `{"TopicArn","Subject","Message":{execution_id,status,started_at,branches?,error?,cause?}}`
    ///     (Message may also be JSON text).
    ///   - finishedAt: when the execution finished; `duration_ms` counts from `started_at`.
    ///   - collected: samples per metric the data-collector stored in this execution.
    ///   - failedTargets: scrape targets that could not be collected, listed as `failed_targets`.
    public static func build(
        parameters: JSON,
        finishedAt: Timestamp,
        collected: [String: Int],
        failedTargets: [TargetFailure] = []
    ) -> PipelineNotification {
        var message: [String: JSON]
        switch parameters["Message"] {
        case .object(let object): message = object
        case .string(let text): message = (try? JSON(parsing: text))?.objectValue ?? ["text": .string(text)]
        default: message = [:]
        }
        let status = message["status"]?.stringValue ?? "FAILED"
        let subject =
            parameters["Subject"]?.stringValue
            ?? subjectPrefix + (status == "SUCCEEDED" ? "Pipeline Success" : "Pipeline Failure")

        var samples: [String: JSON] = [:]
        for (metric, count) in collected { samples[metric] = .number(Double(count)) }
        var keys: [JSON] = []
        if case .array(let branches)? = message["branches"] {
            for branch in branches {
                if let metric = branch["metric"]?.stringValue, let count = branch["samples"]?.doubleValue {
                    samples[metric] = .number(count)
                }
                if let key = branch["key"] { keys.append(key) }
                // A branch over several shards lists every shard's batch.
                keys += branch["keys"]?.arrayValue ?? []
            }
        }
        message["branches"] = nil
        message["samples"] = .object(samples)
        if !keys.isEmpty { message["objects"] = .array(keys) }
        if !failedTargets.isEmpty {
            var seen = Set<TargetFailure>()
            message["failed_targets"] = .array(
                failedTargets.filter { seen.insert($0).inserted }.map { ["target": .string($0.target), "error": .string($0.error)] }
            )
        }
        message["finished_at"] = .string(finishedAt.iso8601Milliseconds)
        if let started = message["started_at"]?.stringValue.flatMap({ Timestamp.parseRFC3339($0) }) {
            message["duration_ms"] = .number(Double(finishedAt.milliseconds - started.milliseconds))
        }
        if status != "SUCCEEDED" {
            message["error"] = message["error"] ?? .string("States.Runtime")
            message["cause"] = message["cause"] ?? .string("")
        }
        return PipelineNotification(subject: subject, message: .object(message))
    }
}
