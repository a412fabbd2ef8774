public import AWSClients
import InfraJSON
public import InfraMonitorCore

/// Collector counters in DynamoDB (the stack's `InfraMonitorCollectorState`, key `state_key`), so
/// that a cold-started data-collector still reports the average since the previous collection
/// (docs/design.md, "Metrics") instead of a one-second window. One item per (host, metric):
/// `state_key` = `<host>/<name>`, `value`, `updated_at`. Reads are strongly consistent: the next
/// invocation may come from another sandbox seconds later.
public struct DynamoDBCollectorState: CollectorStateStore {
    public let dynamoDB: DynamoDBClient
    public let table: String

    public init(dynamoDB: DynamoDBClient, table: String) {
        self.dynamoDB = dynamoDB
        self.table = table
    }

    static func key(host: String, name: String) -> DynamoDBItem { ["state_key": DynamoDBValue.string(host + "/" + name)] }

    public func load(host: String, name: String) async throws -> String? {
        let item = try await dynamoDB.getItem(table: table, key: Self.key(host: host, name: name), consistentRead: true)
        return DynamoDBValue.text(item?["value"])
    }

    public func save(host: String, name: String, value: String) async throws {
        var item = Self.key(host: host, name: name)
        item["value"] = DynamoDBValue.string(value)
        item["updated_at"] = DynamoDBValue.string(Timestamp.now().iso8601Milliseconds)
        try await dynamoDB.putItem(table: table, item: item)
    }
}
