import InfraJSON
import StateMachine
import Testing

/// Runs every fixture under Fixtures/io: a definition, canned task results, an input and the expected result.
@Suite struct IOProcessingFixtureTests {
    @Test(arguments: TestSupport.fixtureNames(in: "io"))
    func fixtureProducesExpectedResult(name: String) async throws {
        let fixture = try TestSupport.fixture("io/" + name)
        let definition = try StateMachineDefinition(json: try #require(fixture["definition"]))
        var handlers: [String: TaskHandler] = [:]
        for (resource, spec) in fixture["tasks"]?.objectValue ?? [:] {
            handlers[resource] = { invocation in
                if let expected = spec["expectInput"], expected != invocation.input {
                    throw TaskFailure(error: "Fixture.UnexpectedInput", cause: invocation.input.text)
                }
                return spec["result"] ?? .null
            }
        }
        let result = await Interpreter(definition: definition, bindings: ResourceBindings(handlers))
            .run(input: fixture["input"] ?? [:], options: TestSupport.options())
        let expected = try #require(fixture["expected"])
        if let output = expected["output"] {
            #expect(result == .succeeded(output: output), "\(fixture["source"]?.stringValue ?? name)")
        } else {
            guard case .failed(let error, let cause) = result else {
                Issue.record("expected a failure, got \(result)")
                return
            }
            #expect(error == expected["error"]?.stringValue)
            if let expectedCause = expected["cause"]?.stringValue { #expect(cause == expectedCause) }
            #expect(!cause.isEmpty)
        }
    }

    @Test func fixturesArePresent() {
        #expect(TestSupport.fixtureNames(in: "io").count >= 15)
    }

    @Test func contextObjectFields() async throws {
        let definition = try TestSupport.definition(
            #"{"StartAt":"S","States":{"S":{"Type":"Pass","Parameters":{"ctx.$":"$$"},"OutputPath":"$.ctx","End":true}}}"#
        )
        let result = await Interpreter(definition: definition, bindings: ResourceBindings([:])).run(input: ["a": 1], options: TestSupport.options())
        guard case .succeeded(let context) = result else {
            Issue.record("unexpected \(result)")
            return
        }
        #expect(context["Execution"]?["Name"] == "fixture-execution")
        #expect(context["Execution"]?["Input"] == ["a": 1])
        #expect(context["Execution"]?["StartTime"] == "2026-01-01T00:00:00.000Z")
        #expect(context["Execution"]?["Id"] == "arn:aws:states:local:000000000000:execution:Fixture:fixture-execution")
        #expect(context["State"]?["Name"] == "S")
        #expect(context["State"]?["EnteredTime"] == "2026-01-01T00:00:00.000Z")
        #expect(context["State"]?["RetryCount"] == 0)
        #expect(context["StateMachine"]?["Name"] == "Fixture")
        #expect(context["StateMachine"]?["Id"] == "arn:aws:states:local:000000000000:stateMachine:Fixture")
    }

    @Test func waitStateSleepsForSecondsAndPaths() async throws {
        let definition = try TestSupport.definition(
            """
            {"StartAt":"A","States":{
              "A":{"Type":"Wait","Seconds":5,"Next":"B"},
              "B":{"Type":"Wait","SecondsPath":"$.delay","Next":"C"},
              "C":{"Type":"Wait","TimestampPath":"$.until","End":true}}}
            """
        )
        let sleeps = SleepRecorder()
        let input: JSON = ["delay": 2, "until": "2026-01-01T00:01:30Z"]
        let result = await Interpreter(definition: definition, bindings: ResourceBindings([:])).run(
            input: input,
            options: TestSupport.options(sleeps: sleeps)
        )
        #expect(result == .succeeded(output: input))
        #expect(await sleeps.sleeps == [5, 2, 90])
    }
}
