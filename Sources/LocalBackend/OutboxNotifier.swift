import AsyncHTTPClient
import Foundation
import InfraJSON
public import InfraMonitorCore
import Logging
import NIOCore
import NIOHTTP1

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
        let id: Int64
        do {
            id = try await store.addToOutbox(notification)
        } catch {
            try await publishWithoutOutbox(notification, outboxError: error)
            return
        }
        if let url = settings.webhookURL, !url.isEmpty {
            let status = await postWebhook(url: url, notification: notification)
            try await store.setDeliveryStatus(outboxID: id, webhook: status)
        }
        if let to = settings.emailTo, !to.isEmpty {
            let status = await sendMail(to: to, notification: notification)
            try await store.setDeliveryStatus(outboxID: id, email: status)
        }
    }

    /// The time one webhook delivery may take in all, retries included: a webhook that never
    /// answers holds the execution (and the data directory's lock) this long at most.
    public var webhookDeadline: Duration = .seconds(15)

    /// POSTs the message with AsyncHTTPClient, redirects refused (a redirected POST would lose its
    /// body); returns "sent (HTTP 200)" or "failed: …". Only the URL's scheme and host are ever
    /// written to logs or statuses: a webhook's secret may be its path.
    func postWebhook(url: String, notification: PipelineNotification) async -> String {
        guard let target = URL(string: url), ["http", "https"].contains(target.scheme?.lowercased() ?? ""), target.host != nil else {
            return "failed: webhook_url is not an http(s) URL"
        }
        let deadline = NIODeadline.now() + .nanoseconds(Int64(webhookDeadline.components.seconds) * 1_000_000_000)
        var lastProblem = ""
        for attempt in 1...webhookAttempts {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-InfraMonitor-Subject", value: notification.subject)
            request.body = .bytes(ByteBuffer(string: notification.message.text))
            do {
                let remaining = deadline - NIODeadline.now()
                guard remaining > .zero else { break }
                let response = try await Self.client.execute(request, timeout: min(remaining, .seconds(10)))
                _ = try? await response.body.collect(upTo: 65_536)
                let code = Int(response.status.code)
                if (200..<300).contains(code) { return "sent (HTTP \(code))" }
                lastProblem = "HTTP \(code)"
                if (300..<400).contains(code) {
                    lastProblem += " redirect refused; set webhook_url to the final address"
                    break
                }
                if (400..<500).contains(code) && code != 429 { break }
            } catch {
                lastProblem = Redaction.redact(String(describing: error))
            }
            if attempt < webhookAttempts {
                try? await Task.sleep(for: .milliseconds(250 << attempt))
            }
        }
        if lastProblem.isEmpty { lastProblem = "no answer within \(webhookDeadline)" }
        await logs?.log(
            .dataCollector,
            level: .warning,
            message: "webhook delivery failed",
            fields: ["target": Redaction.endpoint(url), "problem": lastProblem]
        )
        return "failed: \(lastProblem)"
    }

    /// The client for webhooks: no redirects, connections refused fail at once.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

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
