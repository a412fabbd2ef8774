import Alarms
import InfraMonitorCore
import Testing

@Suite struct DatapointsTests {
    @Test func rangeIsAlignedAndEndsWithThePeriodOfTheEvaluation() {
        let range = EvaluationRange(period: 10_800, count: 5, endingAt: time(hours: 4, seconds: 17))
        #expect(range.newestPeriodStart == time(hours: 3))
        #expect(range.start == time(hours: -9))
        #expect(range.end == time(hours: 6))
        #expect(range.index(of: time(hours: -9)) == 0)
        #expect(range.index(of: time(hours: -9, seconds: -1)) == nil)
        #expect(range.index(of: time(hours: 5, seconds: 3599)) == 4)
        #expect(range.index(of: time(hours: 6)) == nil)
    }

    @Test(arguments: [
        (AlarmDefinition.Statistic.average, [4.0, 10.0] as [Double?]),
        (.minimum, [1.0, 10.0]),
        (.maximum, [7.0, 10.0]),
        (.sum, [12.0, 10.0]),
        (.sampleCount, [3.0, 1.0]),
    ])
    func statisticOfEachPeriod(statistic: AlarmDefinition.Statistic, expected: [Double?]) {
        let range = EvaluationRange(period: 60, count: 3, endingAt: time(hours: 0, seconds: 150))
        let samples: [TimedStatistics] = [
            TimedStatistics(time: time(hours: 0, seconds: 0), statistics: StatisticSet(value: 1)),
            TimedStatistics(time: time(hours: 0, seconds: 59), statistics: StatisticSet(value: 7)),
            TimedStatistics(time: time(hours: 0, seconds: 30), statistics: StatisticSet(value: 4)),
            TimedStatistics(time: time(hours: 0, seconds: 61), statistics: StatisticSet(value: 10)),
            // Outside the range: skipped.
            TimedStatistics(time: time(hours: 0, seconds: -1), statistics: StatisticSet(value: 1000)),
            TimedStatistics(time: time(hours: 0, seconds: 180), statistics: StatisticSet(value: 1000)),
        ]
        // Periods: [00:00, 00:01) [00:01, 00:02) [00:02, 00:03); the last has no samples.
        #expect(range.datapoints(samples, statistic: statistic) == expected + [nil])
    }

    @Test func recordsMergeAsStatisticSets() {
        let range = EvaluationRange(period: 3600, count: 1, endingAt: time(hours: 0, seconds: 10))
        func record(_ count: Int, _ sum: Double, _ min: Double, _ max: Double) -> TimedStatistics {
            TimedStatistics(
                MetricRecord(
                    metricID: "cpu_utilization#web-1",
                    timestamp: time(hours: 0),
                    metric: "cpu_utilization",
                    host: "web-1",
                    labels: [:],
                    unit: "Percent",
                    count: count,
                    sum: sum,
                    min: min,
                    max: max,
                    last: max,
                    source: "raw-metrics/x"
                )
            )
        }
        let records = [record(2, 10, 4, 6), record(3, 30, 2, 20)]
        #expect(range.datapoints(records, statistic: .average) == [8])
        #expect(range.datapoints(records, statistic: .minimum) == [2])
        #expect(range.datapoints(records, statistic: .maximum) == [20])
        #expect(range.datapoints(records, statistic: .sampleCount) == [5])
    }
}
