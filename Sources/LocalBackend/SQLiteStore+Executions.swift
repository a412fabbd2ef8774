import GRDB
public import InfraJSON
public import InfraMonitorCore

extension SQLiteStore: ExecutionStore {
    public func started(_ execution: ExecutionSummary, input: JSON) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO executions (id, status, scheduled_time, started_at, input)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    execution.id, execution.status.rawValue, execution.scheduledTime.iso8601Milliseconds,
                    execution.startedAt.iso8601Milliseconds, input.text,
                ]
            )
            try db.execute(sql: "DELETE FROM execution_events WHERE execution_id = ?", arguments: [execution.id])
        }
    }

    public func append(_ event: ExecutionEvent, executionID: String) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO execution_events
                    (execution_id, event_id, previous_event_id, type, timestamp, state_name, details)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    executionID, event.id, event.previousID, event.type.name, event.timestamp, event.stateName, event.details.text,
                ]
            )
        }
    }

    public func finished(_ execution: ExecutionSummary) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE executions SET status = ?, finished_at = ?, error = ?, cause = ?, output = ? WHERE id = ?",
                arguments: [
                    execution.status.rawValue, execution.finishedAt?.iso8601Milliseconds, execution.error,
                    execution.cause, execution.output?.text, execution.id,
                ]
            )
        }
    }

    public func list(limit: Int) async throws -> [ExecutionSummary] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM executions ORDER BY started_at DESC, id LIMIT ?",
                arguments: [limit]
            ).map(Self.execution(from:))
        }
    }

    public func execution(id: String) async throws -> ExecutionSummary? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM executions WHERE id = ?", arguments: [id]).map(Self.execution(from:))
        }
    }

    public func events(executionID: String) async throws -> [ExecutionEvent] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM execution_events WHERE execution_id = ? ORDER BY event_id",
                arguments: [executionID]
            ).map { row in
                let details: String = row["details"]
                return ExecutionEvent(
                    id: row["event_id"],
                    previousID: row["previous_event_id"],
                    type: ExecutionEventType(name: row["type"]),
                    timestamp: row["timestamp"],
                    stateName: row["state_name"],
                    details: (try? JSON(parsing: details)) ?? .string(details)
                )
            }
        }
    }

    public func abortInterrupted(now: Timestamp) async throws -> [String] {
        try await write { db in
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

    public func totals() async throws -> ExecutionTotals {
        try await read { db in
            var counts: [ExecutionStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM executions GROUP BY status") {
                if let status = ExecutionStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            let duration =
                try Double.fetchOne(
                    db,
                    sql: """
                        SELECT COALESCE(SUM((julianday(finished_at) - julianday(started_at)) * 86400.0), 0)
                        FROM executions WHERE finished_at IS NOT NULL
                        """
                ) ?? 0
            let latest = try String.fetchOne(db, sql: "SELECT MAX(scheduled_time) FROM executions")
            return ExecutionTotals(
                countByStatus: counts,
                durationSeconds: duration,
                latestScheduledTime: latest.flatMap { Timestamp.parseRFC3339($0) }
            )
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
            output: (row["output"] as String?).flatMap { try? JSON(parsing: $0) }
        )
    }
}

extension SQLiteStore: NotificationLog {
    /// Stores a message in the outbox and returns its id.
    public func addToOutbox(_ notification: PipelineNotification) async throws -> Int64 {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO outbox (created_at, execution_id, subject, message) VALUES (?, ?, ?, ?)",
                arguments: [
                    Timestamp.now().iso8601Milliseconds, notification.executionID, notification.subject, notification.message.text,
                ]
            )
            return db.lastInsertedRowID
        }
    }

    /// Records the outcome of a delivery ("sent", "failed: ...").
    public func setDeliveryStatus(outboxID: Int64, webhook: String? = nil, email: String? = nil) async throws {
        try await write { db in
            if let webhook {
                try db.execute(sql: "UPDATE outbox SET webhook_status = ? WHERE id = ?", arguments: [webhook, outboxID])
            }
            if let email {
                try db.execute(sql: "UPDATE outbox SET email_status = ? WHERE id = ?", arguments: [email, outboxID])
            }
        }
    }

    /// The newest messages first.
    public func recent(limit: Int) async throws -> [NotificationRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                let message: String = row["message"]
                var deliveries: [String: String] = [:]
                if let webhook = row["webhook_status"] as String? { deliveries["webhook"] = webhook }
                if let email = row["email_status"] as String? { deliveries["email"] = email }
                return NotificationRecord(
                    id: row["id"],
                    createdAt: row["created_at"],
                    executionID: row["execution_id"],
                    subject: row["subject"],
                    message: (try? JSON(parsing: message)) ?? .string(message),
                    deliveries: deliveries
                )
            }
        }
    }
}
