public import InfraJSON
public import InfraMonitorCore

/// A ``MetricRecord`` as a DynamoDB item with the attribute names of docs/design.md, "Records", and back.
public enum MetricRecordItem {
    /// The item of `record`: keys `metric_id` (S) and `timestamp` (S), the statistics as numbers,
    /// `labels` as a map of strings and `expires_at` (N, epoch seconds) for the table's TTL.
    public static func item(_ record: MetricRecord) -> [String: JSON] {
        [
            "metric_id": ["S": .string(record.metricID)],
            "timestamp": ["S": .string(record.timestampText)],
            "metric": ["S": .string(record.metric)],
            "host": ["S": .string(record.host)],
            "labels": ["M": .object(record.labels.mapValues { ["S": .string($0)] })],
            "unit": ["S": .string(record.unit)],
            "count": ["N": .string(String(record.count))],
            "sum": ["N": .string(number(record.sum))],
            "min": ["N": .string(number(record.min))],
            "max": ["N": .string(number(record.max))],
            "mean": ["N": .string(number(record.mean))],
            "last": ["N": .string(number(record.last))],
            "source": ["S": .string(record.source)],
            "expires_at": ["N": .string(String(record.expiresAt))],
        ]
    }

    /// The record an item holds.
    /// - Throws: ``AWSBackendError/badResponse(service:reason:)`` when an attribute is missing or malformed.
    public static func record(_ item: [String: JSON]) throws -> MetricRecord {
        func string(_ name: String) throws -> String {
            guard let value = item[name]?["S"]?.stringValue else { throw bad("\(name) (S) is missing") }
            return value
        }
        func double(_ name: String) throws -> Double {
            guard let text = item[name]?["N"]?.stringValue, let value = Double(text) else { throw bad("\(name) (N) is missing") }
            return value
        }
        let timestampText = try string("timestamp")
        guard let timestamp = Timestamp.parseRFC3339(timestampText) else { throw bad("timestamp '\(timestampText)' is not RFC 3339") }
        let labels = (item["labels"]?["M"]?.objectValue ?? [:]).compactMapValues { $0["S"]?.stringValue }
        return MetricRecord(
            metricID: try string("metric_id"),
            timestamp: timestamp,
            metric: try string("metric"),
            host: try string("host"),
            labels: labels,
            unit: (try? string("unit")) ?? "",
            count: Int(try double("count")),
            sum: try double("sum"),
            min: try double("min"),
            max: try double("max"),
            last: try double("last"),
            source: (try? string("source")) ?? ""
        )
    }

    /// A finite double as DynamoDB number text (`41.7`, `1e-05`): the shortest text that reads back
    /// as the same double, so at most 17 significant digits (DynamoDB keeps 38). The processor
    /// quarantined every sample outside DynamoDB's range; a sum or mean that cancels to a nonzero
    /// magnitude below 1E-130 is stored as 0 (``StorageLimits/dynamoDBNumber(_:)``).
    static func number(_ value: Double) -> String {
        value.isFinite ? StorageLimits.dynamoDBNumber(value).description : "0"
    }

    private static func bad(_ reason: String) -> AWSBackendError {
        .badResponse(service: "DynamoDB", reason: "an InfraMetrics item: \(reason)")
    }
}
