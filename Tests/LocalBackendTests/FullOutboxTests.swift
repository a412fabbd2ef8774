import Foundation
import GRDB
import InfraJSON
import InfraMonitorCore
import TestSupport
import Testing

@testable import LocalBackend

/// A failure notification the outbox cannot take ("database or disk is full") is still delivered on
/// every channel, kept beside the database, and sent again by the next start.
@Suite(.serialized) struct FullOutboxTests {
    /// A message larger than a page, so that storing it needs pages a full database does not have.
    static let failure = PipelineNotification(
        subject: "InfraMonitor: Pipeline Failure",
        message: ["execution_id": "full-disk", "status": "FAILED", "cause": .string(String(repeating: "database or disk is full; ", count: 2000))]
    )

    /// Caps the database at the pages it has: every write that needs one more fails with SQLITE_FULL.
    static func fill(_ store: SQLiteStore) async throws {
        try await store.pool.write { db in try db.execute(sql: "PRAGMA max_page_count = 1") }
    }

    static func unfill(_ store: SQLiteStore) async throws {
        try await store.pool.write { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func theFullDatabaseReallyRefusesTheOutboxRow() async throws {
        let folder = try Fixtures.temporaryDirectory("full-outbox-proof")
        let store = try SQLiteStore(path: folder + "/db.sqlite")
        try await Self.fill(store)
        await #expect(throws: LocalBackendError.self) { _ = try await store.addToOutbox(Self.failure) }
    }

    @Test func aNotificationTheOutboxCannotTakeIsDeliveredKeptAndFiledAtTheNextStart() async throws {
        let folder = try Fixtures.temporaryDirectory("full-outbox")
        let received = folder + "/received.jsonl"
        let (server, port) = try await WebhookTests.receiver("record", file: received)
        defer { WebhookTests.stop(server) }
        let (notifier, store) = try WebhookTests.notifier(url: "http://127.0.0.1:\(port)/hook", folder: folder)
        try await Self.fill(store)

        try await notifier.publish(Self.failure)
        #expect(Self.lines(received).count == 1, "delivered although the outbox refused it")
        #expect(Self.lines(received).first?.contains("\"execution_id\":\"full-disk\"") == true)
        #expect(try await store.recent(limit: 5).isEmpty)
        let kept = try FileManager.default.contentsOfDirectory(atPath: notifier.pendingFolder)
        #expect(kept.count == 1)

        try await Self.unfill(store)
        #expect(try await notifier.resendPending() == 1)
        let filed = try await store.recent(limit: 5)
        #expect(filed.count == 1)
        #expect(filed.first?.executionID == "full-disk")
        #expect(filed.first?.deliveries["webhook"] == "sent (HTTP 200)")
        #expect(Self.lines(received).count == 1, "a channel that took it is not sent it twice")
        #expect(try FileManager.default.contentsOfDirectory(atPath: notifier.pendingFolder).isEmpty)
        #expect(try await notifier.resendPending() == 0)
    }

    @Test func aChannelThatWasDownIsSentTheKeptNotificationAtTheNextStart() async throws {
        let folder = try Fixtures.temporaryDirectory("full-outbox-down")
        let closed = try await CommandRunner.freePort()
        let (down, store) = try WebhookTests.notifier(url: "http://127.0.0.1:\(closed)/hook", folder: folder)
        try await Self.fill(store)
        try await down.publish(Self.failure)
        try await Self.unfill(store)

        let received = folder + "/received.jsonl"
        let (server, port) = try await WebhookTests.receiver("record", file: received)
        defer { WebhookTests.stop(server) }
        let up = OutboxNotifier(store: store, settings: Settings.Notifications(webhookURL: "http://127.0.0.1:\(port)/hook"))
        #expect(try await up.resendPending() == 1)
        #expect(Self.lines(received).count == 1)
        #expect(try await store.recent(limit: 1).first?.deliveries["webhook"] == "sent (HTTP 200)")
    }

    @Test func anOutboxRowWhoseDeliveryNeverRanIsDeliveredAtTheNextStart() async throws {
        let folder = try Fixtures.temporaryDirectory("outbox-undelivered")
        let received = folder + "/received.jsonl"
        let (server, port) = try await WebhookTests.receiver("record", file: received)
        defer { WebhookTests.stop(server) }
        let (notifier, store) = try WebhookTests.notifier(url: "http://127.0.0.1:\(port)/hook", folder: folder)
        _ = try await store.addToOutbox(Self.failure)
        #expect(try await notifier.resendPending() == 1)
        #expect(Self.lines(received).count == 1)
        #expect(try await store.recent(limit: 1).first?.deliveries["webhook"] == "sent (HTTP 200)")
    }
}
