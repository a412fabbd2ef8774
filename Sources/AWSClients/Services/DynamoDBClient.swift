public import InfraJSON

/// A DynamoDB item in the wire form: attribute name → typed value such as `{"S": "x"}`,
/// `{"N": "1.5"}`, `{"BOOL": true}`, `{"M": {...}}`, `{"L": [...]}`.
public typealias DynamoDBItem = [String: JSON]

/// Builders for DynamoDB's typed attribute values.
public enum DynamoDBValue {
    /// A string attribute `{"S": value}`.
    public static func string(_ value: String) -> JSON { ["S": .string(value)] }
    /// A number attribute `{"N": "value"}` (DynamoDB sends numbers as strings).
    public static func number(_ value: Double) -> JSON {
        let text = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        return ["N": .string(text)]
    }
    /// A number attribute from an integer.
    public static func number(_ value: Int) -> JSON { ["N": .string(String(value))] }
    /// A boolean attribute.
    public static func bool(_ value: Bool) -> JSON { ["BOOL": .bool(value)] }
    /// A map attribute.
    public static func map(_ value: DynamoDBItem) -> JSON { ["M": .object(value)] }
    /// A list attribute.
    public static func list(_ value: [JSON]) -> JSON { ["L": .array(value)] }

    /// The text of an `S` or `N` attribute.
    public static func text(_ attribute: JSON?) -> String? { attribute?["S"]?.stringValue ?? attribute?["N"]?.stringValue }
    /// The value of an `N` attribute.
    public static func double(_ attribute: JSON?) -> Double? { attribute?["N"]?.stringValue.flatMap(Double.init) }
}

/// The input of a DynamoDB `Query`.
public struct DynamoDBQuery: Sendable, Hashable {
    /// The table.
    public var table: String
    /// The key condition, e.g. `pk = :pk AND sk BETWEEN :from AND :to`.
    public var keyConditionExpression: String
    /// Values of the `:name` placeholders.
    public var expressionAttributeValues: DynamoDBItem
    /// Names of the `#name` placeholders.
    public var expressionAttributeNames: [String: String]
    /// A secondary index to query instead of the table.
    public var indexName: String?
    /// The most items one page evaluates.
    public var limit: Int?
    /// Ascending sort-key order when `true` (DynamoDB's default).
    public var scanIndexForward: Bool
    /// A filter applied after the key condition.
    public var filterExpression: String?

    /// A query from its parts.
    public init(
        table: String,
        keyConditionExpression: String,
        expressionAttributeValues: DynamoDBItem,
        expressionAttributeNames: [String: String] = [:],
        indexName: String? = nil,
        limit: Int? = nil,
        scanIndexForward: Bool = true,
        filterExpression: String? = nil
    ) {
        self.table = table
        self.keyConditionExpression = keyConditionExpression
        self.expressionAttributeValues = expressionAttributeValues
        self.expressionAttributeNames = expressionAttributeNames
        self.indexName = indexName
        self.limit = limit
        self.scanIndexForward = scanIndexForward
        self.filterExpression = filterExpression
    }
}

/// One page of a query.
public struct DynamoDBQueryPage: Sendable, Hashable {
    /// The items.
    public var items: [DynamoDBItem]
    /// Where the next page starts; `nil` on the last page.
    public var lastEvaluatedKey: DynamoDBItem?
}

/// Items `BatchWriteItem` still had unprocessed after every retry.
public struct DynamoDBUnprocessedItemsError: Error, Sendable, CustomStringConvertible {
    /// The table.
    public var table: String
    /// How many items were not written.
    public var count: Int
    public var description: String {
        "\(count) items were not written to \(table) after retries (throughput exceeded); retry later or raise the table's capacity"
    }
}

/// The DynamoDB operations the pipeline uses (JSON 1.0, target `DynamoDB_20120810`).
public struct DynamoDBClient: Sendable {
    /// The request layer.
    public let client: AWSClient
    /// Rounds of `UnprocessedItems` retries in ``batchWriteItem(table:items:)``.
    public var unprocessedRetries: Int
    private let service = AWSService.dynamoDB

    /// A client over `client`.
    public init(client: AWSClient, unprocessedRetries: Int = 5) {
        self.client = client
        self.unprocessedRetries = unprocessedRetries
    }

    /// Calls any DynamoDB operation with a JSON input.
    public func call(_ operation: String, _ input: JSON) async throws -> JSON {
        try await client.json(service, operation: operation, input: input)
    }

    /// Writes `item`, replacing any item with the same key (or only when `conditionExpression` holds).
    public func putItem(table: String, item: DynamoDBItem, conditionExpression: String? = nil) async throws {
        var input: [String: JSON] = ["TableName": .string(table), "Item": .object(item)]
        if let conditionExpression { input["ConditionExpression"] = .string(conditionExpression) }
        _ = try await call("PutItem", .object(input))
    }

