import GRDB
import InfraMonitorCore

extension SQLiteStore: ExecutionStore {
    public func started(_ execution: ExecutionSummary, input: String) async throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO executions (id, status, scheduled_time, started_at, input)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    execution.id, execution.status.rawValue, execution.scheduledTime.iso8601Milliseconds,
                    execution.startedAt.iso8601Milliseconds, input,
                ]
            )
            try db.execute(sql: "DELETE FROM execution_events WHERE execution_id = ?", arguments: [execution.id])
        }
    }

    public func append(_ event: ExecutionEvent, executionID: String) async throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO execution_events
                    (execution_id, event_id, previous_event_id, type, timestamp, state_name, details)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    executionID, event.id, event.previousID, event.type, event.timestamp, event.stateName, event.details,
                ]
            )
        }
    }

    public func finished(_ execution: ExecutionSummary) async throws {
        try write { db in
            try db.execute(
                sql: "UPDATE executions SET status = ?, finished_at = ?, error = ?, cause = ?, output = ? WHERE id = ?",
                arguments: [
                    execution.status.rawValue, execution.finishedAt?.iso8601Milliseconds, execution.error,
                    execution.cause, execution.output, execution.id,
                ]
            )
        }
    }

    public func list(limit: Int) async throws -> [ExecutionSummary] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM executions ORDER BY started_at DESC, id LIMIT ?",
                arguments: [limit]
            ).map(Self.execution(from:))
        }
    }

    public func execution(id: String) async throws -> ExecutionSummary? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM executions WHERE id = ?", arguments: [id]).map(Self.execution(from:))
        }
    }

    public func events(executionID: String) async throws -> [ExecutionEvent] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM execution_events WHERE execution_id = ? ORDER BY event_id",
                arguments: [executionID]
            ).map { row in
                ExecutionEvent(
                    id: row["event_id"],
                    previousID: row["previous_event_id"],
                    type: row["type"],
                    timestamp: row["timestamp"],
                    stateName: row["state_name"],
                    details: row["details"]
                )
            }
        }
    }

    /// Marks executions left `RUNNING` by a process that died as `ABORTED`; returns their ids.
    /// Call only while holding the data directory's run lock.
    @discardableResult
    public func abortInterruptedExecutions(now: Timestamp = .now()) throws -> [String] {
        try write { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM executions WHERE status = 'RUNNING'")
            try db.execute(
                sql: """
                    UPDATE executions SET status = 'ABORTED', finished_at = ?, error = 'States.Aborted',
                    cause = 'the process running this execution stopped before it finished' WHERE status = 'RUNNING'
                    """,
                arguments: [now.iso8601Milliseconds]
            )
            return ids
        }
    }

    static func execution(from row: Row) -> ExecutionSummary {
        func time(_ column: String) -> Timestamp? {
            (row[column] as String?).flatMap { Timestamp.parseRFC3339($0) }
        }
        return ExecutionSummary(
            id: row["id"],
            status: ExecutionStatus(rawValue: row["status"]) ?? .aborted,
            scheduledTime: time("scheduled_time") ?? Timestamp(seconds: 0),
            startedAt: time("started_at") ?? Timestamp(seconds: 0),
            finishedAt: time("finished_at"),
            error: row["error"],
            cause: row["cause"],
            output: row["output"]
        )
    }
}

/// One message of the outbox, with what became of its deliveries.
public struct OutboxMessage: Sendable, Hashable {
    public var id: Int64
    public var createdAt: String
    public var executionID: String?
    public var subject: String
    public var message: String
    public var webhookStatus: String?
    public var emailStatus: String?
}

extension SQLiteStore {
    /// Stores a message in the outbox and returns its id.
    public func addToOutbox(_ notification: PipelineNotification, executionID: String?) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT INTO outbox (created_at, execution_id, subject, message) VALUES (?, ?, ?, ?)",
                arguments: [Timestamp.now().iso8601Milliseconds, executionID, notification.subject, notification.message]
            )
            return db.lastInsertedRowID
        }
    }

    /// Records the outcome of a delivery ("sent", "failed: ...").
    public func setDeliveryStatus(outboxID: Int64, webhook: String? = nil, email: String? = nil) throws {
        try write { db in
            if let webhook {
                try db.execute(sql: "UPDATE outbox SET webhook_status = ? WHERE id = ?", arguments: [webhook, outboxID])
            }
            if let email {
                try db.execute(sql: "UPDATE outbox SET email_status = ? WHERE id = ?", arguments: [email, outboxID])
            }
        }
    }

    /// The newest messages first.
    public func outbox(limit: Int = 100) throws -> [OutboxMessage] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                OutboxMessage(
                    id: row["id"],
                    createdAt: row["created_at"],
                    executionID: row["execution_id"],
                    subject: row["subject"],
                    message: row["message"],
                    webhookStatus: row["webhook_status"],
                    emailStatus: row["email_status"]
                )
            }
        }
    }
}
