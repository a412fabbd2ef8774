/// One row of the `InfraMetrics` table: the summary of one series in one raw batch (docs/design.md, "Records").
public struct MetricRecord: Sendable, Hashable {
    /// `metric#host`, plus `#k1=v1,k2=v2` with sorted keys when the series has labels.
    public var metricID: String
    /// The earliest sample time of the series in the batch, floored to milliseconds.
    public var timestamp: Timestamp
    public var metric: String
    public var host: String
    public var labels: [String: String]
    /// The unit of the series' first valid line.
    public var unit: String
    public var count: Int
    /// The sum of the values, added in line order.
    public var sum: Double
    public var min: Double
    public var max: Double
    /// The value at the greatest timestamp; ties go to the later line.
    public var last: Double
    /// The key of the raw object the record was computed from.
    public var source: String

    public init(
        metricID: String,
        timestamp: Timestamp,
        metric: String,
        host: String,
        labels: [String: String],
        unit: String,
        count: Int,
        sum: Double,
        min: Double,
        max: Double,
        last: Double,
        source: String
    ) {
        self.metricID = metricID
        self.timestamp = timestamp
        self.metric = metric
        self.host = host
        self.labels = labels
        self.unit = unit
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
        self.last = last
        self.source = source
    }

    /// How long records are kept before the table's TTL removes them.
    public static let retentionSeconds: Int64 = 90 * 86_400

    /// `sum / count`.
    public var mean: Double { sum / Double(count) }

    /// The `timestamp` attribute as stored: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public var timestampText: String { timestamp.iso8601Milliseconds }

    /// Epoch seconds at which the record expires: its timestamp plus 90 days.
    public var expiresAt: Int64 { timestamp.flooredToMilliseconds.seconds + MetricRecord.retentionSeconds }

    /// The series identity of docs/design.md, "Records".
    public static func metricID(metric: String, host: String, labels: [String: String]) -> String {
        var id = metric + "#" + host
        if !labels.isEmpty {
            id += "#" + labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",")
        }
        return id
    }

    /// The record as one JSON line, in the attribute order of docs/design.md, "Records".
    public var jsonLine: String {
        var out = "{\"metric_id\":"
        JSONText.appendString(metricID, to: &out)
        out += ",\"timestamp\":\"" + timestampText + "\",\"metric\":"
        JSONText.appendString(metric, to: &out)
        out += ",\"host\":"
        JSONText.appendString(host, to: &out)
        out += ",\"labels\":"
        JSONText.appendLabels(labels, to: &out)
        out += ",\"unit\":"
        JSONText.appendString(unit, to: &out)
        out += ",\"count\":" + String(count) + ",\"sum\":"
        JSONText.appendNumber(sum, to: &out)
        out += ",\"min\":"
        JSONText.appendNumber(min, to: &out)
        out += ",\"max\":"
        JSONText.appendNumber(max, to: &out)
        out += ",\"mean\":"
        JSONText.appendNumber(mean, to: &out)
        out += ",\"last\":"
        JSONText.appendNumber(last, to: &out)
        out += ",\"source\":"
        JSONText.appendString(source, to: &out)
        out += ",\"expires_at\":" + String(expiresAt) + "}"
        return out
    }
}
