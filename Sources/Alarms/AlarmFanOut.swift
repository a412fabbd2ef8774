public import InfraMonitorCore

/// A series as alarms see it: a metric name and its labels, `host` among them, in the
/// `InfraMonitoring` namespace the publisher uses.
public struct SeriesKey: Sendable, Hashable {
    /// The metric, e.g. `disk_usage`.
    public var metric: String
    /// Every label of the series, including `host`.
    public var labels: [String: String]
    /// The CloudWatch namespace the series is published to.
    public var namespace: String

    /// A series from its parts.
    public init(metric: String, labels: [String: String], namespace: String = AlarmDefinition.defaultNamespace) {
        self.metric = metric
        self.labels = labels
        self.namespace = namespace
    }

    /// The series of a sample: its labels plus `host`.
    public init(_ sample: Sample) {
        var labels = sample.labels
        labels["host"] = sample.host
        self.init(metric: sample.metric, labels: labels)
    }

    /// The series of a record: its labels plus `host`.
    public init(_ record: MetricRecord) {
        var labels = record.labels
        labels["host"] = record.host
        self.init(metric: record.metric, labels: labels)
    }
}

/// One alarm instance: a definition applied to one series (or, when the definition pins every
/// label, the single CloudWatch alarm of that definition). Each has its own state and history.
public struct AlarmInstance: Sendable, Hashable, Identifiable {
    /// The definition's `AlarmName`.
    public let alarmName: String
    /// The labels of the series the instance watches, `host` included.
    public let labels: [String: String]
    /// The labels the definition's `Dimensions` do not pin: what tells this instance from the
    /// definition's other instances (empty for a single, fully pinned alarm), sorted with `host` first.
    public let fanOutLabels: [String]
    /// The stable identity of the instance: `disk-filling{host="web-1",mountpoint="/"}`, the
    /// alarm name followed by every label of the series in key order, values quoted and escaped
    /// as Prometheus quotes label values.
    public let id: String

    /// An instance of `definition` on the series with `labels`.
    public init(definition: AlarmDefinition, labels: [String: String]) {
        self.init(alarmName: definition.alarmName, labels: labels, pinned: Set(definition.dimensions.map(\.name)))
    }

    /// An instance from its parts (as a store reads it back).
    public init(alarmName: String, labels: [String: String], fanOutLabels: [String]) {
        self.alarmName = alarmName
        self.labels = labels
        self.fanOutLabels = fanOutLabels
        self.id = Self.identity(alarmName: alarmName, labels: labels)
    }

    private init(alarmName: String, labels: [String: String], pinned: Set<String>) {
        let fanOut = labels.keys.filter { !pinned.contains($0) }.sorted { a, b in
            a == "host" ? b != "host" : (b == "host" ? false : a < b)
        }
        self.init(alarmName: alarmName, labels: labels, fanOutLabels: fanOut)
    }

    private static func identity(alarmName: String, labels: [String: String]) -> String {
        var out = alarmName + "{"
        var first = true
        for key in labels.keys.sorted() {
            if !first { out += "," }
            first = false
            out += key + "=\"" + Self.escape(labels[key]!) + "\""
        }
        return out + "}"
    }

    /// `host=web-1 mountpoint=/`: the fan-out labels as the notification subject shows them.
    public var fanOutText: String {
        fanOutLabels.map { "\($0)=\(labels[$0]!)" }.joined(separator: " ")
    }

    private static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}

extension AlarmDefinition {
    /// Whether the series is one this alarm watches: same namespace and metric, and every
    /// dimension present among the series' labels with its value.
    public func matches(_ series: SeriesKey) -> Bool {
        guard series.metric == metricName, series.namespace == namespace else { return false }
        for dimension in dimensions where series.labels[dimension.name] != dimension.value { return false }
        return true
    }

    /// Whether the definition is one plain CloudWatch alarm: its `Dimensions` name `host`, so they
    /// can pin a single series (they do when that series has no other labels).
    public var pinsHost: Bool { dimensions.contains { $0.name == "host" } }

    /// The alarm instances that exist for this definition.
    ///
    /// One per matching series: a series whose labels the `Dimensions` do not all pin is watched by
    /// its own instance, as a Prometheus rule makes one alert per series; a series whose labels
    /// are exactly the `Dimensions` is the one CloudWatch alarm of the definition. Instances that
    /// exist already (`known`, from the state store) are kept while they still match, so that an
    /// instance whose host stopped reporting goes on being evaluated and moves as
    /// `TreatMissingData` says. A definition that pins `host` and matches nothing yet still has
    /// its one instance, in the labels of its `Dimensions`, as a CloudWatch alarm exists before
    /// its metric does; that stand-in is dropped once series with more labels match.
    /// - Returns: the instances, in ``AlarmInstance/id`` order.
    public func instances(series: some Sequence<SeriesKey>, known: some Sequence<AlarmInstance> = [AlarmInstance]()) -> [AlarmInstance] {
        var byID: [String: AlarmInstance] = [:]
        for key in series where matches(key) {
            let instance = AlarmInstance(definition: self, labels: key.labels)
            byID[instance.id] = instance
        }
        var dimensionLabels: [String: String] = [:]
        for dimension in dimensions { dimensionLabels[dimension.name] = dimension.value }
        let seriesMatched = !byID.isEmpty
        for instance in known where instance.alarmName == alarmName {
            guard matches(SeriesKey(metric: metricName, labels: instance.labels, namespace: namespace)) else { continue }
            // The stand-in of a pinned alarm goes once series with more labels than its dimensions
            // report: they are the instances.
            if seriesMatched && instance.labels == dimensionLabels { continue }
            let current = AlarmInstance(definition: self, labels: instance.labels)
            if byID[current.id] == nil { byID[current.id] = current }
        }
        if byID.isEmpty && pinsHost {
            let instance = AlarmInstance(definition: self, labels: dimensionLabels)
            byID[instance.id] = instance
        }
        return byID.keys.sorted().map { byID[$0]! }
    }
}
