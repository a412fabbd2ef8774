import InfraJSON

/// The four metrics of the seed and their units (docs/design.md, "Metrics").
public enum Metric: String, Sendable, CaseIterable, Codable {
    case cpuUtilization = "cpu_utilization"
    case memoryUsage = "memory_usage"
    case diskUsage = "disk_usage"
    case networkTraffic = "network_traffic"

    /// The CloudWatch unit the metric is reported in.
    public var unit: String {
        switch self {
        case .cpuUtilization, .memoryUsage, .diskUsage: return "Percent"
        case .networkTraffic: return "Bytes/Second"
        }
    }
}

/// One measured value of one series at one instant: a line of a raw batch (docs/design.md, "Raw batches").
public struct Sample: Sendable, Hashable {
    public var metric: String
    public var host: String
    public var timestamp: Timestamp
    public var value: Double
    public var unit: String
    /// Series labels such as `mountpoint` or `device`; empty when the series has none.
    public var labels: [String: String]

    public init(
        metric: String,
        host: String,
        timestamp: Timestamp,
        value: Double,
        unit: String,
        labels: [String: String] = [:]
    ) {
        self.metric = metric
        self.host = host
        self.timestamp = timestamp
        self.value = value
        self.unit = unit
        self.labels = labels
    }

    /// The sample as one raw-batch JSON line (without the newline), labels in key order.
    public var jsonLine: String {
        var out = "{\"metric\":"
        JSONText.appendString(metric, to: &out)
        out += ",\"host\":"
        JSONText.appendString(host, to: &out)
        out += ",\"timestamp\":\"" + timestamp.iso8601Milliseconds + "\",\"value\":"
        JSONText.appendNumber(value, to: &out)
        out += ",\"unit\":"
        JSONText.appendString(unit, to: &out)
        if !labels.isEmpty {
            out += ",\"labels\":"
            JSONText.appendLabels(labels, to: &out)
        }
        out += "}"
        return out
    }
}

/// Writing JSON text by hand, for the hot paths where an encoder would cost too much.
public enum JSONText {
    /// Appends `value` as a quoted JSON string, escaping what JSON requires.
    public static func appendString(_ value: String, to out: inout String) {
        JSON.appendQuoted(value, to: &out)
    }

    /// Appends a finite double as a JSON number (shortest text that round-trips).
    public static func appendNumber(_ value: Double, to out: inout String) {
        if value.isFinite {
            out += value.description
        } else {
            out += "null"
        }
    }

    /// Appends a string map as a JSON object with sorted keys.
    public static func appendLabels(_ labels: [String: String], to out: inout String) {
        out += "{"
        var first = true
        for key in labels.keys.sorted() {
            if !first { out += "," }
            first = false
            appendString(key, to: &out)
            out += ":"
            appendString(labels[key]!, to: &out)
        }
        out += "}"
    }
}
