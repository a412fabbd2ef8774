/// Why an alarm definition is refused: each case names the alarm and the field, as
/// `PutMetricAlarm` refuses a request with a `ValidationError` naming the parameter.
public enum AlarmDefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The definition is not a JSON object (`found` is the JSON type it is).
    case notAnObject(alarm: String, found: String)
    /// A field `PutMetricAlarm` does not have here (or InfraMonitor does not support).
    case unknownField(alarm: String, field: String)
    /// A required field is absent.
    case missingField(alarm: String, field: String)
    /// A field has the wrong JSON type.
    case wrongType(alarm: String, field: String, expected: String, found: String)
    /// A string field is empty, too long, or not ASCII where ASCII is required.
    case invalidText(alarm: String, field: String, reason: String)
    /// `Statistic`, `ComparisonOperator` or `TreatMissingData` is not one of the allowed words.
    case notOneOf(alarm: String, field: String, value: String, allowed: [String])
    /// `Period` is not 10, 20, 30 or a multiple of 60.
    case invalidPeriod(alarm: String, period: Int)
    /// `EvaluationPeriods` is below 1.
    case invalidEvaluationPeriods(alarm: String, evaluationPeriods: Int)
    /// `DatapointsToAlarm` is outside `1...EvaluationPeriods`.
    case invalidDatapointsToAlarm(alarm: String, datapointsToAlarm: Int, evaluationPeriods: Int)
    /// `Period × EvaluationPeriods` exceeds one day (Period < 3,600 s) or seven days.
    case evaluationWindowTooLong(alarm: String, seconds: Int, limit: Int)
    /// `Threshold` is not a finite number.
    case invalidThreshold(alarm: String)
    /// Two entries of `Dimensions` have the same `Name`.
    case duplicateDimension(alarm: String, name: String)
    /// More than 30 dimensions.
    case tooManyDimensions(alarm: String, count: Int)
    /// Two alarms of one list share an `AlarmName`.
    case duplicateAlarmName(alarm: String)

    /// The alarm the error is about (its `AlarmName`, or a placeholder when it has none).
    public var alarm: String {
        switch self {
        case .notAnObject(let alarm, _), .unknownField(let alarm, _), .missingField(let alarm, _),
            .wrongType(let alarm, _, _, _), .invalidText(let alarm, _, _), .notOneOf(let alarm, _, _, _),
            .invalidPeriod(let alarm, _), .invalidEvaluationPeriods(let alarm, _),
            .invalidDatapointsToAlarm(let alarm, _, _), .evaluationWindowTooLong(let alarm, _, _),
            .invalidThreshold(let alarm), .duplicateDimension(let alarm, _), .tooManyDimensions(let alarm, _),
            .duplicateAlarmName(let alarm):
            return alarm
        }
    }

    /// The field the error is about, in `PutMetricAlarm` words (`Dimensions[0].Name` for a dimension).
    public var field: String {
        switch self {
        case .notAnObject: return "(the definition)"
        case .unknownField(_, let field), .missingField(_, let field), .wrongType(_, let field, _, _),
            .invalidText(_, let field, _), .notOneOf(_, let field, _, _):
            return field
        case .invalidPeriod: return "Period"
        case .invalidEvaluationPeriods: return "EvaluationPeriods"
        case .invalidDatapointsToAlarm: return "DatapointsToAlarm"
        case .evaluationWindowTooLong: return "EvaluationPeriods"
        case .invalidThreshold: return "Threshold"
        case .duplicateDimension, .tooManyDimensions: return "Dimensions"
        case .duplicateAlarmName: return "AlarmName"
        }
    }

    /// One line for the operator: `alarm "disk-filling": Period must be …`.
    public var description: String {
        let prefix = "alarm \"\(alarm)\": "
        switch self {
        case .notAnObject(_, let found):
            return prefix + "the definition must be an object of PutMetricAlarm fields, not \(found)"
        case .unknownField(_, let field):
            let allowed = field.hasPrefix("Dimensions[") ? ["Name", "Value"] : AlarmDefinition.fieldNames
            return prefix + "unknown field \(field) (allowed: \(allowed.joined(separator: ", ")))"
        case .missingField(_, let field):
            return prefix + "\(field) is required"
        case .wrongType(_, let field, let expected, let found):
            return prefix + "\(field) must be \(expected), not \(found)"
        case .invalidText(_, let field, let reason):
            return prefix + "\(field) \(reason)"
        case .notOneOf(_, let field, let value, let allowed):
            return prefix + "\(field) must be one of \(allowed.joined(separator: ", ")), not \"\(value)\""
        case .invalidPeriod(_, let period):
            return prefix + "Period must be 10, 20, 30 or a multiple of 60 seconds, not \(period)"
        case .invalidEvaluationPeriods(_, let evaluationPeriods):
            return prefix + "EvaluationPeriods must be at least 1, not \(evaluationPeriods)"
        case .invalidDatapointsToAlarm(_, let datapointsToAlarm, let evaluationPeriods):
            return prefix
                + "DatapointsToAlarm must be between 1 and EvaluationPeriods (\(evaluationPeriods)), not \(datapointsToAlarm)"
        case .evaluationWindowTooLong(_, let seconds, let limit):
            let rule = limit == AlarmDefinition.maximumShortPeriodWindow ? "when Period is under 3,600 s" : "in total"
            return prefix
                + "Period × EvaluationPeriods is \(seconds) s; it may be at most \(limit) s \(rule)"
        case .invalidThreshold:
            return prefix + "Threshold must be a finite number"
        case .duplicateDimension(_, let name):
            return prefix + "Dimensions names \(name) more than once"
        case .tooManyDimensions(_, let count):
            return prefix + "Dimensions has \(count) entries; at most 30 are allowed"
        case .duplicateAlarmName:
            return prefix + "AlarmName is used by more than one alarm"
        }
    }
}
