import Foundation
import InfraJSON
import InfraMonitorCore
import Logging

/// Log events as JSON lines on stdout: Lambda sends a function's output to its own log group
/// (`/aws/lambda/data-collector` or `/aws/lambda/log-processor`).
struct StdoutLogSink: LogSink {
    func log(_ group: LogGroup, level: Logger.Level, message: String, fields: [String: String]) async {
        var object: [String: JSON] = fields.mapValues { .string($0) }
        object["time"] = .string(Timestamp.now().iso8601Milliseconds)
        object["level"] = .string(level.logName)
        object["message"] = .string(message)
        FileHandle.standardOutput.write(Data((JSON.object(object).text + "\n").utf8))
    }
}
