public import InfraJSON

/// One alarm, in the words of CloudWatch's `PutMetricAlarm`, so that a definition moves unchanged
/// between the embedded mode and AWS.
///
/// Validation follows the `PutMetricAlarm` API reference: `Period` is 10, 20, 30 or a multiple of
/// 60; `EvaluationPeriods` is at least 1; `DatapointsToAlarm` is between 1 and
/// `EvaluationPeriods`; "An alarm's total current evaluation period can be no longer than seven
/// days, so Period multiplied by EvaluationPeriods can't be more than 604,800 seconds. For alarms
/// with a period of less than one hour (3,600 seconds), the total evaluation period can't be longer
/// than one day (86,400 seconds)." The fields are constants so that a definition stays valid.
public struct AlarmDefinition: Sendable, Hashable {
    /// `AlarmName`: 1–255 ASCII characters ("Alarm names must contain only ASCII characters").
    public let alarmName: String
    /// `MetricName`: the series' metric, e.g. `disk_usage`.
    public let metricName: String
    /// `Namespace`, `InfraMonitoring` unless given.
    public let namespace: String
    /// `Dimensions`: the labels (or `host`) a series must have, with these values, to be watched.
    public let dimensions: [Dimension]
    /// `Statistic`: how the samples of one period become one datapoint.
    public let statistic: Statistic
    /// `Period` in seconds.
    public let period: Int
    /// `EvaluationPeriods`: the N of "M out of N".
    public let evaluationPeriods: Int
    /// `DatapointsToAlarm`: the M of "M out of N", `evaluationPeriods` unless given.
    public let datapointsToAlarm: Int
    /// `Threshold`.
    public let threshold: Double
    /// `ComparisonOperator`: one of the four static-threshold operators.
    public let comparisonOperator: ComparisonOperator
    /// `TreatMissingData`, `missing` unless given.
    public let treatMissingData: TreatMissingData

    /// The namespace the seed publishes to, and the default of `Namespace`.
    public static let defaultNamespace = "InfraMonitoring"
    /// The longest `Period × EvaluationPeriods` when `Period` is under an hour.
    public static let maximumShortPeriodWindow = 86_400
    /// The longest `Period × EvaluationPeriods` otherwise.
    public static let maximumWindow = 604_800
    /// The fields a definition may have, in `PutMetricAlarm` order.
    public static let fieldNames = [
        "AlarmName", "MetricName", "Namespace", "Dimensions", "Statistic", "Period", "EvaluationPeriods",
        "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
    ]

    /// A definition from its parts, validated as ``init(json:position:)`` validates.
    /// - Throws: ``AlarmDefinitionError`` naming the first invalid field.
    public init(
        alarmName: String,
        metricName: String,
        namespace: String = AlarmDefinition.defaultNamespace,
        dimensions: [Dimension] = [],
        statistic: Statistic,
        period: Int,
        evaluationPeriods: Int,
        datapointsToAlarm: Int? = nil,
        threshold: Double,
        comparisonOperator: ComparisonOperator,
        treatMissingData: TreatMissingData = .missing
    ) throws(AlarmDefinitionError) {
        self.alarmName = alarmName
        self.metricName = metricName
        self.namespace = namespace
        self.dimensions = dimensions
        self.statistic = statistic
        self.period = period
        self.evaluationPeriods = evaluationPeriods
        self.datapointsToAlarm = datapointsToAlarm ?? evaluationPeriods
        self.threshold = threshold
        self.comparisonOperator = comparisonOperator
        self.treatMissingData = treatMissingData
        try validate()
    }

