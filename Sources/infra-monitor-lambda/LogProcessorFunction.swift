import AWSBackend
import InfraJSON
import InfraMonitorCore
import LambdaRuntime
import Logging
import Pipeline

/// `_HANDLER=log-processor`: an S3 event notification in (several records, URL-encoded keys),
/// one report per processed object out.
///
/// Every record is processed even when an earlier one fails; the invocation then fails naming
/// the objects that did not go through, so that Lambda's retry processes them again (processing
/// is idempotent).
///
/// With fan-out alarms deployed, they are evaluated after the batches are processed (only those on
/// the metrics processed); an evaluation that fails is logged and reported, and does not fail the
/// invocation (its batches are stored; the next batch evaluates again).
struct LogProcessorFunction: LambdaHandler {
    let processor: LogProcessor
    let bucket: String
    let alarms: FanOutAlarms?
    let logs: any LogSink

    func handle(_ event: JSON, context: LambdaContext) async throws -> JSON {
        var reports: [JSON] = []
        var failures: [String] = []
        for created in try S3EventNotification.objectsCreated(in: event) {
            guard created.bucket == bucket else {
                failures.append("\(created.bucket)/\(created.key): not the configured bucket \(bucket)")
                continue
            }
            do {
                let report = try await processor.handle(created)
                var entry: [String: JSON] = [
                    "key": .string(report.key), "lines": .number(Double(report.lines)),
                    "invalid_lines": .number(Double(report.invalidLines)), "records": .number(Double(report.records)),
                ]
                if let quarantine = report.quarantineKey { entry["quarantine_key"] = .string(quarantine) }
                reports.append(.object(entry))
            } catch {
                failures.append("\(created.key): \(error)")
            }
        }
        var response: [String: JSON] = ["processed": .array(reports)]
        let metrics = Set(reports.compactMap { $0["key"]?.stringValue.flatMap(Self.metric(ofKey:)) })
        if let alarms, !metrics.isEmpty {
            do {
                response["alarm_transitions"] = .array(try await alarms.evaluate(metrics: metrics, at: .now()))
            } catch {
                response["alarm_error"] = .string("\(error)")
                await logs.log(.logProcessor, level: .error, message: "alarm evaluation failed", fields: ["error": "\(error)"])
            }
        }
        if !failures.isEmpty { throw LogProcessorFailure(failures: failures) }
        return .object(response)
    }
}

extension LogProcessorFunction {
    /// The metric a raw batch's key names (`…_<metric>.jsonl.gz`, or `.jsonl` for a batch put by hand).
    static func metric(ofKey key: String) -> String? {
        var name = key
        for suffix in [".gz", ".jsonl"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        return Metric.allCases.first { name.hasSuffix("_" + $0.rawValue) }?.rawValue
    }
}

/// Some objects of an S3 event could not be processed.
struct LogProcessorFailure: Error, CustomStringConvertible {
    var failures: [String]

    var description: String {
        "\(failures.count) object(s) not processed, Lambda retries the event: " + failures.joined(separator: "; ")
    }
}
