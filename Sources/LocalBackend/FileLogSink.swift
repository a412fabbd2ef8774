import Foundation
public import InfraMonitorCore
public import Logging
import Synchronization

/// The two Lambda log groups as JSON Lines files: `<data-dir>/logs/<group>.jsonl`.
///
/// Each line: `{"time":…,"log_group":…,"level":…,"message":…,…fields}`. Values of fields whose
/// name suggests a secret are replaced by `***`.
public final class FileLogSink: LogSink {
    public let folder: String
    private let lock = Mutex(())

    public init(folder: String) {
        self.folder = folder
    }

    /// The file of one group.
    public func path(for group: LogGroup) -> String { folder + "/" + group.shortName + ".jsonl" }

    public func log(_ group: LogGroup, level: Logger.Level, message: String, fields: [String: String]) async {
        var line = "{\"time\":\"" + Timestamp.now().iso8601Milliseconds + "\",\"log_group\":"
        JSONText.appendString(group.rawValue, to: &line)
        line += ",\"level\":"
        JSONText.appendString(level.logName, to: &line)
        line += ",\"message\":"
        JSONText.appendString(Redaction.redact(message), to: &line)
        for key in fields.keys.sorted() {
            line += ","
            JSONText.appendString(key, to: &line)
            line += ":"
            JSONText.appendString(Redaction.isSecret(key) ? "***" : Redaction.redact(fields[key]!), to: &line)
        }
        line += "}\n"
        let path = path(for: group)
        lock.withLock { _ in
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return }
            _ = line.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
            close(fd)
        }
    }
}

/// Keeps secrets out of logs and messages.
public enum Redaction {
    /// Whether a field name suggests a secret.
    public static func isSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["secret", "password", "token", "authorization", "credential", "webhook"].contains { lower.contains($0) }
    }

    /// Only the scheme, host and port of a URL (`https://hooks.slack.com/…`): what may be shown of a
    /// webhook, whose path can be its secret (Slack's and Discord's are).
    public static func endpoint(_ url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return "(unparsable URL)" }
        return scheme + "://" + host + (parsed.port.map { ":\($0)" } ?? "") + "/…"
    }

    /// Removes user info and query strings from URLs in `text` (`https://user:pw@host/p?token=x` → `https://host/p?…`).
    public static func redact(_ text: String) -> String {
        guard text.contains("://") else { return text }
        return text.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
            guard let schemeEnd = word.range(of: "://") else { return String(word) }
            var rest = word[schemeEnd.upperBound...]
            if let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/") { rest = rest[rest.index(after: at)...] }
            if let query = rest.firstIndex(of: "?") { rest = rest[..<query] + "?…" }
            return String(word[..<schemeEnd.upperBound]) + rest
        }.joined(separator: " ")
    }
}
