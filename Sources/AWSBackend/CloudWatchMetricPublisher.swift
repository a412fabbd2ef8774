public import AWSClients
public import InfraMonitorCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Publishes each processed series to CloudWatch, namespace `InfraMonitoring`, under the metric's
/// own name (`cpu_utilization`, `memory_usage`, `disk_usage`, `network_traffic`), with the host and
/// the labels as dimensions and the series' mean in the batch as the value.
public struct CloudWatchMetricPublisher: MetricPublisher {
    public let cloudWatch: CloudWatchClient

    /// The namespace of the seed.
    public static let namespace = "InfraMonitoring"

    public init(cloudWatch: CloudWatchClient) {
        self.cloudWatch = cloudWatch
    }

    /// The data points of `records`: one per record.
    public static func data(_ records: [MetricRecord]) -> [MetricDatum] {
        records.map { record in
            let seconds = Double(record.timestamp.seconds) + Double(record.timestamp.nanoseconds) / 1e9
            return MetricDatum(
                name: record.metric,
                value: record.mean,
                unit: unit(record.unit),
                timestamp: Date(timeIntervalSince1970: seconds),
                dimensions: [("host", record.host)] + record.labels.keys.sorted().map { ($0, record.labels[$0]!) }
            )
        }
    }

    /// CloudWatch's unit names for the pipeline's units; anything else is `None`.
    static func unit(_ text: String) -> String {
        ["Percent", "Bytes/Second", "Bytes", "Seconds", "Count", "Count/Second"].contains(text) ? text : "None"
    }

    /// Sends `records` as metric data, batched under the API's limits.
    public func publish(_ records: [MetricRecord]) async throws {
        guard !records.isEmpty else { return }
        _ = try await cloudWatch.putMetricData(namespace: Self.namespace, data: Self.data(records))
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
