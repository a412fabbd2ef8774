public import Alarms
import GRDB
public import InfraMonitorCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Alarm states and history in the embedded database: `alarm_states` (one row per alarm instance)
/// and `alarm_history` (one row per state change), created by the migration "Create alarm tables".
extension SQLiteStore: AlarmStateStore {
    public func state(of instanceID: String) async throws -> AlarmStateRecord? {
        try await write { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alarm_states WHERE instance_id = ?", arguments: [instanceID])
                .map(self.alarmState(from:))
        }
    }

    public func allStates() async throws -> [AlarmStateRecord] {
        try await write { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alarm_states ORDER BY instance_id").map(self.alarmState(from:))
        }
    }

    public func save(states: [AlarmStateRecord], history: [AlarmHistoryEntry]) async throws {
        try await write { db in
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO alarm_states (instance_id, alarm_name, labels, fan_out_labels, state, reason, since)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            )
            for record in states {
                let instance = record.instance
                try upsert.execute(arguments: [
                    instance.id, instance.alarmName, Self.labelsText(instance.labels), Self.listText(instance.fanOutLabels),
                    record.state.rawValue, record.reason, record.since.iso8601Milliseconds,
                ])
            }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO alarm_history (instance_id, alarm_name, labels, fan_out_labels, time, old_state, new_state, reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            for entry in history {
                let instance = entry.instance
                try insert.execute(arguments: [
                    instance.id, instance.alarmName, Self.labelsText(instance.labels), Self.listText(instance.fanOutLabels),
                    entry.time.iso8601Milliseconds, entry.oldState.rawValue, entry.newState.rawValue, entry.reason,
                ])
            }
        }
    }

    public func history(alarmName: String?, limit: Int?) async throws -> [AlarmHistoryEntry] {
        try await write { db in
            var sql = "SELECT * FROM alarm_history"
            var arguments: StatementArguments = []
            if let alarmName {
                sql += " WHERE alarm_name = ?"
                arguments += [alarmName]
            }
            sql += " ORDER BY time DESC, id DESC"
            if let limit {
                sql += " LIMIT ?"
                arguments += [max(0, limit)]
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(self.alarmHistory(from:))
        }
    }

    public func pruneHistory(olderThan cutoff: Timestamp) async throws -> Int {
        try await write { db in
            // `time` is `YYYY-MM-DDTHH:MM:SS.mmmZ`, which sorts in time order.
            try db.execute(sql: "DELETE FROM alarm_history WHERE time < ?", arguments: [cutoff.flooredToMilliseconds.iso8601Milliseconds])
            return db.changesCount
        }
    }

    private func alarmState(from row: Row) throws -> AlarmStateRecord {
        AlarmStateRecord(
            instance: try instance(from: row),
            state: try state(row["state"]),
            reason: row["reason"],
            since: try time(row["since"])
        )
    }

    private func alarmHistory(from row: Row) throws -> AlarmHistoryEntry {
        AlarmHistoryEntry(
            instance: try instance(from: row),
            time: try time(row["time"]),
            oldState: try state(row["old_state"]),
            newState: try state(row["new_state"]),
            reason: row["reason"]
        )
    }

    private func instance(from row: Row) throws -> AlarmInstance {
        let labelsText: String = row["labels"]
        let fanOutText: String = row["fan_out_labels"]
        do {
            return AlarmInstance(
                alarmName: row["alarm_name"],
                labels: try JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8)),
                fanOutLabels: try JSONDecoder().decode([String].self, from: Data(fanOutText.utf8))
            )
        } catch {
            throw LocalBackendError.database(path: self.path, reason: "unreadable labels \(labelsText)")
        }
    }

    private func state(_ text: String) throws -> AlarmState {
        guard let state = AlarmState(rawValue: text) else {
            throw LocalBackendError.database(path: self.path, reason: "unknown alarm state \(text)")
        }
        return state
    }

    private func time(_ text: String) throws -> Timestamp {
        guard let time = Timestamp.parseRFC3339(text) else {
            throw LocalBackendError.database(path: self.path, reason: "unreadable time \(text)")
        }
        return time
    }

    private static func labelsText(_ labels: [String: String]) -> String {
        var out = ""
        JSONText.appendLabels(labels, to: &out)
        return out
    }

    private static func listText(_ values: [String]) -> String {
        var out = "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            JSONText.appendString(value, to: &out)
        }
        return out + "]"
    }
}
