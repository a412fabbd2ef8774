import Foundation
public import InfraMonitorCore

#if canImport(FoundationNetworking)
import FoundationNetworking
import InfraJSON
import Logging
#endif

/// SNS on one machine: every message lands in the outbox table first (so none is lost), then is
/// delivered to the optional webhook (HTTP POST of the JSON body) and the optional email address
/// (through the local `sendmail` interface). Delivery outcomes are recorded beside the message;
/// a failed delivery never fails the pipeline.
public struct OutboxNotifier: Notifier {
    public let store: SQLiteStore
    public let settings: Settings.Notifications
    public let logs: (any LogSink)?
    /// Attempts per webhook delivery.
    public var webhookAttempts = 3

    public init(store: SQLiteStore, settings: Settings.Notifications, logs: (any LogSink)? = nil) {
        self.store = store
        self.settings = settings
        self.logs = logs
    }

    public func publish(_ notification: PipelineNotification) async throws {
        let id = try await store.addToOutbox(notification)
        if let url = settings.webhookURL, !url.isEmpty {
            let status = await postWebhook(url: url, notification: notification)
            try await store.setDeliveryStatus(outboxID: id, webhook: status)
        }
        if let to = settings.emailTo, !to.isEmpty {
            let status = await sendMail(to: to, notification: notification)
            try await store.setDeliveryStatus(outboxID: id, email: status)
        }
    }

    /// POSTs the message; returns "sent (HTTP 200)" or "failed: …" with the URL's secrets removed.
    func postWebhook(url: String, notification: PipelineNotification) async -> String {
        guard let target = URL(string: url), ["http", "https"].contains(target.scheme?.lowercased() ?? "") else {
            return "failed: webhook_url is not an http(s) URL"
        }
        var request = URLRequest(url: target, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(notification.subject, forHTTPHeaderField: "X-InfraMonitor-Subject")
        request.httpBody = Data(notification.message.text.utf8)
        var lastProblem = ""
        for attempt in 1...webhookAttempts {
            do {
                let (_, response) = try await URLSession.shared.data(for: request)
                let code = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200..<300).contains(code) { return "sent (HTTP \(code))" }
                lastProblem = "HTTP \(code)"
                if (400..<500).contains(code) && code != 429 { break }
            } catch {
                lastProblem = Redaction.redact(error.localizedDescription)
            }
            if attempt < webhookAttempts {
                try? await Task.sleep(for: .milliseconds(250 << attempt))
            }
        }
        await logs?.log(
            .dataCollector,
            level: .warning,
            message: "webhook delivery failed",
            fields: ["target": Redaction.redact(url), "problem": lastProblem]
        )
        return "failed: \(lastProblem)"
    }

    /// Pipes an RFC 5322 message to `sendmail -t -i`; returns "sent" or "failed: …". The child is
    /// awaited through its termination handler, so no thread waits for it.
    func sendMail(to: String, notification: PipelineNotification) async -> String {
        guard FileManager.default.isExecutableFile(atPath: settings.sendmailPath) else {
            return "failed: no sendmail at \(settings.sendmailPath); install an MTA or set notifications.sendmail_path"
        }
        let clean = { (s: String) in s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") }
        let mail = """
            To: \(clean(to))
            From: \(clean(settings.emailFrom))
            Subject: \(clean(notification.subject))
            Content-Type: application/json; charset=utf-8

            \(notification.message.text)

            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: settings.sendmailPath)
        process.arguments = ["-t", "-i"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let status: Int32
        do {
            status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: error)
                    return
                }
                input.fileHandleForWriting.write(Data(mail.utf8))
                try? input.fileHandleForWriting.close()
            }
        } catch {
            return "failed: \(error.localizedDescription)"
        }
        return status == 0 ? "sent" : "failed: sendmail exited \(status)"
    }
}
