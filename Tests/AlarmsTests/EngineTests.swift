import Alarms
import InfraJSON
import InfraMonitorCore
import Testing

@Suite struct EngineTests {
    static func sample(_ host: String, _ hours: Int, _ value: Double, metric: String = "cpu_utilization") -> Sample {
        Sample(metric: metric, host: host, timestamp: time(hours: hours, seconds: 5), value: value, unit: "Percent")
    }

    /// A series crossing the threshold back and forth over twelve executions (one per hour):
    /// exactly one notification per state change, none per re-evaluation.
    @Test func flappingSeriesNotifiesOncePerStateChange() async throws {
        let alarm = definition(m: 2, n: 3, period: 3600, name: "cpu-high")
        let engine = AlarmEngine(definitions: [alarm])
        let store: any AlarmStateStore = InMemoryAlarmStateStore()
        let notifier = RecordingNotifier()
        let values: [Double] = [50, 95, 96, 40, 97, 30, 20, 99, 98, 97, 10, 10]
        // 2 of the last 3 ≥ 90, data in every period.
        let expected: [AlarmState] = [.ok, .ok, .alarm, .alarm, .alarm, .ok, .ok, .ok, .alarm, .alarm, .alarm, .ok]
        var states: [AlarmState] = []
        var notificationsSoFar = 0
        var previous = AlarmState.insufficientData
        for (hour, _) in values.enumerated() {
            let samples = (0...hour).map { Self.sample("web-1", $0, values[$0]) }
            let report = try await engine.run(
                AlarmObservations(samples: samples),
                at: time(hours: hour, seconds: 30),
                store: store,
                notifier: notifier
            )
            let state = report.outcomes[0].evaluation.state
            states.append(state)
            let published = await notifier.published.count
            #expect(published - notificationsSoFar == (state != previous ? 1 : 0), "hour \(hour)")
            #expect((report.outcomes[0].transition != nil) == (state != previous))
            notificationsSoFar = published
            previous = state
        }
        #expect(states == expected)
        let changes = zip([AlarmState.insufficientData] + states, states).filter { $0 != $1 }.count
        #expect(changes == 5)
        let published = await notifier.published
        #expect(published.count == changes)
        #expect(published.map(\.subject).first == "InfraMonitor: OK: \"cpu-high\" host=web-1")
        #expect(published.map(\.subject)[1] == "InfraMonitor: ALARM: \"cpu-high\" host=web-1")
        let history = try await store.history(alarmName: "cpu-high", limit: nil)
        #expect(history.count == changes)
        #expect(history.first?.newState == .ok)
        #expect(history.last?.oldState == .insufficientData)
        #expect(try await store.history(alarmName: "other", limit: nil).isEmpty)
        #expect(try await store.history(alarmName: nil, limit: 2).count == 2)
    }

    struct StopCase: Sendable, CustomTestStringConvertible {
        var treatment: AlarmDefinition.TreatMissingData
        /// web-2's state at each hour after it stops reporting (hours 5…9).
        var after: [AlarmState]
        var testDescription: String { treatment.rawValue }
    }

    /// web-2 reports for five hours then stops; its instance stays and moves as TreatMissingData
    /// says once fewer than EvaluationPeriods real datapoints remain in the range of five.
    @Test(arguments: [
        StopCase(treatment: .missing, after: [.ok, .ok, .ok, .ok, .insufficientData]),
        StopCase(treatment: .ignore, after: [.ok, .ok, .ok, .ok, .ok]),
        StopCase(treatment: .breaching, after: [.ok, .ok, .ok, .ok, .alarm]),
        StopCase(treatment: .notBreaching, after: [.ok, .ok, .ok, .ok, .ok]),
    ])
    func hostThatStopsReporting(testCase: StopCase) async throws {
        let alarm = definition(m: 3, n: 3, treatMissingData: testCase.treatment, period: 3600, name: "cpu-high")
        let engine = AlarmEngine(definitions: [alarm])
        let store: any AlarmStateStore = InMemoryAlarmStateStore()
        let notifier = RecordingNotifier()
        var samples: [Sample] = []
        for hour in 0..<10 {
            samples.append(Self.sample("web-1", hour, 50))
            if hour < 5 { samples.append(Self.sample("web-2", hour, 50)) }
            let now = time(hours: hour, seconds: 30)
            // The caller passes only the span the alarms read, as a query on the metrics table would.
            let span = AlarmObservations.span(of: [alarm], at: now)!
            let inSpan = samples.filter { $0.timestamp >= span.start && $0.timestamp < span.end }
            let report = try await engine.run(AlarmObservations(samples: inSpan), at: now, store: store, notifier: notifier)
            let byHost = Dictionary(uniqueKeysWithValues: report.outcomes.map { ($0.instance.labels["host"]!, $0.evaluation.state) })
            #expect(byHost["web-1"] == .ok)
            if hour >= 5 {
                #expect(byHost["web-2"] == testCase.after[hour - 5], "hour \(hour): \(report.outcomes.map(\.evaluation.reason))")
            }
        }
        let subjects = await notifier.published.map(\.subject)
        var expectedSubjects = ["InfraMonitor: OK: \"cpu-high\" host=web-1", "InfraMonitor: OK: \"cpu-high\" host=web-2"]
        if testCase.after.last != .ok { expectedSubjects.append("InfraMonitor: \(testCase.after.last!.rawValue): \"cpu-high\" host=web-2") }
        #expect(subjects == expectedSubjects)
    }

