import InfraJSON
import StateMachine
import Testing

/// Extreme but valid definitions fail or succeed with the spec's error names, never a crash.
@Suite struct RobustnessTests {
    @Test func hugeBackoffWithFullJitterStaysFinite() async throws {
        let definition = try TestSupport.definition(
            #"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","End":true,
              "Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":400,"BackoffRate":10,"JitterStrategy":"FULL"}]}}}
            """#
        )
        let sleeps = SleepRecorder()
        let result = await Interpreter(
            definition: definition,
            bindings: ResourceBindings(["r": { _ in throw TaskFailure(error: "Boom", cause: "always") }])
        ).run(input: [:], options: TestSupport.options(sleeps: sleeps))
        #expect(result == .failed(error: "Boom", cause: "always"))
        let recorded = await sleeps.sleeps
        #expect(recorded.count == 400)
        #expect(recorded.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 31_536_000 })
    }

    @Test func hugeTimeoutsAreAccepted() async throws {
        let definition = try TestSupport.definition(
            #"""
            {"TimeoutSeconds":9000000000000000000,"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r",
              "TimeoutSecondsPath":"$.t","End":true}}}
            """#
        )
        let result = await Interpreter(definition: definition, bindings: ResourceBindings(["r": { _ in "done" }]))
            .run(input: ["t": 9_000_000_000_000_000_000], options: TestSupport.options())
        #expect(result == .succeeded(output: "done"))
    }
}
