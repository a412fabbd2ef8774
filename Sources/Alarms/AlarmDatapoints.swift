public import InfraMonitorCore

/// Count, sum, minimum and maximum of some samples: enough for every statistic an alarm may use,
/// and mergeable, as CloudWatch's statistic sets are.
public struct StatisticSet: Sendable, Hashable {
    /// The number of samples.
    public var sampleCount: Int
    /// Their sum.
    public var sum: Double
    /// The smallest.
    public var minimum: Double
    /// The largest.
    public var maximum: Double

    /// The set of one sample.
    public init(value: Double) {
        sampleCount = 1
        sum = value
        minimum = value
        maximum = value
    }

    /// A set from its parts (a `MetricRecord`'s count, sum, min and max).
    public init(sampleCount: Int, sum: Double, minimum: Double, maximum: Double) {
        self.sampleCount = sampleCount
        self.sum = sum
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Adds the samples of `other`.
    public mutating func merge(_ other: StatisticSet) {
        sampleCount += other.sampleCount
        sum += other.sum
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    /// The datapoint `statistic` makes of these samples.
    public func value(of statistic: AlarmDefinition.Statistic) -> Double {
        switch statistic {
        case .average: return sum / Double(sampleCount)
        case .minimum: return minimum
        case .maximum: return maximum
        case .sum: return sum
        case .sampleCount: return Double(sampleCount)
        }
    }
}

/// The periods of one evaluation range: `count` periods of `period` seconds, aligned to multiples
/// of the period since the Unix epoch (as CloudWatch aligns datapoints), the last one containing
/// the evaluation time, so that the samples of the execution just processed are in the range.
public struct EvaluationRange: Sendable, Hashable {
    /// Seconds per period.
    public var period: Int
    /// The number of periods.
    public var count: Int
    /// The start of the newest period (the one containing the evaluation time).
    public var newestPeriodStart: Timestamp

    /// The range `definition` evaluates at `time`: ``AlarmDefinition/evaluationRangePeriods`` periods.
    public init(definition: AlarmDefinition, at time: Timestamp) {
        self.init(period: definition.period, count: definition.evaluationRangePeriods, endingAt: time)
    }

    /// `count` periods of `period` seconds, the last containing `time`.
    public init(period: Int, count: Int, endingAt time: Timestamp) {
        precondition(period > 0 && count > 0, "an evaluation range needs a positive period and count")
        self.period = period
        self.count = count
        let p = Int64(period)
        let (q, r) = time.seconds.quotientAndRemainder(dividingBy: p)
        newestPeriodStart = Timestamp(seconds: (r < 0 ? q - 1 : q) * p)
    }

    /// The start of the oldest period.
    public var start: Timestamp { newestPeriodStart.adding(seconds: -Int64(count - 1) * Int64(period)) }

    /// The end of the newest period (exclusive).
    public var end: Timestamp { newestPeriodStart.adding(seconds: Int64(period)) }

    /// The index (0 = oldest) of the period containing `time`, or `nil` outside the range.
    @inline(__always)
    public func index(of time: Timestamp) -> Int? {
        let offset = time.seconds - start.seconds
        guard offset >= 0 else { return nil }
        let index = Int(offset / Int64(period))
        return index < count ? index : nil
    }

    /// The datapoints of one series: the statistic of the samples in each period, oldest first,
    /// `nil` for a period without samples.
    /// - Parameters:
    ///   - observations: the series' samples (or summaries) with their times, in any order;
    ///     those outside the range are skipped.
    ///   - statistic: the alarm's `Statistic`.
    public func datapoints(
        _ observations: some Sequence<TimedStatistics>,
        statistic: AlarmDefinition.Statistic
    ) -> [Double?] {
        var sets = [StatisticSet?](repeating: nil, count: count)
        for observation in observations {
            guard let index = index(of: observation.time) else { continue }
            if sets[index] == nil { sets[index] = observation.statistics } else { sets[index]!.merge(observation.statistics) }
        }
        return sets.map { $0?.value(of: statistic) }
    }
}

/// Samples of one series at one instant: a raw sample, or a `MetricRecord`'s summary of a batch
/// (dated by its earliest sample).
public struct TimedStatistics: Sendable, Hashable {
    /// When the samples were taken (the earliest, for a summary).
    public var time: Timestamp
    /// Their statistics.
    public var statistics: StatisticSet

    /// One observation.
    public init(time: Timestamp, statistics: StatisticSet) {
        self.time = time
        self.statistics = statistics
    }

    /// One raw sample.
    public init(_ sample: Sample) {
        self.init(time: sample.timestamp, statistics: StatisticSet(value: sample.value))
    }

    /// The summary of one series in one raw batch.
    public init(_ record: MetricRecord) {
        self.init(
            time: record.timestamp,
            statistics: StatisticSet(sampleCount: record.count, sum: record.sum, minimum: record.min, maximum: record.max)
        )
    }
}
