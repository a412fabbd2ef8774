import AWSClients
import Alarms
import InfraJSON
import InfraMonitorCore

/// Alarm states and history in the stack's `InfraMonitorAlarmState` table (partition key
/// `alarm_key`, sort key `entry`), so that the log-processor keeps each fan-out instance's state
/// between invocations as the embedded store does (docs/alarms.md, "On AWS"):
///
/// - a state: `alarm_key` = `state`, `entry` = the instance id;
/// - a history entry: `alarm_key` = `history#<AlarmName>`, `entry` = `<time>#<instance id>`.
///
/// `save` writes with `BatchWriteItem` in pages of 25 (DynamoDB's limit), history first: not atomic
/// as SQLite's transaction is, but an interrupted save only repeats a transition on the next run.
/// GetItem and the history scans read strongly consistent; Query as DynamoDBClient sends it.
struct DynamoDBAlarmStateStore: AlarmStateStore {
    let dynamoDB: DynamoDBClient
    let table: String

    static let statePartition = "state"

    func state(of instanceID: String) async throws -> AlarmStateRecord? {
        let item = try await dynamoDB.getItem(
            table: table,
            key: ["alarm_key": DynamoDBValue.string(Self.statePartition), "entry": DynamoDBValue.string(instanceID)],
            consistentRead: true
        )
        return item.flatMap(Self.record)
    }

    func allStates() async throws -> [AlarmStateRecord] {
        try await query(partition: Self.statePartition, newestFirst: false, limit: nil).compactMap(Self.record)
            .sorted { $0.instance.id < $1.instance.id }
    }

    func save(states: [AlarmStateRecord], history: [AlarmHistoryEntry]) async throws {
        let items = history.map(Self.item) + states.map(Self.item)
        var start = 0
        while start < items.count {
            try await dynamoDB.batchWriteItem(table: table, items: Array(items[start..<min(start + 25, items.count)]))
            start += 25
        }
    }

    func history(alarmName: String?, limit: Int?) async throws -> [AlarmHistoryEntry] {
        var entries: [AlarmHistoryEntry]
        if let alarmName {
            entries = try await query(partition: "history#" + alarmName, newestFirst: true, limit: limit).compactMap(Self.entry)
        } else {
            entries = try await historyItems().compactMap(Self.entry)
        }
        entries.sort { $0.time > $1.time }
        return limit.map { Array(entries.prefix(max(0, $0))) } ?? entries
    }

    func pruneHistory(olderThan cutoff: Timestamp) async throws -> Int {
        let old = try await historyItems().filter { (Self.entry($0)?.time ?? cutoff) < cutoff }
        var start = 0
        while start < old.count {
            let requests: [JSON] = old[start..<min(start + 25, old.count)].map { item in
                ["DeleteRequest": ["Key": ["alarm_key": item["alarm_key"] ?? .null, "entry": item["entry"] ?? .null]]]
            }
            _ = try await dynamoDB.call("BatchWriteItem", ["RequestItems": [table: .array(requests)]])
            start += 25
        }
        return old.count
    }

    private func query(partition: String, newestFirst: Bool, limit: Int?) async throws -> [DynamoDBItem] {
        var query = DynamoDBQuery(
            table: table,
            keyConditionExpression: "alarm_key = :k",
            expressionAttributeValues: [":k": DynamoDBValue.string(partition)]
        )
        query.scanIndexForward = !newestFirst
        if let limit { query.limit = limit }
        guard limit != nil else { return try await dynamoDB.queryAll(query) }
        return try await dynamoDB.query(query).items
    }

    private func historyItems() async throws -> [DynamoDBItem] {
        var items: [DynamoDBItem] = []
        var start: JSON?
        repeat {
            var input: [String: JSON] = [
                "TableName": .string(table), "ConsistentRead": true, "FilterExpression": "begins_with(alarm_key, :h)",
                "ExpressionAttributeValues": [":h": DynamoDBValue.string("history#")],
            ]
            if let start { input["ExclusiveStartKey"] = start }
            let page = try await dynamoDB.call("Scan", .object(input))
            items += (page["Items"]?.arrayValue ?? []).compactMap(\.objectValue)
            start = page["LastEvaluatedKey"]
        } while start != nil
        return items
    }

    static func item(_ record: AlarmStateRecord) -> DynamoDBItem {
        [
            "alarm_key": DynamoDBValue.string(statePartition), "entry": DynamoDBValue.string(record.instance.id),
            "alarm_name": DynamoDBValue.string(record.instance.alarmName), "labels": DynamoDBValue.string(labelsText(record.instance.labels)),
            "fan_out_labels": DynamoDBValue.string(JSON.array(record.instance.fanOutLabels.map { .string($0) }).text),
            "state": DynamoDBValue.string(record.state.rawValue), "reason": DynamoDBValue.string(record.reason),
            "since": DynamoDBValue.string(record.since.iso8601Milliseconds),
        ]
    }

    static func item(_ entry: AlarmHistoryEntry) -> DynamoDBItem {
        [
            "alarm_key": DynamoDBValue.string("history#" + entry.instance.alarmName),
            "entry": DynamoDBValue.string(entry.time.iso8601Milliseconds + "#" + entry.instance.id),
            "alarm_name": DynamoDBValue.string(entry.instance.alarmName), "labels": DynamoDBValue.string(labelsText(entry.instance.labels)),
            "fan_out_labels": DynamoDBValue.string(JSON.array(entry.instance.fanOutLabels.map { .string($0) }).text),
            "time": DynamoDBValue.string(entry.time.iso8601Milliseconds), "old_state": DynamoDBValue.string(entry.oldState.rawValue),
            "new_state": DynamoDBValue.string(entry.newState.rawValue), "reason": DynamoDBValue.string(entry.reason),
        ]
    }

    static func labelsText(_ labels: [String: String]) -> String { JSON.object(labels.mapValues { .string($0) }).text }

    static func instance(_ item: DynamoDBItem) -> AlarmInstance? {
        guard let name = DynamoDBValue.text(item["alarm_name"]), let labelsText = DynamoDBValue.text(item["labels"]),
            let labels = (try? JSON(parsing: labelsText))?.objectValue?.compactMapValues(\.stringValue),
            let fanOutText = DynamoDBValue.text(item["fan_out_labels"]),
            let fanOut = (try? JSON(parsing: fanOutText))?.arrayValue?.compactMap(\.stringValue)
        else { return nil }
        return AlarmInstance(alarmName: name, labels: labels, fanOutLabels: fanOut)
    }

    static func record(_ item: DynamoDBItem) -> AlarmStateRecord? {
        guard let instance = instance(item), let state = DynamoDBValue.text(item["state"]).flatMap(AlarmState.init(rawValue:)),
            let since = DynamoDBValue.text(item["since"]).flatMap(Timestamp.parseRFC3339)
        else { return nil }
        return AlarmStateRecord(instance: instance, state: state, reason: DynamoDBValue.text(item["reason"]) ?? "", since: since)
    }

    static func entry(_ item: DynamoDBItem) -> AlarmHistoryEntry? {
        guard let instance = instance(item), let time = DynamoDBValue.text(item["time"]).flatMap(Timestamp.parseRFC3339),
            let old = DynamoDBValue.text(item["old_state"]).flatMap(AlarmState.init(rawValue:)),
            let new = DynamoDBValue.text(item["new_state"]).flatMap(AlarmState.init(rawValue:))
        else { return nil }
        return AlarmHistoryEntry(instance: instance, time: time, oldState: old, newState: new, reason: DynamoDBValue.text(item["reason"]) ?? "")
    }
}
