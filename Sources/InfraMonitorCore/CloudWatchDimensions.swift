/// How the log-processor names its CloudWatch custom metrics (`aws.cloudwatch_dimensions` in the
/// config, `CLOUDWATCH_DIMENSIONS` on the deployed function). CloudWatch bills each distinct
/// namespace × metric name × dimension set as one custom metric, so the mode decides the bill that
/// `deploy cost` prices (docs/design.md, "Values and labels the services accept").
public enum CloudWatchDimensions: String, Sendable, Hashable, CaseIterable {
    /// `host` plus the series' labels (`mountpoint`; `device`, `direction`): one custom metric per
    /// series per host, each datum the series' mean in the batch.
    case perHost = "per-host"
    /// Per-metric aggregates without `host`: one statistic set (SampleCount, Sum, Minimum, Maximum)
    /// over the hosts of a batch for each metric and label set, so the count does not grow with the
    /// fleet.
    case fleet

    /// The mode a setting names; `nil` (unset or empty) is the default, per-host.
    /// - Throws: ``Invalid`` naming the value and the two that work.
    public init(setting: String?) throws {
        guard let setting, !setting.isEmpty else {
            self = .perHost
            return
        }
        guard let mode = CloudWatchDimensions(rawValue: setting) else { throw Invalid(value: setting) }
        self = mode
    }

    /// A setting that names neither mode.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var value: String
        public var description: String { "'\(value)' is not a CloudWatch dimension mode; use per-host or fleet" }
    }
}
