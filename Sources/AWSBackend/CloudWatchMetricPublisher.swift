public import AWSClients
public import InfraMonitorCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Publishes each processed series to CloudWatch, namespace `InfraMonitoring`, under the metric's
/// own name (`cpu_utilization`, `memory_usage`, `disk_usage`, `network_traffic`), in one of two
/// dimension modes (``CloudWatchDimensions``): per-host, the host and the labels as dimensions and
/// the series' mean in the batch as the value; or fleet, the labels only and a statistic set over
/// the hosts.
///
/// What CloudWatch would refuse is never sent (docs/design.md, "Values and labels the services
/// accept"): records stamped more than two weeks before or two hours after `now` (PutMetricData:
/// "You can specify time stamps that are as much as two weeks before the current date, and as much
/// as 2 hours after the current day and time") stay in the table only; a mean or statistic below
/// 2^-359 in magnitude is sent as 0, and a statistic set whose sum exceeds 2^360 is not sent. The
/// processor already quarantined the lines whose values or labels CloudWatch refuses.
public struct CloudWatchMetricPublisher: MetricPublisher {
    public let cloudWatch: CloudWatchClient
    public let dimensions: CloudWatchDimensions
    /// The current time, to which the two-week and two-hour window applies.
    public let now: @Sendable () -> Timestamp

    /// The namespace of the seed.
    public static let namespace = "InfraMonitoring"

    public init(cloudWatch: CloudWatchClient, dimensions: CloudWatchDimensions = .perHost, now: @escaping @Sendable () -> Timestamp = { .now() }) {
        self.cloudWatch = cloudWatch
        self.dimensions = dimensions
        self.now = now
    }

    /// The data points of `records` in `mode` at `now`: per-host one per record, fleet one per
    /// metric and label set, in the order of their first record.
    public static func data(_ records: [MetricRecord], dimensions mode: CloudWatchDimensions = .perHost, now: Timestamp) -> [MetricDatum] {
        let current = records.filter { StorageLimits.isPublishable($0.timestamp, now: now) }
        switch mode {
        case .perHost:
            return current.compactMap { record in
                guard let value = StorageLimits.cloudWatchValue(record.mean) else { return nil }
                return MetricDatum(
                    name: record.metric,
                    value: value,
                    unit: unit(record.unit),
                    timestamp: date(record.timestamp),
                    dimensions: [("host", record.host)] + labelDimensions(record.labels)
                )
            }
        case .fleet:
            var order: [String] = []
            var groups: [String: [MetricRecord]] = [:]
            for record in current {
                let key = MetricRecord.metricID(metric: record.metric, host: "", labels: record.labels)
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(record)
            }
            return order.compactMap { key in
                let group = groups[key] ?? []
                guard let first = group.first else { return nil }
                let count = group.reduce(0) { $0 + $1.count }
                guard let sum = StorageLimits.cloudWatchValue(group.reduce(0) { $0 + $1.sum }) else { return nil }
                let set = StatisticSet(
                    sampleCount: Double(count),
                    sum: sum,
                    minimum: StorageLimits.cloudWatchValue(group.map(\.min).min() ?? 0) ?? 0,
                    maximum: StorageLimits.cloudWatchValue(group.map(\.max).max() ?? 0) ?? 0
                )
                return MetricDatum(
                    name: first.metric,
                    value: sum / Double(count),
                    statistics: set,
                    unit: unit(first.unit),
                    timestamp: date(group.map(\.timestamp).min() ?? first.timestamp),
                    dimensions: labelDimensions(first.labels)
                )
            }
        }
    }

    /// The data points of `records` in per-host mode, without the time window (tests of the mapping).
    public static func data(_ records: [MetricRecord]) -> [MetricDatum] {
        data(records, dimensions: .perHost, now: records.map(\.timestamp).max() ?? .now())
    }

    private static func labelDimensions(_ labels: [String: String]) -> [(String, String)] {
        labels.keys.sorted().map { ($0, labels[$0]!) }
    }

    private static func date(_ timestamp: Timestamp) -> Date {
        Date(timeIntervalSince1970: Double(timestamp.seconds) + Double(timestamp.nanoseconds) / 1e9)
    }

    /// CloudWatch's unit names for the pipeline's units; anything else is `None`.
    static func unit(_ text: String) -> String {
        ["Percent", "Bytes/Second", "Bytes", "Seconds", "Count", "Count/Second"].contains(text) ? text : "None"
    }

    /// Sends `records` as metric data, batched under the API's limits.
    public func publish(_ records: [MetricRecord]) async throws {
        let data = Self.data(records, dimensions: dimensions, now: now())
        guard !data.isEmpty else { return }
        _ = try await cloudWatch.putMetricData(namespace: Self.namespace, data: data)
    }
}

/// The `metrics` table on AWS is Athena over the raw objects themselves, so indexing a batch only
/// runs the stream through (counting and quarantining happen in the processor).
public struct RawObjectSampleIndex: SampleIndex {
    public init() {}

    public func replaceSamples(source: String, produce: @escaping @Sendable (_ emit: (Sample) throws -> Void) throws -> Void) async throws {
        try produce { _ in }
    }
}