    /// Parses one definition from a JSON object with exactly the fields of ``fieldNames``.
    /// - Parameters:
    ///   - json: the object, e.g. one element of the configuration's `alarms` list.
    ///   - position: the index in that list, used to name an alarm that has no valid `AlarmName`.
    /// - Throws: ``AlarmDefinitionError``: unknown or missing fields, wrong types, values
    ///   `PutMetricAlarm` refuses.
    public init(json: JSON, position: Int? = nil) throws(AlarmDefinitionError) {
        let placeholder = position.map { "alarms[\($0)]" } ?? "(unnamed)"
        guard case .object(let members) = json else {
            throw .notAnObject(alarm: placeholder, found: json.typeName)
        }
        let name = members["AlarmName"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? placeholder
        for key in members.keys.sorted() where !Self.fieldNames.contains(key) {
            throw .unknownField(alarm: name, field: key)
        }
        let reader = FieldReader(members: members, alarm: name)
        let alarmName = try reader.string("AlarmName")
        if alarmName.isEmpty { throw .invalidText(alarm: placeholder, field: "AlarmName", reason: "must not be empty") }
        let metricName = try reader.string("MetricName")
        let namespace = try reader.optionalString("Namespace") ?? Self.defaultNamespace
        let dimensions = try reader.dimensions()
        let statistic: Statistic = try reader.word("Statistic")
        let period = try reader.integer("Period")
        let evaluationPeriods = try reader.integer("EvaluationPeriods")
        let datapointsToAlarm = try reader.optionalInteger("DatapointsToAlarm")
        let threshold = try reader.number("Threshold")
        let comparisonOperator: ComparisonOperator = try reader.word("ComparisonOperator")
        let treatMissingData: TreatMissingData = try reader.optionalWord("TreatMissingData") ?? .missing
        try self.init(
            alarmName: alarmName,
            metricName: metricName,
            namespace: namespace,
            dimensions: dimensions,
            statistic: statistic,
            period: period,
            evaluationPeriods: evaluationPeriods,
            datapointsToAlarm: datapointsToAlarm,
            threshold: threshold,
            comparisonOperator: comparisonOperator,
            treatMissingData: treatMissingData
        )
    }

    /// Parses the configuration's `alarms` list (an array of definitions with distinct names).
    /// - Throws: ``AlarmDefinitionError`` for the first invalid definition, or a repeated name.
    public static func list(json: JSON) throws(AlarmDefinitionError) -> [AlarmDefinition] {
        guard case .array(let elements) = json else {
            throw .wrongType(alarm: "alarms", field: "alarms", expected: "a list of alarms", found: json.typeName)
        }
        var definitions: [AlarmDefinition] = []
        var names: Set<String> = []
        for (index, element) in elements.enumerated() {
            let definition = try AlarmDefinition(json: element, position: index)
            guard names.insert(definition.alarmName).inserted else { throw .duplicateAlarmName(alarm: definition.alarmName) }
            definitions.append(definition)
        }
        return definitions
    }

    /// The definition as a JSON object in `PutMetricAlarm` words, every field present.
    public var json: JSON {
        [
            "AlarmName": .string(alarmName),
            "MetricName": .string(metricName),
            "Namespace": .string(namespace),
            "Dimensions": .array(dimensions.map { ["Name": .string($0.name), "Value": .string($0.value)] }),
            "Statistic": .string(statistic.rawValue),
            "Period": .number(Double(period)),
            "EvaluationPeriods": .number(Double(evaluationPeriods)),
            "DatapointsToAlarm": .number(Double(datapointsToAlarm)),
            "Threshold": .number(threshold),
            "ComparisonOperator": .string(comparisonOperator.rawValue),
            "TreatMissingData": .string(treatMissingData.rawValue),
        ]
    }

    /// The number of periods CloudWatch would retrieve for one evaluation (the *evaluation range*).
    ///
    /// The User Guide says the range is wider than `EvaluationPeriods` and that "the exact number
    /// of data points it attempts to retrieve depends on the length of the alarm period and whether
    /// it is based on a metric with standard resolution or high resolution", without a formula;
    /// its only worked example retrieves "the 5 most recent data points" for
    /// `EvaluationPeriods` 3. InfraMonitor uses that example's margin for every alarm:
    /// `EvaluationPeriods + 2`.
    public var evaluationRangePeriods: Int { evaluationPeriods + 2 }

    private func validate() throws(AlarmDefinitionError) {
        let alarmName = self.alarmName.isEmpty ? "(unnamed)" : self.alarmName
        try Self.checkText(self.alarmName, field: "AlarmName", alarm: alarmName, maximum: 255, asciiOnly: true)
        try Self.checkText(metricName, field: "MetricName", alarm: alarmName, maximum: 255, asciiOnly: false)
        try Self.checkText(namespace, field: "Namespace", alarm: alarmName, maximum: 255, asciiOnly: false)
        if dimensions.count > 30 { throw .tooManyDimensions(alarm: alarmName, count: dimensions.count) }
        var seen: Set<String> = []
        for (index, dimension) in dimensions.enumerated() {
            try Self.checkText(dimension.name, field: "Dimensions[\(index)].Name", alarm: alarmName, maximum: 255, asciiOnly: false)
            try Self.checkText(dimension.value, field: "Dimensions[\(index)].Value", alarm: alarmName, maximum: 1024, asciiOnly: false)
            guard seen.insert(dimension.name).inserted else { throw .duplicateDimension(alarm: alarmName, name: dimension.name) }
        }
        guard period >= 1, [10, 20, 30].contains(period) || period % 60 == 0 else {
            throw .invalidPeriod(alarm: alarmName, period: period)
        }
        guard evaluationPeriods >= 1 else {
            throw .invalidEvaluationPeriods(alarm: alarmName, evaluationPeriods: evaluationPeriods)
        }
        guard (1...evaluationPeriods).contains(datapointsToAlarm) else {
            throw .invalidDatapointsToAlarm(alarm: alarmName, datapointsToAlarm: datapointsToAlarm, evaluationPeriods: evaluationPeriods)
        }
        let limit = period < 3600 ? Self.maximumShortPeriodWindow : Self.maximumWindow
        let (window, overflow) = period.multipliedReportingOverflow(by: evaluationPeriods)
        guard !overflow, window <= limit else {
            throw .evaluationWindowTooLong(alarm: alarmName, seconds: overflow ? Int.max : window, limit: limit)
        }
        guard threshold.isFinite else { throw .invalidThreshold(alarm: alarmName) }
    }

    private static func checkText(
        _ text: String,
        field: String,
        alarm: String,
        maximum: Int,
        asciiOnly: Bool
    ) throws(AlarmDefinitionError) {
        if text.isEmpty { throw .invalidText(alarm: alarm, field: field, reason: "must not be empty") }
        if text.unicodeScalars.count > maximum {
            throw .invalidText(alarm: alarm, field: field, reason: "must be at most \(maximum) characters")
        }
        if asciiOnly, !text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }) {
            throw .invalidText(alarm: alarm, field: field, reason: "must contain only printable ASCII characters")
        }
    }
}

