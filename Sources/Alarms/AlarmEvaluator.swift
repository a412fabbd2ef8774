public import InfraMonitorCore

/// The three states of a CloudWatch metric alarm.
public enum AlarmState: String, Sendable, Hashable, CaseIterable {
    /// "The metric or expression is within the defined threshold."
    case ok = "OK"
    /// "The metric or expression is outside of the defined threshold."
    case alarm = "ALARM"
    /// "The alarm has just started, the metric is not available, or not enough data is available
    /// for the metric to determine the alarm state."
    case insufficientData = "INSUFFICIENT_DATA"
}

/// The outcome of one evaluation: the state the alarm is in afterwards and why.
public struct AlarmEvaluation: Sendable, Hashable {
    /// The state after the evaluation (the prior state when nothing decided otherwise).
    public var state: AlarmState
    /// A reason in the style of CloudWatch's `StateReason`.
    public var reason: String

    /// An evaluation result.
    public init(state: AlarmState, reason: String) {
        self.state = state
        self.reason = reason
    }
}

/// Evaluates an alarm over its evaluation range, as the CloudWatch User Guide documents it in
/// "How alarm state is evaluated when data is missing"
/// (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html>, formerly
/// `AlarmThatSendsEmail.html#alarms-evaluating-missing-data`; the text quoted here is that of
/// `doc_source/AlarmThatSendsEmail.md` in awsdocs/amazon-cloudwatch-user-guide):
///
/// 1. "If no data points in the evaluation range are missing, CloudWatch evaluates the alarm based
///    on the most recent data points collected."
/// 2. "If some data points in the evaluation range are missing, but the number of existing data
///    points retrieved is equal to or more than the alarm's Evaluation Periods, CloudWatch
///    evaluates the alarm state based on the most recent existing data points that were
///    successfully retrieved. In this case, the value you set for how to treat missing data is not
///    needed and is ignored."
/// 3. "If some data points in the evaluation range are missing, and the number of existing data
///    points that were retrieved is lower than the alarm's number of evaluation periods,
///    CloudWatch fills in the missing data points with the result you specified for how to treat
///    missing data, and then evaluates the alarm. However, any real data points in the evaluation
///    range, no matter when they were reported, are included in the evaluation. CloudWatch uses
///    missing data points only as few times as possible."
/// 4. "In all of these situations, the number of datapoints evaluated is equal to the value of
///    Evaluation Periods. If fewer than the value of Datapoints to Alarm are breaching, the alarm
///    state is set to OK. Otherwise, the state is set to ALARM."
///
/// The filled datapoints are the most recent missing periods of the range. With `breaching` and
/// `notBreaching` they count as breaching or not; rule 4 decides. With `missing` they count as
/// neither, which the guide's tables pin down (both tables, every column, are the test fixtures):
/// enough real breaching datapoints give ALARM; any real datapoint within the threshold gives OK
/// ("the alarm stays OK … because the one existing data point is not breaching"); no real
/// datapoint at all gives INSUFFICIENT_DATA; and when every real datapoint is breaching but there
/// are fewer than `DatapointsToAlarm`, the alarm goes to ALARM only if the oldest breaching
/// datapoint is at least `DatapointsToAlarm` evaluated periods old — "the alarm goes to ALARM
/// state even if missing data is treated as missing, because the oldest evaluated data point is
/// breaching and there aren't any non-breaching data points" (sixth row of the first table;
/// Knowledge Center, "Why did my CloudWatch alarm send me a notification after a single breached
/// data point?": "the oldest available breaching data point in the alarm's evaluation range is at
/// least as old as the value of Datapoints to Alarm, and all other more recent data points are
/// breaching or missing") — and to INSUFFICIENT_DATA otherwise. `ignore` decides as `missing`
/// wherever the real datapoints decide, and "the current alarm state is maintained" wherever
/// `missing` would have decided from missing data ("Retain current state" in the tables).
public enum AlarmEvaluator {
    /// Evaluates `definition` over one evaluation range.
    /// - Parameters:
    ///   - definition: the alarm.
    ///   - datapoints: the evaluation range, oldest first, one value per period, `nil` for a period
    ///     without data. A range shorter than `EvaluationPeriods` is taken as missing before its
    ///     first element (the alarm looks further back than there is data).
    ///   - priorState: the state before the evaluation.
    ///   - newestPeriodStart: the start of the last period of the range, to date the datapoints
    ///     in the reason as CloudWatch does (`93.1 (01/12/26 03:00:00)`); without it the values
    ///     are listed undated.
    /// - Returns: the new state and its reason.
    public static func evaluate(
        _ definition: AlarmDefinition,
        datapoints: [Double?],
        priorState: AlarmState,
        newestPeriodStart: Timestamp? = nil
    ) -> AlarmEvaluation {
        let n = definition.evaluationPeriods
        let m = definition.datapointsToAlarm
        let padding = max(0, n - datapoints.count)
        let count = datapoints.count + padding
        @inline(__always) func value(_ index: Int) -> Double? { index < padding ? nil : datapoints[index - padding] }

        var real: [Int] = []
        var missing: [Int] = []
        real.reserveCapacity(count)
        for index in 0..<count {
            if value(index) != nil { real.append(index) } else { missing.append(index) }
        }

        let text = ReasonText(definition: definition, count: count, newestPeriodStart: newestPeriodStart) { value($0)! }
        let isBreaching: (Int) -> Bool = { definition.comparisonOperator.breaches(value($0)!, definition.threshold) }

        // Rules 1 and 2: enough real datapoints; the most recent N of them decide.
        if real.count >= n {
            let evaluated = real.suffix(n)
            let breaching = evaluated.filter(isBreaching)
            let within = evaluated.filter { !isBreaching($0) }
            let state: AlarmState = breaching.count >= m ? .alarm : .ok
            return AlarmEvaluation(
                state: state,
                reason: text.thresholdCrossed(state: state, prior: priorState, breaching: breaching, within: within, fills: 0, fillKind: nil)
            )
        }

        // Rule 3: fill the most recent missing periods, as few as possible.
        let fillCount = n - real.count
        let fills = missing.suffix(fillCount)
        let breaching = real.filter(isBreaching)
        let within = real.filter { !isBreaching($0) }

        switch definition.treatMissingData {
        case .breaching, .notBreaching:
            let fillsBreach = definition.treatMissingData == .breaching
            let state: AlarmState = breaching.count + (fillsBreach ? fillCount : 0) >= m ? .alarm : .ok
            return AlarmEvaluation(
                state: state,
                reason: text.thresholdCrossed(
                    state: state,
                    prior: priorState,
                    breaching: breaching,
                    within: within,
                    fills: fillCount,
                    fillKind: fillsBreach ? .breaching : .notBreaching
                )
            )

        case .missing, .ignore:
            if breaching.count >= m || !within.isEmpty {
                // The real datapoints decide; the filled ones are not considered.
                let state: AlarmState = breaching.count >= m ? .alarm : .ok
                return AlarmEvaluation(
                    state: state,
                    reason: text.thresholdCrossed(
                        state: state,
                        prior: priorState,
                        breaching: breaching,
                        within: within,
                        fills: fillCount,
                        fillKind: .notConsidered
                    )
                )
            }
            // Only missing data, or only breaching datapoints and fewer than M of them: the
            // decision rests on the missing periods.
            if definition.treatMissingData == .ignore {
                return AlarmEvaluation(state: priorState, reason: text.retained(prior: priorState, missing: missing.count))
            }
            guard let oldestBreaching = breaching.first else {
                return AlarmEvaluation(state: .insufficientData, reason: text.allUnknown())
            }
            let evaluated = (real + fills).sorted()
            let age = evaluated.count - evaluated.firstIndex(of: oldestBreaching)!
            if age >= m {
                return AlarmEvaluation(
                    state: .alarm,
                    reason: text.oldestBreaching(prior: priorState, breaching: breaching, fills: fillCount)
                )
            }
            return AlarmEvaluation(state: .insufficientData, reason: text.tooRecent(breaching: breaching, fills: fillCount))
        }
    }
}

