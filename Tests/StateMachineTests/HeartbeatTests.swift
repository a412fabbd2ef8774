import InfraJSON
import StateMachine
import Testing

/// `HeartbeatSeconds`: a Task whose handler stays silent that long fails with `States.HeartbeatTimeout`,
/// which `States.Timeout` also catches and `States.TaskFailed` does not; heartbeats keep a long task alive.
@Suite struct HeartbeatTests {
    /// A handler that sleeps for `seconds`, sending a heartbeat every `every` seconds when given.
    static func worker(seconds: Double, heartbeatEvery every: Double? = nil) -> TaskHandler {
        { invocation in
            var slept = 0.0
            let step = every ?? seconds
            while slept < seconds {
                try await Task.sleep(nanoseconds: UInt64(step * 1_000_000_000))
                slept += step
                invocation.sendHeartbeat()
            }
            return ["slept": .number(slept)]
        }
    }

    static func run(_ definition: String, input: JSON = [:], handler: @escaping TaskHandler) async throws -> (ExecutionResult, [HistoryEvent]) {
        let log = EventLog()
        let interpreter = Interpreter(definition: try TestSupport.definition(definition), bindings: ResourceBindings(["work": handler]))
        let result = await interpreter.run(input: input, options: TestSupport.options()) { await log.append($0) }
        return (result, await log.events)
    }

    @Test func aSilentTaskFailsWithHeartbeatTimeout() async throws {
        let (result, events) = try await Self.run(
            """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","HeartbeatSeconds":1,"TimeoutSeconds":60,"End":true}}}
            """,
            handler: Self.worker(seconds: 30)
        )
        guard case .failed(let error, let cause) = result else {
            Issue.record("expected failure, got \(result)")
            return
        }
        #expect(error == "States.HeartbeatTimeout")
        #expect(cause.contains("HeartbeatSeconds (1)"))
        let scheduled = try #require(events.first { $0.type == "TaskScheduled" })
        #expect(scheduled.details["heartbeatInSeconds"] == 1)
        #expect(scheduled.details["timeoutInSeconds"] == 60)
        let timedOut = try #require(events.first { $0.type == "TaskTimedOut" })
        #expect(timedOut.details["error"] == "States.HeartbeatTimeout")
        #expect(!events.contains { $0.type == "TaskFailed" || $0.type == "TaskSucceeded" })
    }

    @Test func heartbeatsKeepALongTaskAlive() async throws {
        let (result, _) = try await Self.run(
            """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","HeartbeatSeconds":5,"End":true}}}
            """,
            handler: Self.worker(seconds: 6, heartbeatEvery: 0.25)
        )
        guard case .succeeded(let output) = result else {
            Issue.record("expected success, got \(result)")
            return
        }
        #expect((output["slept"]?.doubleValue ?? 0) >= 6)
    }

    @Test(arguments: [
        (#"["States.TaskFailed"]"#, false),
        (#"["States.Timeout"]"#, true),
        (#"["States.HeartbeatTimeout"]"#, true),
        (#"["States.ALL"]"#, true),
    ])
    func catchersMatchTheHeartbeatTimeoutAsStepFunctionsDoes(errorEquals: String, caught: Bool) async throws {
        let (result, _) = try await Self.run(
            """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","HeartbeatSeconds":1,"End":true,
              "Catch":[{"ErrorEquals":\(errorEquals),"Next":"Caught"}]},
              "Caught":{"Type":"Pass","End":true}}}
            """,
            handler: Self.worker(seconds: 30)
        )
        switch result {
        case .succeeded(let output):
            #expect(caught, "the catcher \(errorEquals) must not match")
            #expect(output["Error"] == "States.HeartbeatTimeout")
        case .failed(let error, _):
            #expect(!caught, "the catcher \(errorEquals) must match")
            #expect(error == "States.HeartbeatTimeout")
        }
    }

    @Test func aRetrierOnTheHeartbeatTimeoutRunsTheTaskAgain() async throws {
        let attempts = Counter()
        let (result, events) = try await Self.run(
            """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","HeartbeatSeconds":1,"End":true,
              "Retry":[{"ErrorEquals":["States.HeartbeatTimeout"],"MaxAttempts":1,"IntervalSeconds":1}]}}}
            """,
            handler: { invocation in
                // The first attempt hangs silently; the retry answers at once.
                if await attempts.next() == 1 { try await Task.sleep(nanoseconds: 30_000_000_000) }
                return ["attempt": .number(Double(invocation.attempt))]
            }
        )
        #expect(result == .succeeded(output: ["attempt": 2]))
        #expect(events.filter { $0.type == "TaskTimedOut" }.count == 1)
    }

    @Test func heartbeatSecondsPathIsReadFromTheEffectiveInput() async throws {
        let definition = """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","HeartbeatSecondsPath":"$.beat","End":true}}}
            """
        let (silent, _) = try await Self.run(definition, input: ["beat": 1], handler: Self.worker(seconds: 30))
        #expect(silent.errorName == "States.HeartbeatTimeout")

        let (missing, _) = try await Self.run(definition, input: ["beat": "soon"], handler: Self.worker(seconds: 0.01))
        guard case .failed(let error, let cause) = missing else {
            Issue.record("expected failure, got \(missing)")
            return
        }
        #expect(error == "States.Runtime")
        #expect(cause == "The HeartbeatSecondsPath '$.beat' did not select a positive integer")
    }

    @Test func aHeartbeatFromPathNotBelowTheTimeoutIsARuntimeError() async throws {
        let (result, _) = try await Self.run(
            """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","TimeoutSeconds":5,"HeartbeatSecondsPath":"$.beat","End":true}}}
            """,
            input: ["beat": 5],
            handler: Self.worker(seconds: 0.01)
        )
        guard case .failed(let error, let cause) = result else {
            Issue.record("expected failure, got \(result)")
            return
        }
        #expect(error == "States.Runtime")
        #expect(cause.contains("must be smaller than its timeout"))
    }
}

extension ExecutionResult {
    fileprivate var errorName: String? {
        if case .failed(let error, _) = self { return error }
        return nil
    }
}
