import InfraJSON
import StateMachine
import Testing

@Suite struct RetryCatchTests {
    static let definition = """
        {"StartAt":"Work","States":{
          "Work":{"Type":"Task","Resource":"work","Next":"Done",
            "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":3,"MaxAttempts":2,"BackoffRate":1.5}],
            "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Recover"}]},
          "Recover":{"Type":"Pass","End":true},
          "Done":{"Type":"Succeed"}}}
        """

    /// A handler failing with `Flaky` for its first `failures` calls.
    static func flaky(failures: Int, counter: Counter) -> TaskHandler {
        { invocation in
            let call = await counter.next()
            #expect(invocation.attempt == call)
            #expect(invocation.context["State"]?["RetryCount"]?.intValue == call - 1)
            if call <= failures { throw TaskFailure(error: "Flaky", cause: "attempt \(call) failed") }
            return ["ok": true]
        }
    }

    @Test func retriesWithBackoffThenSucceeds() async throws {
        let counter = Counter()
        let sleeps = SleepRecorder()
        let interpreter = Interpreter(
            definition: try TestSupport.definition(Self.definition),
            bindings: ResourceBindings(["work": Self.flaky(failures: 2, counter: counter)])
        )
        let result = await interpreter.run(input: ["x": 1], options: TestSupport.options(sleeps: sleeps))
        #expect(result == .succeeded(output: ["ok": true]))
        #expect(await sleeps.sleeps == [3, 4.5])
        #expect(await counter.value == 3)
    }

    @Test func exhaustedRetriesAreCaughtIntoResultPath() async throws {
        let counter = Counter()
        let sleeps = SleepRecorder()
        let events = EventLog()
        let interpreter = Interpreter(
            definition: try TestSupport.definition(Self.definition),
            bindings: ResourceBindings(["work": Self.flaky(failures: 10, counter: counter)])
        )
        let result = await interpreter.run(input: ["x": 1], options: TestSupport.options(sleeps: sleeps)) { await events.append($0) }
        #expect(result == .succeeded(output: ["x": 1, "error": ["Error": "Flaky", "Cause": "attempt 3 failed"]]))
        #expect(await counter.value == 3)
        #expect(await sleeps.sleeps == [3, 4.5])
        #expect(await events.types.filter { $0 == "TaskFailed" }.count == 3)
        #expect(await events.types.suffix(4) == ["TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"])
    }

    @Test func uncaughtErrorFailsTheExecution() async throws {
        let definition = """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","End":true,
              "Retry":[{"ErrorEquals":["Flaky"],"MaxAttempts":1}],
              "Catch":[{"ErrorEquals":["Other"],"Next":"Never"}]},
              "Never":{"Type":"Succeed"}}}
            """
        let counter = Counter()
        let sleeps = SleepRecorder()
        let interpreter = Interpreter(
            definition: try TestSupport.definition(definition),
            bindings: ResourceBindings(["work": Self.flaky(failures: 10, counter: counter)])
        )
        let result = await interpreter.run(input: [:], options: TestSupport.options(sleeps: sleeps))
        #expect(result == .failed(error: "Flaky", cause: "attempt 2 failed"))
        #expect(await sleeps.sleeps == [1])
    }

    @Test func defaultRetrierValuesAndMaxDelay() async throws {
        let definition = """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","End":true,
              "Retry":[{"ErrorEquals":["States.TaskFailed"],"MaxDelaySeconds":3,"JitterStrategy":"NONE"}]}}}
            """
        let sleeps = SleepRecorder()
        let interpreter = Interpreter(
            definition: try TestSupport.definition(definition),
            bindings: ResourceBindings(["work": Self.flaky(failures: 10, counter: Counter())])
        )
        let result = await interpreter.run(input: [:], options: TestSupport.options(sleeps: sleeps))
        #expect(result == .failed(error: "Flaky", cause: "attempt 4 failed"))
        #expect(await sleeps.sleeps == [1, 2, 3])
    }

    @Test func fullJitterStaysWithinTheDelay() async throws {
        let definition = """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","End":true,
              "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":2,"MaxAttempts":2,"JitterStrategy":"FULL"}]}}}
            """
        let sleeps = SleepRecorder()
        let interpreter = Interpreter(
            definition: try TestSupport.definition(definition),
            bindings: ResourceBindings(["work": Self.flaky(failures: 2, counter: Counter())])
        )
        #expect(await interpreter.run(input: [:], options: TestSupport.options(sleeps: sleeps)) == .succeeded(output: ["ok": true]))
        let recorded = await sleeps.sleeps
        #expect(recorded.count == 2)
        #expect(recorded[0] >= 0 && recorded[0] <= 2)
        #expect(recorded[1] >= 0 && recorded[1] <= 4)
    }

    struct PlainError: Error, CustomStringConvertible {
        var description: String { "disk on fire" }
    }

    @Test func swiftErrorsUseTheTypeNameAndDescription() async throws {
        let definition = #"{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","End":true}}}"#
        let interpreter = Interpreter(
            definition: try TestSupport.definition(definition),
            bindings: ResourceBindings(["work": { _ in throw PlainError() }])
        )
        #expect(await interpreter.run(input: [:], options: TestSupport.options()) == .failed(error: "PlainError", cause: "disk on fire"))
    }

    @Test func unboundResourceIsATerminalRuntimeError() async throws {
        let definition = """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","End":true,
              "Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Never"}]},
              "Never":{"Type":"Succeed"}}}
            """
        let sleeps = SleepRecorder()
        let interpreter = Interpreter(definition: try TestSupport.definition(definition), bindings: ResourceBindings([:]))
        let result = await interpreter.run(input: [:], options: TestSupport.options(sleeps: sleeps))
        guard case .failed(let error, let cause) = result else {
            Issue.record("expected failure, got \(result)")
            return
        }
        #expect(error == "States.Runtime")
        #expect(cause.contains("arn:aws:states:::sns:publish"))
        #expect(await sleeps.sleeps.isEmpty)
    }

    @Test func taskTimeoutRaisesStatesTimeout() async throws {
        let definition = """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"slow","TimeoutSeconds":1,"End":true,
              "Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Wrong"},{"ErrorEquals":["States.Timeout"],"Next":"Right"}]},
              "Wrong":{"Type":"Fail","Error":"Wrong"},"Right":{"Type":"Pass","End":true}}}
            """
        let interpreter = Interpreter(
            definition: try TestSupport.definition(definition),
            bindings: ResourceBindings([
                "slow": { _ in
                    try await Task.sleep(nanoseconds: 10_000_000_000)
                    return "late"
                }
            ])
        )
        let result = await interpreter.run(input: [:], options: TestSupport.options())
        guard case .succeeded(let output) = result else {
            Issue.record("expected success, got \(result)")
            return
        }
        #expect(output["Error"] == "States.Timeout")
    }
}
