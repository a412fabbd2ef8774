import AWSSigner

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A CloudWatch statistic set: the aggregate of many values sent as one datum (MetricDatum
/// `StatisticValues`: "The statistical values for the metric", SampleCount, Sum, Minimum, Maximum).
public struct StatisticSet: Sendable, Hashable {
    public var sampleCount: Double
    public var sum: Double
    public var minimum: Double
    public var maximum: Double

    public init(sampleCount: Double, sum: Double, minimum: Double, maximum: Double) {
        self.sampleCount = sampleCount
        self.sum = sum
        self.minimum = minimum
        self.maximum = maximum
    }
}

/// One CloudWatch metric data point.
public struct MetricDatum: Sendable, Hashable {
    /// The metric name, e.g. `cpu_usage_percent`.
    public var name: String
    /// The value (not sent when ``statistics`` is set).
    public var value: Double
    /// The statistic set sent instead of ``value``, when set.
    public var statistics: StatisticSet?
    /// The unit, e.g. `Percent`, `Bytes`, `Count`, `None`.
    public var unit: String
    /// When it was measured.
    public var timestamp: Date
    /// Dimension name/value pairs (at most 30).
    public var dimensions: [(String, String)]

    /// A data point from its parts.
    public init(
        name: String,
        value: Double,
        statistics: StatisticSet? = nil,
        unit: String = "None",
        timestamp: Date,
        dimensions: [(String, String)] = []
    ) {
        self.name = name
        self.value = value
        self.statistics = statistics
        self.unit = unit
        self.timestamp = timestamp
        self.dimensions = dimensions
    }

    public static func == (lhs: MetricDatum, rhs: MetricDatum) -> Bool {
        lhs.name == rhs.name && lhs.value == rhs.value && lhs.statistics == rhs.statistics && lhs.unit == rhs.unit && lhs.timestamp == rhs.timestamp
            && lhs.dimensions.elementsEqual(rhs.dimensions, by: ==)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(value)
        hasher.combine(timestamp)
    }
}

/// CloudWatch `PutMetricData` over the Query protocol (2010-08-01), batched under the API's
/// limits: 1,000 data points and 1 MB of request body per call.
public struct CloudWatchClient: Sendable {
    /// The most data points one call carries.
    public static let maxDataPerCall = 1000
    /// The most request-body bytes one call carries (1 MB, less room for headers).
    public static let maxPayloadBytes = 1_000_000

    /// The request layer.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) { self.client = client }

    /// Sends `data` under `namespace` in as many calls as the limits need; returns the number of calls.
    @discardableResult
    public func putMetricData(namespace: String, data: [MetricDatum]) async throws -> Int {
        var calls = 0
        for batch in Self.batches(namespace: namespace, data: data) {
            _ = try await client.query(.cloudWatch, action: "PutMetricData", parameters: batch)
            calls += 1
        }
        return calls
    }

    /// The Query parameters of each call `putMetricData` makes.
    public static func batches(namespace: String, data: [MetricDatum]) -> [[(String, String)]] {
        var batches: [[(String, String)]] = []
        var current: [(String, String)] = [("Namespace", namespace)]
        var count = 0
        var bytes = 64 + namespace.utf8.count
        for datum in data {
            let fields = parameters(datum, index: count + 1)
            let size = fields.reduce(0) { $0 + Canonical.encode($1.0).utf8.count + Canonical.encode($1.1).utf8.count + 2 }
            if count > 0 && (count == maxDataPerCall || bytes + size > maxPayloadBytes) {
                batches.append(current)
                current = [("Namespace", namespace)]
                count = 0
                bytes = 64 + namespace.utf8.count
                current += parameters(datum, index: 1)
            } else {
                current += fields
            }
            count += 1
            bytes += size
        }
        if count > 0 { batches.append(current) }
        return batches
    }

    private static func parameters(_ datum: MetricDatum, index: Int) -> [(String, String)] {
        let prefix = "MetricData.member.\(index)."
        var fields = [(prefix + "MetricName", datum.name)]
        if let set = datum.statistics {
            fields += [
                (prefix + "StatisticValues.SampleCount", String(set.sampleCount)),
                (prefix + "StatisticValues.Sum", String(set.sum)),
                (prefix + "StatisticValues.Minimum", String(set.minimum)),
                (prefix + "StatisticValues.Maximum", String(set.maximum)),
            ]
        } else {
            fields.append((prefix + "Value", String(datum.value)))
        }
        fields += [(prefix + "Unit", datum.unit), (prefix + "Timestamp", datum.timestamp.formatted(.iso8601))]
        for (offset, dimension) in datum.dimensions.enumerated() {
            fields.append((prefix + "Dimensions.member.\(offset + 1).Name", dimension.0))
            fields.append((prefix + "Dimensions.member.\(offset + 1).Value", dimension.1))
        }
        return fields
    }

    /// The metrics in `namespace` with their dimensions, in the order ListMetrics returns them (all
    /// pages): each distinct name and dimension set is one custom metric to CloudWatch's billing.
    public func listMetricIdentities(namespace: String) async throws -> [(name: String, dimensions: [(String, String)])] {
        var found: [(name: String, dimensions: [(String, String)])] = []
        var token: String?
        repeat {
            var parameters = [("Namespace", namespace)]
            if let token { parameters.append(("NextToken", token)) }
            let xml = try await client.query(.cloudWatch, action: "ListMetrics", parameters: parameters)
            let result = xml.child("ListMetricsResult")
            for metric in result?.child("Metrics")?.children ?? [] {
                guard let name = metric.string("MetricName") else { continue }
                let dimensions = (metric.child("Dimensions")?.children ?? []).map { ($0.string("Name") ?? "", $0.string("Value") ?? "") }
                found.append((name, dimensions))
            }
            token = result?.string("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return found
    }

    /// The names of the metrics in `namespace` (ListMetrics, all pages).
    public func listMetrics(namespace: String) async throws -> [String] {
        var names: [String] = []
        var token: String?
        repeat {
            var parameters = [("Namespace", namespace)]
            if let token { parameters.append(("NextToken", token)) }
            let xml = try await client.query(.cloudWatch, action: "ListMetrics", parameters: parameters)
            let result = xml.child("ListMetricsResult")
            names += result?.child("Metrics")?.children.compactMap { $0.string("MetricName") } ?? []
            token = result?.string("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return names
    }
}