/// The state reasons, worded as CloudWatch words them (`Threshold Crossed: …`, `Insufficient Data: …`).
private struct ReasonText {
    enum FillKind {
        case breaching
        case notBreaching
        case notConsidered
    }

    let definition: AlarmDefinition
    let count: Int
    let newestPeriodStart: Timestamp?
    let value: (Int) -> Double

    init(definition: AlarmDefinition, count: Int, newestPeriodStart: Timestamp?, value: @escaping (Int) -> Double) {
        self.definition = definition
        self.count = count
        self.newestPeriodStart = newestPeriodStart
        self.value = value
    }

    var threshold: String { CloudWatchText.number(definition.threshold) }
    var n: Int { definition.evaluationPeriods }
    var m: Int { definition.datapointsToAlarm }

    /// `93.1 (01/12/26 03:00:00), 91.0 (01/12/26 00:00:00)`: newest first, dated when the range is.
    func list(_ indices: [Int]) -> String {
        indices.reversed().map { index in
            let number = CloudWatchText.number(value(index))
            guard let newest = newestPeriodStart else { return number }
            let start = newest.adding(seconds: -Int64(count - 1 - index) * Int64(definition.period))
            return number + " (" + CloudWatchText.date(start) + ")"
        }.joined(separator: ", ")
    }

    /// The transition the reason names: the prior state, or the opposite one when the state stays.
    func transition(prior: AlarmState, to state: AlarmState) -> String {
        let from: AlarmState = prior != state ? prior : (state == .alarm ? .ok : .alarm)
        return "\(from.rawValue) -> \(state.rawValue)"
    }