    /// The item with `key`, or `nil`.
    public func getItem(table: String, key: DynamoDBItem, consistentRead: Bool = false) async throws -> DynamoDBItem? {
        let output = try await call(
            "GetItem",
            ["TableName": .string(table), "Key": .object(key), "ConsistentRead": .bool(consistentRead)]
        )
        return output["Item"]?.objectValue
    }

    /// Writes `items` in requests of 25, resubmitting `UnprocessedItems` with backoff; throws
    /// ``DynamoDBUnprocessedItemsError`` when some remain after ``unprocessedRetries`` rounds.
    public func batchWriteItem(table: String, items: [DynamoDBItem]) async throws {
        var generator = SystemRandomNumberGenerator()
        for start in stride(from: 0, to: items.count, by: 25) {
            var pending: [JSON] = items[start..<min(items.count, start + 25)].map { ["PutRequest": ["Item": .object($0)]] }
            var round = 0
            while !pending.isEmpty {
                let output = try await call("BatchWriteItem", ["RequestItems": .object([table: .array(pending)])])
                pending = output["UnprocessedItems"]?[table]?.arrayValue ?? []
                if pending.isEmpty { break }
                if round >= unprocessedRetries { throw DynamoDBUnprocessedItemsError(table: table, count: pending.count) }
                try await Task.sleep(for: client.configuration.retryPolicy.delay(retry: round, using: &generator))
                round += 1
            }
        }
    }

    /// One page of `query`, starting at `exclusiveStartKey`.
    public func query(_ query: DynamoDBQuery, exclusiveStartKey: DynamoDBItem? = nil) async throws -> DynamoDBQueryPage {
        var input: [String: JSON] = [
            "TableName": .string(query.table),
            "KeyConditionExpression": .string(query.keyConditionExpression),
            "ExpressionAttributeValues": .object(query.expressionAttributeValues),
            "ScanIndexForward": .bool(query.scanIndexForward),
        ]
        if !query.expressionAttributeNames.isEmpty {
            input["ExpressionAttributeNames"] = .object(query.expressionAttributeNames.mapValues { .string($0) })
        }
        if let index = query.indexName { input["IndexName"] = .string(index) }
        if let limit = query.limit { input["Limit"] = .number(Double(limit)) }
        if let filter = query.filterExpression { input["FilterExpression"] = .string(filter) }
        if let exclusiveStartKey { input["ExclusiveStartKey"] = .object(exclusiveStartKey) }
        let output = try await call("Query", .object(input))
        return DynamoDBQueryPage(
            items: (output["Items"]?.arrayValue ?? []).compactMap(\.objectValue),
            lastEvaluatedKey: output["LastEvaluatedKey"]?.objectValue
        )
    }

    /// Every item `query` matches, following `LastEvaluatedKey`.
    public func queryAll(_ query: DynamoDBQuery) async throws -> [DynamoDBItem] {
        var items: [DynamoDBItem] = []
        var start: DynamoDBItem?
        repeat {
            let page = try await self.query(query, exclusiveStartKey: start)
            items += page.items
            start = page.lastEvaluatedKey
        } while start != nil
        return items
    }

    /// Turns time-to-live on (or off) for `attribute` (epoch seconds) of `table`.
    public func updateTimeToLive(table: String, attribute: String, enabled: Bool = true) async throws {
        _ = try await call(
            "UpdateTimeToLive",
            ["TableName": .string(table), "TimeToLiveSpecification": ["AttributeName": .string(attribute), "Enabled": .bool(enabled)]]
        )
    }

    /// Creates an on-demand table with a string partition key and an optional string sort key.
    public func createTable(table: String, partitionKey: String, sortKey: String? = nil) async throws {
        var attributes: [JSON] = [["AttributeName": .string(partitionKey), "AttributeType": "S"]]
        var schema: [JSON] = [["AttributeName": .string(partitionKey), "KeyType": "HASH"]]
        if let sortKey {
            attributes.append(["AttributeName": .string(sortKey), "AttributeType": "S"])
            schema.append(["AttributeName": .string(sortKey), "KeyType": "RANGE"])
        }
        _ = try await call(
            "CreateTable",
            [
                "TableName": .string(table), "AttributeDefinitions": .array(attributes), "KeySchema": .array(schema),
                "BillingMode": "PAY_PER_REQUEST",
            ]
        )
    }

    /// The table's description (`Table` of `DescribeTable`); a missing table throws
    /// ``AWSError`` with code `ResourceNotFoundException`.
    public func describeTable(table: String) async throws -> JSON {
        try await call("DescribeTable", ["TableName": .string(table)])["Table"] ?? .null
    }
}
