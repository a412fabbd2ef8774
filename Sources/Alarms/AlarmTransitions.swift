public import InfraJSON
public import InfraMonitorCore

/// The stored state of one alarm instance.
public struct AlarmStateRecord: Sendable, Hashable {
    /// The instance.
    public var instance: AlarmInstance
    /// Its current state.
    public var state: AlarmState
    /// The reason of the evaluation that set the state.
    public var reason: String
    /// When the instance entered the state (its creation, for an instance never changed).
    public var since: Timestamp

    /// A state record.
    public init(instance: AlarmInstance, state: AlarmState, reason: String, since: Timestamp) {
        self.instance = instance
        self.state = state
        self.reason = reason
        self.since = since
    }

    /// The record of an instance that has just been created: `INSUFFICIENT_DATA`, as CloudWatch
    /// sets a new alarm before its first evaluation.
    public static func created(_ instance: AlarmInstance, at time: Timestamp) -> AlarmStateRecord {
        AlarmStateRecord(instance: instance, state: .insufficientData, reason: "Unchecked: Initial alarm creation", since: time)
    }
}

/// One state change in an instance's history (`DescribeAlarmHistory`'s `StateUpdate` items).
public struct AlarmHistoryEntry: Sendable, Hashable {
    /// The instance.
    public var instance: AlarmInstance
    /// When the state changed.
    public var time: Timestamp
    /// The state before.
    public var oldState: AlarmState
    /// The state after.
    public var newState: AlarmState
    /// The reason of the evaluation that changed it.
    public var reason: String

    /// A history entry.
    public init(instance: AlarmInstance, time: Timestamp, oldState: AlarmState, newState: AlarmState, reason: String) {
        self.instance = instance
        self.time = time
        self.oldState = oldState
        self.newState = newState
        self.reason = reason
    }

    /// `Alarm updated from OK to ALARM`, as CloudWatch summarises a state update.
    public var summary: String { "Alarm updated from \(oldState.rawValue) to \(newState.rawValue)" }
}

/// What a state change produces: the history entry to store, the new state record and the
/// notification to publish.
public struct AlarmTransition: Sendable, Hashable {
    /// The entry for the instance's history.
    public var history: AlarmHistoryEntry
    /// The instance's state after the change.
    public var record: AlarmStateRecord
    /// The message for the `InfraMonitoring-Alarms` topic (docs/design.md, "Notifications").
    public var notification: PipelineNotification

    /// The transition of `instance` of `definition` from `previous` to `evaluation`'s state at
    /// `time`, or `nil` when the evaluation keeps the state: transitions notify, evaluations do not.
    public static func make(
        definition: AlarmDefinition,
        instance: AlarmInstance,
        previous: AlarmState,
        evaluation: AlarmEvaluation,
        at time: Timestamp
    ) -> AlarmTransition? {
        guard evaluation.state != previous else { return nil }
        let history = AlarmHistoryEntry(
            instance: instance,
            time: time,
            oldState: previous,
            newState: evaluation.state,
            reason: evaluation.reason
        )
        return AlarmTransition(
            history: history,
            record: AlarmStateRecord(instance: instance, state: evaluation.state, reason: evaluation.reason, since: time),
            notification: AlarmNotification.make(definition: definition, entry: history)
        )
    }
}

/// The alarm notification of docs/design.md, "Notifications", shaped like CloudWatch's SNS alarm message.
public enum AlarmNotification {
    /// SNS refuses subjects over 100 characters.
    public static let maximumSubjectLength = 100

    /// `InfraMonitor: ALARM: "disk-filling" host=web-1`: the new state, the alarm name and the
    /// fan-out labels; printable ASCII only and at most 100 characters, as SNS requires.
    public static func subject(state: AlarmState, instance: AlarmInstance) -> String {
        var subject = "InfraMonitor: \(state.rawValue): \"\(instance.alarmName)\""
        let labels = instance.fanOutText
        if !labels.isEmpty { subject += " " + labels }
        let ascii = String(String.UnicodeScalarView(subject.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F ? $0 : "?" }))
        guard ascii.count > maximumSubjectLength else { return ascii }
        return String(ascii.prefix(maximumSubjectLength - 3)) + "..."
    }

    /// The notification of one history entry. The body has CloudWatch's SNS alarm message fields
    /// (`AlarmName`, `NewStateValue`, `OldStateValue`, `NewStateReason`, `StateChangeTime`,
    /// `Trigger`) and the instance's series labels as `Labels`.
    public static func make(definition: AlarmDefinition, entry: AlarmHistoryEntry) -> PipelineNotification {
        PipelineNotification(
            subject: subject(state: entry.newState, instance: entry.instance),
            message: body(definition: definition, entry: entry)
        )
    }

    /// The body as a JSON value.
    public static func body(definition: AlarmDefinition, entry: AlarmHistoryEntry) -> JSON {
        var labels: [String: JSON] = [:]
        for (key, value) in entry.instance.labels { labels[key] = .string(value) }
        return [
            "AlarmName": .string(definition.alarmName),
            "AlarmDescription": .null,
            "AlarmInstance": .string(entry.instance.id),
            "NewStateValue": .string(entry.newState.rawValue),
            "OldStateValue": .string(entry.oldState.rawValue),
            "NewStateReason": .string(entry.reason),
            "StateChangeTime": .string(CloudWatchText.stateChangeTime(entry.time)),
            "Trigger": trigger(definition),
            "Labels": .object(labels),
        ]
    }

    /// `Trigger` as CloudWatch writes it: the statistic in capitals and the dimensions as
    /// `{"value", "name"}` pairs.
    static func trigger(_ definition: AlarmDefinition) -> JSON {
        [
            "MetricName": .string(definition.metricName),
            "Namespace": .string(definition.namespace),
            "StatisticType": "Statistic",
            "Statistic": .string(definition.statistic == .sampleCount ? "SAMPLE_COUNT" : definition.statistic.rawValue.uppercased()),
            "Unit": .null,
            "Dimensions": .array(definition.dimensions.map { ["value": .string($0.value), "name": .string($0.name)] }),
            "Period": .number(Double(definition.period)),
            "EvaluationPeriods": .number(Double(definition.evaluationPeriods)),
            "DatapointsToAlarm": .number(Double(definition.datapointsToAlarm)),
            "ComparisonOperator": .string(definition.comparisonOperator.rawValue),
            "Threshold": .number(definition.threshold),
            "TreatMissingData": .string(definition.treatMissingData.rawValue),
            "EvaluateLowSampleCountPercentile": "",
        ]
    }
}
