import Foundation
import GRDB
import InfraJSON
import InfraMonitorCore

// Alerts that survive the failure they report (issue 15, item 7): when the outbox cannot take a
// notification (a full disk: "database or disk is full"), it is still delivered on every
// configured channel, said on stderr, and kept as a file in `<data-dir>/pending-notifications/`;
// the next start (`resendPending`) puts it in the outbox and delivers it again on every channel
// that did not take it.

extension OutboxNotifier {
    /// The folder of notifications the outbox could not take: beside the database.
    public var pendingFolder: String { (store.path as NSString).deletingLastPathComponent + "/pending-notifications" }

    /// Delivers `notification` on every channel without the outbox, says so on stderr and keeps it
    /// for the next start.
    /// - Throws: `outboxError` when the message reached no channel and could not be kept either.
    func publishWithoutOutbox(_ notification: PipelineNotification, outboxError: any Error) async throws {
        Self.warn("cannot write the notification \"\(notification.subject)\" to the outbox (\(outboxError)); delivering it on every channel")
        var deliveries: [String: JSON] = [:]
        if let url = settings.webhookURL, !url.isEmpty {
            deliveries["webhook"] = .string(await postWebhook(url: url, notification: notification))
        }
        if let to = settings.emailTo, !to.isEmpty {
            deliveries["email"] = .string(await sendMail(to: to, notification: notification))
        }
        for (channel, status) in deliveries.sorted(by: { $0.key < $1.key }) {
            Self.warn("notification \"\(notification.subject)\": \(channel) \(status.stringValue ?? "")")
        }
        let kept: JSON = [
            "subject": .string(notification.subject), "message": notification.message, "deliveries": .object(deliveries),
            "outbox_error": .string("\(outboxError)"),
        ]
        let path = pendingFolder + "/\(Timestamp.now().compactBasic)-\(UUID().uuidString.lowercased()).json"
        do {
            try AtomicFile.write(Array(kept.text.utf8), to: path)
            Self.warn("kept it in \(path); the next start puts it in the outbox")
        } catch {
            Self.warn("cannot keep it either (\(error))")
            let delivered = deliveries.values.contains { ($0.stringValue ?? "").hasPrefix("sent") }
            if !delivered { throw outboxError }
        }
    }

    /// Puts every kept notification in the outbox, delivering it again on each channel that did not
    /// take it, and delivers outbox messages whose delivery never ran (a crash between writing
    /// and delivering, in the last day: older rows are history, not alerts); returns how many
    /// notifications were sent again.
    @discardableResult
    public func resendPending() async throws -> Int {
        var resent = 0
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: pendingFolder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        for name in names {
            let path = pendingFolder + "/" + name
            guard let data = FileManager.default.contents(atPath: path), let kept = try? JSON(parsing: String(decoding: data, as: UTF8.self)),
                let subject = kept["subject"]?.stringValue, let message = kept["message"]
            else { continue }
            let notification = PipelineNotification(subject: subject, message: message)
            let id = try await store.addToOutbox(notification)
            let before = kept["deliveries"]
            try await deliver(notification, outboxID: id, webhookBefore: before?["webhook"]?.stringValue, emailBefore: before?["email"]?.stringValue)
            unlink(path)
            resent += 1
        }
        for undelivered in try await store.undeliveredOutbox(
            webhook: settings.webhookURL?.isEmpty == false,
            email: settings.emailTo?.isEmpty == false
        ) {
            try await deliver(undelivered.notification, outboxID: undelivered.id, webhookBefore: undelivered.webhook, emailBefore: undelivered.email)
            resent += 1
        }
        return resent
    }

    /// Delivers on each configured channel whose earlier status is not a success; records the outcome.
    private func deliver(_ notification: PipelineNotification, outboxID: Int64, webhookBefore: String?, emailBefore: String?) async throws {
        if let url = settings.webhookURL, !url.isEmpty {
            var status = webhookBefore ?? ""
            if !status.hasPrefix("sent") { status = await postWebhook(url: url, notification: notification) }
            try await store.setDeliveryStatus(outboxID: outboxID, webhook: status)
        }
        if let to = settings.emailTo, !to.isEmpty {
            var status = emailBefore ?? ""
            if !status.hasPrefix("sent") { status = await sendMail(to: to, notification: notification) }
            try await store.setDeliveryStatus(outboxID: outboxID, email: status)
        }
    }

    static func warn(_ line: String) {
        FileHandle.standardError.write(Data("infra-monitor: warning: \(line)\n".utf8))
    }
}

/// An outbox message whose delivery on a configured channel never ran.
struct UndeliveredMessage: Sendable {
    var id: Int64
    var notification: PipelineNotification
    var webhook: String?
    var email: String?
}

extension SQLiteStore {
    /// Outbox messages of the last day with no status on a configured channel.
    func undeliveredOutbox(webhook: Bool, email: Bool, now: Timestamp = .now()) async throws -> [UndeliveredMessage] {
        guard webhook || email else { return [] }
        var conditions: [String] = []
        if webhook { conditions.append("webhook_status IS NULL") }
        if email { conditions.append("email_status IS NULL") }
        let since = Timestamp(seconds: now.seconds - 86_400).iso8601Milliseconds
        let sql = "SELECT * FROM outbox WHERE created_at >= ? AND (\(conditions.joined(separator: " OR "))) ORDER BY id"
        return try await read { db in
            try Row.fetchAll(db, sql: sql, arguments: [since]).map { row in
                let text: String = row["message"]
                let message = (try? JSON(parsing: text)) ?? .string(text)
                return UndeliveredMessage(
                    id: row["id"],
                    notification: PipelineNotification(subject: row["subject"], message: message),
                    webhook: row["webhook_status"],
                    email: row["email_status"]
                )
            }
        }
    }
}
