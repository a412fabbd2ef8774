public import AWSClients
import InfraJSON
public import InfraMonitorCore

/// The `InfraMetrics` table on DynamoDB: items per docs/design.md, "Records", written with BatchWriteItem.
public struct DynamoDBMetricTable: MetricTable {
    public let dynamoDB: DynamoDBClient
    public let table: String

    /// The table name of the seed.
    public static let tableName = "InfraMetrics"

    public init(dynamoDB: DynamoDBClient, table: String = DynamoDBMetricTable.tableName) {
        self.dynamoDB = dynamoDB
        self.table = table
    }

    public func upsert(_ records: [MetricRecord]) async throws {
        // One batch must not name the same key twice; the last record of a key wins, as PutItem would.
        var latest: [String: Int] = [:]
        for (index, record) in records.enumerated() { latest[record.metricID + "\u{0}" + record.timestampText] = index }
        let items = records.indices.filter { latest[records[$0].metricID + "\u{0}" + records[$0].timestampText] == $0 }
            .map { MetricRecordItem.item(records[$0]) }
        guard !items.isEmpty else { return }
        try await dynamoDB.batchWriteItem(table: table, items: items)
    }

    public func records(metricID: String?, from: Timestamp?, to: Timestamp?, limit: Int?) async throws -> [MetricRecord] {
        let items: [[String: JSON]]
        if let metricID {
            var condition = "metric_id = :id"
            var values: [String: JSON] = [":id": DynamoDBValue.string(metricID)]
            switch (from, to) {
            case (let from?, let to?):
                condition += " AND #t BETWEEN :from AND :to"
                values[":from"] = DynamoDBValue.string(from.iso8601Milliseconds)
                values[":to"] = DynamoDBValue.string(to.iso8601Milliseconds)
            case (let from?, nil):
                condition += " AND #t >= :from"
                values[":from"] = DynamoDBValue.string(from.iso8601Milliseconds)
            case (nil, let to?):
                condition += " AND #t < :to"
                values[":to"] = DynamoDBValue.string(to.iso8601Milliseconds)
            case (nil, nil):
                break
            }
            let names = condition.contains("#t") ? ["#t": "timestamp"] : [:]
            items = try await dynamoDB.queryAll(
                DynamoDBQuery(table: table, keyConditionExpression: condition, expressionAttributeValues: values, expressionAttributeNames: names)
            )
        } else {
            items = try await scanAll()
        }
        var records = try items.map(MetricRecordItem.record).filter { record in
            (from.map { record.timestamp.flooredToMilliseconds >= $0.flooredToMilliseconds } ?? true)
                && (to.map { record.timestamp.flooredToMilliseconds < $0.flooredToMilliseconds } ?? true)
        }
        records.sort { ($0.metricID, $0.timestampText) < ($1.metricID, $1.timestampText) }
        if let limit { records = Array(records.prefix(limit)) }
        return records
    }

    /// Every item of the table, following `LastEvaluatedKey`.
    func scanAll() async throws -> [[String: JSON]] {
        var items: [[String: JSON]] = []
        var start: JSON?
        repeat {
            var input: [String: JSON] = ["TableName": .string(table)]
            if let start { input["ExclusiveStartKey"] = start }
            let output = try await dynamoDB.call("Scan", .object(input))
            items += (output["Items"]?.arrayValue ?? []).compactMap(\.objectValue)
            start = output["LastEvaluatedKey"]
        } while start != nil
        return items
    }
}