extension AlarmDefinition {
    /// One entry of `Dimensions`: a label name (or `host`) and the value a series must have.
    public struct Dimension: Sendable, Hashable {
        /// `Name`.
        public var name: String
        /// `Value`.
        public var value: String

        /// A dimension.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `Statistic`: the five simple statistics of `PutMetricAlarm`.
    public enum Statistic: String, Sendable, Hashable, CaseIterable {
        case average = "Average"
        case minimum = "Minimum"
        case maximum = "Maximum"
        case sum = "Sum"
        case sampleCount = "SampleCount"
    }

    /// `ComparisonOperator`: the four static-threshold operators; the datapoint is the left operand.
    public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
        case greaterThanOrEqualToThreshold = "GreaterThanOrEqualToThreshold"
        case greaterThanThreshold = "GreaterThanThreshold"
        case lessThanThreshold = "LessThanThreshold"
        case lessThanOrEqualToThreshold = "LessThanOrEqualToThreshold"

        /// Whether `value` breaches `threshold` under this operator.
        @inline(__always)
        public func breaches(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .greaterThanOrEqualToThreshold: return value >= threshold
            case .greaterThanThreshold: return value > threshold
            case .lessThanThreshold: return value < threshold
            case .lessThanOrEqualToThreshold: return value <= threshold
            }
        }

        /// The words of CloudWatch's state reasons: `greater than or equal to`, `less than`, ….
        public var phrase: String {
            switch self {
            case .greaterThanOrEqualToThreshold: return "greater than or equal to"
            case .greaterThanThreshold: return "greater than"
            case .lessThanThreshold: return "less than"
            case .lessThanOrEqualToThreshold: return "less than or equal to"
            }
        }
    }

    /// `TreatMissingData`.
    public enum TreatMissingData: String, Sendable, Hashable, CaseIterable {
        /// "The alarm does not consider missing data points when evaluating whether to change state."
        case missing
        /// "The current alarm state is maintained."
        case ignore
        /// "Missing data points are treated as breaching the threshold."
        case breaching
        /// "Missing data points are treated as being within the threshold."
        case notBreaching
    }
}

