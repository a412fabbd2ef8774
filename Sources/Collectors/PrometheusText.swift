/// One sample of a Prometheus text exposition: `name{labels} value [timestamp]`.
public struct PrometheusSample: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var value: Double
    /// The optional timestamp, milliseconds since the epoch.
    public var timestampMilliseconds: Int64?

    public init(name: String, labels: [String: String] = [:], value: Double, timestampMilliseconds: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// The lenient reading of a Prometheus text exposition (version 0.0.4) that the node_exporter
/// collector uses: lines that do not parse are left out. ``ExpositionParser`` is the strict parser.
public enum PrometheusText {
    /// The samples of `text` in order. `# HELP`/`# TYPE` and other comments, blank lines and lines
    /// that do not parse are left out.
    public static func parse(_ text: String) -> [PrometheusSample] {
        (try? ExpositionParser.parse(text, format: .prometheusText, recovery: .skipLine))?.samples ?? []
    }

    /// A sample value: a Go float, `+Inf`, `-Inf` or `NaN` (any case), as Prometheus reads it.
    static func parseValue(_ text: String) -> Double? { ExpositionParser.parseFloat(text) }
}
