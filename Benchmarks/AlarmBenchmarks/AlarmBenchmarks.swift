import Alarms
import Benchmark
import InfraMonitorCore

// Alarm evaluation after one execution of the pipeline, at fleet size.
//
// The fleet: 1,000 hosts × 9 series (cpu_utilization; memory_usage; disk_usage on /, /var and
// /home; network_traffic on eth0 and eth1, rx and tx), one sample per series per execution and
// one execution per 3-hour period, so the 5-period evaluation range of a 3-of-3 alarm holds
// 5 samples per series: 45,000 samples. Five fan-out alarms (no `host` dimension) make
// 10,000 instances: cpu-high 1,000, memory-high 1,000, disk-filling (mountpoint=/) 1,000,
// disk-any 3,000, network-silent 4,000.
//
// - "Evaluate 5 fan-out alarms, 1,000 hosts × 9 series": grouping the samples into series,
//   fan-out, period datapoints, CloudWatch's evaluation and the transitions, over states stored
//   by an earlier run (every instance OK; in the last three executions one host in five is high on
//   every series, so 2,000 instances go to ALARM).
//   One iteration is one evaluation of every instance; wall clock, CPU, peak resident memory and
//   mallocs are per evaluation.
// - "… with in-memory store and notifier": the same through `AlarmEngine.run`, with the states
//   read from and written to an `InMemoryAlarmStateStore` and every notification handed to a
//   notifier that drops it.

private let period = 10_800
private let hosts = 1_000
private let evaluationTime = Timestamp(seconds: 1_796_083_200 + 4 * 3600 + 30)

private let definitions: [AlarmDefinition] = {
    func alarm(
        _ name: String,
        _ metric: String,
        _ statistic: AlarmDefinition.Statistic,
        _ comparison: AlarmDefinition.ComparisonOperator,
        _ threshold: Double,
        m: Int = 3,
        dimensions: [AlarmDefinition.Dimension] = [],
        missing: AlarmDefinition.TreatMissingData = .missing
    ) -> AlarmDefinition {
        try! AlarmDefinition(
            alarmName: name,
            metricName: metric,
            dimensions: dimensions,
            statistic: statistic,
            period: period,
            evaluationPeriods: 3,
            datapointsToAlarm: m,
            threshold: threshold,
            comparisonOperator: comparison,
            treatMissingData: missing
        )
    }
    return [
        alarm("cpu-high", "cpu_utilization", .average, .greaterThanOrEqualToThreshold, 90),
        alarm("memory-high", "memory_usage", .maximum, .greaterThanThreshold, 95),
        alarm("disk-filling", "disk_usage", .maximum, .greaterThanOrEqualToThreshold, 90, m: 2, dimensions: [.init(name: "mountpoint", value: "/")]),
        alarm("disk-any", "disk_usage", .maximum, .greaterThanOrEqualToThreshold, 95),
        alarm("network-silent", "network_traffic", .sum, .lessThanOrEqualToThreshold, 0, missing: .breaching),
    ]
}()

/// The samples of the last five executions; with `hot`, one host in five is high on every series in the last three.
private func fleetSamples(hot: Bool) -> [Sample] {
    var samples: [Sample] = []
    samples.reserveCapacity(hosts * 9 * 5)
    for host in 0..<hosts {
        let name = "host-\(host)"
        for execution in 0..<5 {
            let time = evaluationTime.adding(seconds: -Int64(4 - execution) * Int64(period) - 25)
            let high = hot && host % 5 == 0 && execution >= 2
            let level = high ? 97.0 : 40.0 + Double(host % 7)
            func add(_ metric: String, _ value: Double, _ unit: String, _ labels: [String: String] = [:]) {
                samples.append(Sample(metric: metric, host: name, timestamp: time, value: value, unit: unit, labels: labels))
            }
            add("cpu_utilization", level, "Percent")
            add("memory_usage", level, "Percent")
            for mountpoint in ["/", "/var", "/home"] { add("disk_usage", level, "Percent", ["mountpoint": mountpoint]) }
            for device in ["eth0", "eth1"] {
                for direction in ["rx", "tx"] {
                    add("network_traffic", high ? 0 : 1_000 + Double(host), "Bytes/Second", ["device": device, "direction": direction])
                }
            }
        }
    }
    return samples
}

/// States as an earlier run left them: every instance OK.
private func storedStates(_ engine: AlarmEngine) -> [String: AlarmStateRecord] {
    let report = engine.evaluate(AlarmObservations(samples: fleetSamples(hot: false)), at: evaluationTime, states: [:])
    var states: [String: AlarmStateRecord] = [:]
    for record in report.states { states[record.instance.id] = record }
    return states
}

private struct DroppingNotifier: Notifier {
    func publish(_ notification: PipelineNotification) async throws { blackHole(notification) }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(30),
        maxIterations: 10
    )
    let engine = AlarmEngine(definitions: definitions)

    Benchmark("Evaluate 5 fan-out alarms, 1,000 hosts × 9 series", configuration: configuration) { benchmark in
        let samples = fleetSamples(hot: true)
        let states = storedStates(engine)
        benchmark.startMeasurement()
        let report = engine.evaluate(AlarmObservations(samples: samples), at: evaluationTime, states: states)
        benchmark.stopMeasurement()
        guard report.outcomes.count == 10_000, report.transitions.count == 2_000 else {
            fatalError("unexpected report: \(report.outcomes.count) outcomes, \(report.transitions.count) transitions")
        }
        blackHole(report)
    }

    Benchmark("Evaluate 5 fan-out alarms, 1,000 hosts × 9 series, with in-memory store and notifier", configuration: configuration) {
        benchmark in
        let samples = fleetSamples(hot: true)
        let store = InMemoryAlarmStateStore()
        await store.save(states: Array(storedStates(engine).values), history: [])
        benchmark.startMeasurement()
        let report = try await engine.run(AlarmObservations(samples: samples), at: evaluationTime, store: store, notifier: DroppingNotifier())
        benchmark.stopMeasurement()
        guard report.transitions.count == 2_000 else { fatalError("unexpected transitions: \(report.transitions.count)") }
        blackHole(report)
    }
}