/// Reads the members of one definition, naming the alarm and the field in every error.
private struct FieldReader {
    let members: [String: JSON]
    let alarm: String

    func string(_ field: String) throws(AlarmDefinitionError) -> String {
        guard let value = try optionalString(field) else { throw .missingField(alarm: alarm, field: field) }
        return value
    }

    func optionalString(_ field: String) throws(AlarmDefinitionError) -> String? {
        guard let value = members[field] else { return nil }
        guard case .string(let text) = value else {
            throw .wrongType(alarm: alarm, field: field, expected: "a string", found: value.typeName)
        }
        return text
    }

    func number(_ field: String) throws(AlarmDefinitionError) -> Double {
        guard let value = members[field] else { throw .missingField(alarm: alarm, field: field) }
        guard case .number(let number) = value else {
            throw .wrongType(alarm: alarm, field: field, expected: "a number", found: value.typeName)
        }
        return number
    }

    func integer(_ field: String) throws(AlarmDefinitionError) -> Int {
        guard let value = try optionalInteger(field) else { throw .missingField(alarm: alarm, field: field) }
        return value
    }

    func optionalInteger(_ field: String) throws(AlarmDefinitionError) -> Int? {
        guard let value = members[field] else { return nil }
        guard let integer = value.intValue else {
            let found = value.doubleValue != nil ? "a fractional or huge number" : value.typeName
            throw .wrongType(alarm: alarm, field: field, expected: "an integer", found: found)
        }
        return integer
    }

    func word<Word: RawRepresentable & CaseIterable>(_ field: String) throws(AlarmDefinitionError) -> Word
    where Word.RawValue == String {
        guard let value: Word = try optionalWord(field) else { throw .missingField(alarm: alarm, field: field) }
        return value
    }

    func optionalWord<Word: RawRepresentable & CaseIterable>(_ field: String) throws(AlarmDefinitionError) -> Word?
    where Word.RawValue == String {
        guard let text = try optionalString(field) else { return nil }
        guard let word = Word(rawValue: text) else {
            throw .notOneOf(alarm: alarm, field: field, value: text, allowed: Word.allCases.map(\.rawValue))
        }
        return word
    }

    func dimensions() throws(AlarmDefinitionError) -> [AlarmDefinition.Dimension] {
        guard let value = members["Dimensions"] else { return [] }
        guard case .array(let elements) = value else {
            throw .wrongType(alarm: alarm, field: "Dimensions", expected: "a list of {Name, Value}", found: value.typeName)
        }
        var dimensions: [AlarmDefinition.Dimension] = []
        for (index, element) in elements.enumerated() {
            let field = "Dimensions[\(index)]"
            guard case .object(let entry) = element else {
                throw .wrongType(alarm: alarm, field: field, expected: "an object {Name, Value}", found: element.typeName)
            }
            for key in entry.keys.sorted() where key != "Name" && key != "Value" {
                throw .unknownField(alarm: alarm, field: "\(field).\(key)")
            }
            let reader = FieldReader(members: entry, alarm: alarm)
            let name = try reader.prefixed(field).string("Name")
            let value = try reader.prefixed(field).string("Value")
            dimensions.append(AlarmDefinition.Dimension(name: name, value: value))
        }
        return dimensions
    }

    /// A reader whose field names are prefixed (`Dimensions[0].Name`).
    func prefixed(_ prefix: String) -> PrefixedReader { PrefixedReader(base: self, prefix: prefix) }

    struct PrefixedReader {
        let base: FieldReader
        let prefix: String

        func string(_ field: String) throws(AlarmDefinitionError) -> String {
            guard let value = base.members[field] else { throw .missingField(alarm: base.alarm, field: "\(prefix).\(field)") }
            guard case .string(let text) = value else {
                throw .wrongType(alarm: base.alarm, field: "\(prefix).\(field)", expected: "a string", found: value.typeName)
            }
            return text
        }
    }
}