    func thresholdCrossed(
        state: AlarmState,
        prior: AlarmState,
        breaching: [Int],
        within: [Int],
        fills: Int,
        fillKind: FillKind?
    ) -> String {
        let phrase = definition.comparisonOperator.phrase
        let deciding = state == .alarm ? breaching : within
        let other = state == .alarm ? within : breaching
        let words = state == .alarm ? phrase : "not " + phrase
        let otherWords = state == .alarm ? "not " + phrase : phrase
        let fillsDecide = (fillKind == .breaching && state == .alarm) || (fillKind == .notBreaching && state == .ok)
        let treatedAs = fillKind == .breaching ? "[Breaching]" : "[NonBreaching]"
        var out = "Threshold Crossed: "
        if breaching.isEmpty && within.isEmpty {
            out += "no datapoints were received for \(CloudWatchText.count(fills, "period")) and "
            out += "\(CloudWatchText.count(fills, "missing datapoint")) \(CloudWatchText.was(fills)) treated as \(treatedAs)"
        } else if deciding.isEmpty {
            out += "\(CloudWatchText.count(fills, "missing datapoint")) \(CloudWatchText.was(fills)) treated as \(treatedAs) and "
            out += "\(other.count) out of the last \(n) datapoints [\(list(other))] \(CloudWatchText.was(other.count)) "
            out += "\(otherWords) the threshold (\(threshold))"
        } else {
            out += "\(deciding.count) out of the last \(n) datapoints [\(list(deciding))] \(CloudWatchText.was(deciding.count)) "
            out += "\(words) the threshold (\(threshold))"
            if fills > 0, let fillKind {
                switch fillKind {
                case .breaching, .notBreaching:
                    if fillsDecide {
                        out += " and \(CloudWatchText.count(fills, "missing datapoint")) \(CloudWatchText.was(fills)) treated as \(treatedAs)"
                    } else {
                        out += " (\(CloudWatchText.count(fills, "missing datapoint")) treated as \(treatedAs))"
                    }
                case .notConsidered:
                    out += " and \(CloudWatchText.count(fills, "missing datapoint")) \(CloudWatchText.was(fills)) not considered"
                }
            }
        }
        if state == .alarm {
            out += " (minimum \(CloudWatchText.count(m, "datapoint")) for \(transition(prior: prior, to: .alarm)) transition)."
        } else if fillKind == .notConsidered && within.count < n - m + 1 {
            out += " (fewer than \(CloudWatchText.count(m, "datapoint")) breaching for \(transition(prior: prior, to: .alarm)) transition)."
        } else {
            out += " (minimum \(CloudWatchText.count(n - m + 1, "datapoint")) for \(transition(prior: prior, to: .ok)) transition)."
        }
        return out
    }

    func oldestBreaching(prior: AlarmState, breaching: [Int], fills: Int) -> String {
        "Threshold Crossed: \(breaching.count) out of the last \(n) datapoints [\(list(breaching))] "
            + "\(CloudWatchText.was(breaching.count)) \(definition.comparisonOperator.phrase) the threshold (\(threshold)) and "
            + "\(CloudWatchText.count(fills, "missing datapoint")) \(CloudWatchText.was(fills)) not considered; "
            + "the oldest evaluated datapoint is breaching and none is within the threshold "
            + "(minimum \(CloudWatchText.count(m, "datapoint")) for \(transition(prior: prior, to: .alarm)) transition)."
    }

    func tooRecent(breaching: [Int], fills: Int) -> String {
        "Insufficient Data: \(breaching.count) out of the last \(n) datapoints [\(list(breaching))] "
            + "\(CloudWatchText.was(breaching.count)) \(definition.comparisonOperator.phrase) the threshold (\(threshold)) and "
            + "\(CloudWatchText.count(fills, "datapoint")) \(CloudWatchText.was(fills)) unknown "
            + "(minimum \(CloudWatchText.count(m, "datapoint")) for ALARM)."
    }

    func allUnknown() -> String {
        "Insufficient Data: \(CloudWatchText.count(count, "datapoint")) \(CloudWatchText.was(count)) unknown."
    }

    func retained(prior: AlarmState, missing: Int) -> String {
        "Unchanged: \(missing) of the last \(CloudWatchText.count(count, "datapoint")) \(CloudWatchText.was(missing)) missing "
            + "and TreatMissingData is ignore; the state stays \(prior.rawValue)."
    }
}

/// Numbers, dates and counts as CloudWatch prints them in state reasons.
enum CloudWatchText {
    /// `90.0`, `93.1`, `20000.0`: the shortest text that round-trips, always with a decimal part.
    static func number(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e16 {
            return String(Int64(value)) + ".0"
        }
        return value.description
    }

    /// `01/12/26 03:00:00`: day/month/year and time in UTC, as in `StateReason`.
    static func date(_ time: Timestamp) -> String {
        let c = time.civil
        return two(c.day) + "/" + two(c.month) + "/" + two(c.year % 100) + " " + two(c.hour) + ":" + two(c.minute) + ":"
            + two(c.second)
    }

    /// `2026-12-01T03:00:05.123+0000`: the `StateChangeTime` of an SNS alarm message.
    static func stateChangeTime(_ time: Timestamp) -> String {
        String(time.iso8601Milliseconds.dropLast()) + "+0000"
    }

    /// `1 datapoint`, `2 datapoints`.
    static func count(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    /// `was` or `were`.
    static func was(_ count: Int) -> String { count == 1 ? "was" : "were" }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
