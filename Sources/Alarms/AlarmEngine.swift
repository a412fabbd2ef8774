public import InfraMonitorCore

/// The samples alarms are evaluated on, grouped by series.
public struct AlarmObservations: Sendable {
    /// The observations of each series, in the order they were added.
    public private(set) var series: [SeriesKey: [TimedStatistics]] = [:]

    /// No observations.
    public init() {}

    /// The observations of raw samples (the `metrics` table's rows).
    public init(samples: some Sequence<Sample>) {
        for sample in samples { add(sample) }
    }

    /// The observations of records (the `infra_metrics` table's per-batch summaries).
    public init(records: some Sequence<MetricRecord>) {
        for record in records { add(record) }
    }

    /// Adds one raw sample.
    public mutating func add(_ sample: Sample) {
        series[SeriesKey(sample), default: []].append(TimedStatistics(sample))
    }

    /// Adds one record.
    public mutating func add(_ record: MetricRecord) {
        series[SeriesKey(record), default: []].append(TimedStatistics(record))
    }

    /// Adds an observation of `key`.
    public mutating func add(_ observation: TimedStatistics, to key: SeriesKey) {
        series[key, default: []].append(observation)
    }

    /// The time span whose samples an evaluation of `definitions` at `time` reads: from the start
    /// of the longest evaluation range to the end of the period containing `time`. Callers fetch
    /// the samples of this span (`start <= timestamp < end`).
    public static func span(of definitions: [AlarmDefinition], at time: Timestamp) -> (start: Timestamp, end: Timestamp)? {
        let ranges = definitions.map { EvaluationRange(definition: $0, at: time) }
        guard let start = ranges.map(\.start).min(), let end = ranges.map(\.end).max() else { return nil }
        return (start, end)
    }
}

/// The evaluation of one alarm instance.
public struct AlarmOutcome: Sendable, Hashable {
    /// The instance.
    public var instance: AlarmInstance
    /// Its state before the evaluation (`INSUFFICIENT_DATA` for an instance just created).
    public var previousState: AlarmState
    /// The evaluation.
    public var evaluation: AlarmEvaluation
    /// The datapoints evaluated, oldest first.
    public var datapoints: [Double?]
    /// The state change, when there is one.
    public var transition: AlarmTransition?
}

/// What one evaluation of every alarm produced.
public struct AlarmRunReport: Sendable, Hashable {
    /// Every instance's evaluation, by alarm definition order then instance id.
    public var outcomes: [AlarmOutcome]
    /// The states to store: every changed instance and every instance seen for the first time.
    public var states: [AlarmStateRecord]

    /// The state changes, in outcome order.
    public var transitions: [AlarmTransition] { outcomes.compactMap(\.transition) }
}

/// Why publishing alarm notifications failed (the states and history were stored first).
public struct AlarmNotificationError: Error, Sendable, CustomStringConvertible {
    /// How many notifications could not be published.
    public var failed: Int
    /// How many there were.
    public var total: Int
    /// The first failure, described.
    public var firstError: String

    public var description: String {
        "\(failed) of \(total) alarm notifications could not be published (first: \(firstError)); the alarm states and history were stored"
    }
}

/// Evaluates alarm definitions over their series: fan-out, period datapoints, the evaluation,
/// and the transitions that notify.
public struct AlarmEngine: Sendable {
    /// The definitions, in configuration order.
    public var definitions: [AlarmDefinition]

    /// An engine for `definitions`.
    public init(definitions: [AlarmDefinition]) {
        self.definitions = definitions
    }

    /// Evaluates every instance of every definition at `time`, without side effects.
    /// - Parameters:
    ///   - observations: the samples of the span ``AlarmObservations/span(of:at:)`` names (more
    ///     are skipped).
    ///   - time: the evaluation time; each range ends with the period containing it.
    ///   - states: the stored states by instance id (``AlarmStateStore/allStates()``).
    public func evaluate(
        _ observations: AlarmObservations,
        at time: Timestamp,
        states: [String: AlarmStateRecord]
    ) -> AlarmRunReport {
        var byMetric: [String: [SeriesKey]] = [:]
        for key in observations.series.keys { byMetric[key.metric, default: []].append(key) }
        var knownByAlarm: [String: [AlarmInstance]] = [:]
        for record in states.values { knownByAlarm[record.instance.alarmName, default: []].append(record.instance) }

        var outcomes: [AlarmOutcome] = []
        var toStore: [AlarmStateRecord] = []
        for definition in definitions {
            let range = EvaluationRange(definition: definition, at: time)
            let instances = definition.instances(series: byMetric[definition.metricName] ?? [], known: knownByAlarm[definition.alarmName] ?? [])
            for instance in instances {
                let key = SeriesKey(metric: definition.metricName, labels: instance.labels, namespace: definition.namespace)
                let datapoints = range.datapoints(observations.series[key] ?? [], statistic: definition.statistic)
                let stored = states[instance.id]
                let previous = stored?.state ?? .insufficientData
                let evaluation = AlarmEvaluator.evaluate(
                    definition,
                    datapoints: datapoints,
                    priorState: previous,
                    newestPeriodStart: range.newestPeriodStart
                )
                let transition = AlarmTransition.make(
                    definition: definition,
                    instance: instance,
                    previous: previous,
                    evaluation: evaluation,
                    at: time
                )
                if let transition {
                    toStore.append(transition.record)
                } else if stored == nil {
                    toStore.append(AlarmStateRecord(instance: instance, state: evaluation.state, reason: evaluation.reason, since: time))
                }
                outcomes.append(
                    AlarmOutcome(
                        instance: instance,
                        previousState: previous,
                        evaluation: evaluation,
                        datapoints: datapoints,
                        transition: transition
                    )
                )
            }
        }
        return AlarmRunReport(outcomes: outcomes, states: toStore)
    }

    /// Evaluates at `time`, stores the new states and the history of every change in `store`, then
    /// publishes one notification per change through `notifier` (none for an evaluation that
    /// keeps the state).
    /// - Throws: the store's errors (nothing is published then), or ``AlarmNotificationError``
    ///   when some notifications failed after every one was attempted.
    @discardableResult
    public func run(
        _ observations: AlarmObservations,
        at time: Timestamp,
        store: some AlarmStateStore,
        notifier: (any Notifier)?
    ) async throws -> AlarmRunReport {
        var states: [String: AlarmStateRecord] = [:]
        for record in try await store.allStates() { states[record.instance.id] = record }
        let report = evaluate(observations, at: time, states: states)
        let transitions = report.transitions
        if !report.states.isEmpty || !transitions.isEmpty {
            try await store.save(states: report.states, history: transitions.map(\.history))
        }
        guard let notifier else { return report }
        var failed = 0
        var firstError: String?
        for transition in transitions {
            do {
                try await notifier.publish(transition.notification)
            } catch {
                failed += 1
                if firstError == nil { firstError = String(describing: error) }
            }
        }
        if let firstError {
            throw AlarmNotificationError(failed: failed, total: transitions.count, firstError: firstError)
        }
        return report
    }
}