    @Test func notificationIsShapedLikeCloudWatchsSNSMessage() throws {
        let alarm = definition(
            m: 2,
            n: 3,
            dimensions: [.init(name: "mountpoint", value: "/")],
            period: 10_800,
            name: "disk-filling",
            metric: "disk_usage"
        )
        let instance = AlarmInstance(definition: alarm, labels: ["host": "web-1", "mountpoint": "/"])
        let evaluation = AlarmEvaluation(state: .alarm, reason: "Threshold Crossed: test")
        let transition = try #require(
            AlarmTransition.make(
                definition: alarm,
                instance: instance,
                previous: .ok,
                evaluation: evaluation,
                at: Timestamp(seconds: 1_796_094_005, nanoseconds: 123_456_789)
            )
        )
        #expect(transition.notification.subject == "InfraMonitor: ALARM: \"disk-filling\" host=web-1")
        let body = transition.notification.message
        #expect(body["AlarmName"] == "disk-filling")
        #expect(body["NewStateValue"] == "ALARM")
        #expect(body["OldStateValue"] == "OK")
        #expect(body["NewStateReason"] == "Threshold Crossed: test")
        #expect(body["StateChangeTime"] == "2026-12-01T03:00:05.123+0000")
        #expect(body["Labels"] == ["host": "web-1", "mountpoint": "/"])
        #expect(body["AlarmInstance"] == "disk-filling{host=\"web-1\",mountpoint=\"/\"}")
        let trigger = try #require(body["Trigger"])
        #expect(trigger["MetricName"] == "disk_usage")
        #expect(trigger["Namespace"] == "InfraMonitoring")
        #expect(trigger["Statistic"] == "MAXIMUM")
        #expect(trigger["StatisticType"] == "Statistic")
        #expect(trigger["Dimensions"] == [["name": "mountpoint", "value": "/"]])
        #expect(trigger["Period"] == 10_800)
        #expect(trigger["EvaluationPeriods"] == 3)
        #expect(trigger["DatapointsToAlarm"] == 2)
        #expect(trigger["Threshold"] == 90)
        #expect(trigger["ComparisonOperator"] == "GreaterThanOrEqualToThreshold")
        #expect(trigger["TreatMissingData"] == "missing")
        #expect(transition.history.summary == "Alarm updated from OK to ALARM")
        // Keeping the state is not a transition.
        #expect(AlarmTransition.make(definition: alarm, instance: instance, previous: .alarm, evaluation: evaluation, at: time(hours: 0)) == nil)
    }

    @Test func subjectsAreASCIIAndAtMostOneHundredCharacters() {
        let long = AlarmInstance(
            alarmName: "a",
            labels: ["host": String(repeating: "h", count: 200), "device": "é"],
            fanOutLabels: ["host", "device"]
        )
        let subject = AlarmNotification.subject(state: .insufficientData, instance: long)
        #expect(subject.count == 100)
        #expect(subject.hasSuffix("..."))
        let accented = AlarmInstance(alarmName: "a", labels: ["device": "é"], fanOutLabels: ["device"])
        #expect(AlarmNotification.subject(state: .ok, instance: accented) == "InfraMonitor: OK: \"a\" device=?")
    }

    @Test func historyIsPrunedByAge() async throws {
        let store: any AlarmStateStore = InMemoryAlarmStateStore()
        let instance = AlarmInstance(alarmName: "a", labels: ["host": "web-1"], fanOutLabels: ["host"])
        for day in 0..<20 {
            try await store.append(AlarmHistoryEntry(instance: instance, time: time(hours: 24 * day), oldState: .ok, newState: .alarm, reason: "r"))
        }
        // CloudWatch keeps two weeks: at day 20, entries before day 6 go.
        let removed = try await store.pruneHistory(olderThan: time(hours: 24 * 6))
        #expect(removed == 6)
        let left = try await store.history(alarmName: "a", limit: nil)
        #expect(left.count == 14)
        #expect(left.first?.time == time(hours: 24 * 19))
        #expect(left.last?.time == time(hours: 24 * 6))
    }

    @Test func newInstancesAreStoredEvenWithoutAChange() async throws {
        let alarm = definition(m: 1, n: 1, period: 3600, name: "cpu-high")
        let store: any AlarmStateStore = InMemoryAlarmStateStore()
        let report = try await AlarmEngine(definitions: [alarm]).run(
            AlarmObservations(samples: [Self.sample("web-1", -5, 50)]),
            at: time(hours: 0),
            store: store,
            notifier: nil
        )
        // The sample is out of the range: INSUFFICIENT_DATA, as created; no transition, but stored.
        #expect(report.transitions.isEmpty)
        #expect(report.outcomes.map(\.evaluation.state) == [.insufficientData])
        #expect(try await store.allStates().map(\.instance.id) == ["cpu-high{host=\"web-1\"}"])
    }

    struct FailingNotifier: Notifier {
        func publish(_ notification: PipelineNotification) async throws { throw CancellationError() }
    }

    @Test func failedNotificationsAreReportedAfterTheStateIsStored() async throws {
        let alarm = definition(m: 1, n: 1, period: 3600, name: "cpu-high")
        let store: any AlarmStateStore = InMemoryAlarmStateStore()
        let samples = [Self.sample("web-1", 0, 95), Self.sample("web-2", 0, 95)]
        await #expect(throws: AlarmNotificationError.self) {
            try await AlarmEngine(definitions: [alarm]).run(
                AlarmObservations(samples: samples),
                at: time(hours: 0, seconds: 30),
                store: store,
                notifier: FailingNotifier()
            )
        }
        #expect(try await store.allStates().map(\.state) == [.alarm, .alarm])
        #expect(try await store.history(alarmName: nil, limit: nil).count == 2)
    }
}
