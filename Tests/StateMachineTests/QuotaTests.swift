import InfraJSON
import StateMachine
import Testing

/// Step Functions' quotas as the interpreter enforces them: the execution history size
/// (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html) and the sizes of
/// workflow variables (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html).
@Suite struct QuotaTests {
    private static let loop = """
        {"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}
        """

    /// "Maximum execution history size: 25,000 events in a single state machine execution history.
    /// If the execution history reaches this quota, the execution fails."
    @Test func aPassLoopFailsAtTheHistoryQuota() async throws {
        let log = EventLog()
        let result = await Interpreter(definition: try TestSupport.definition(Self.loop), bindings: ResourceBindings([:]))
            .run(input: [:], options: TestSupport.options()) { await log.append($0) }
        guard case .failed(let error, let cause) = result else {
            Issue.record("the loop ended with \(result)")
            return
        }
        #expect(error == "States.Runtime")
        #expect(cause.contains("25000"))
        let events = await log.events
        #expect(events.last?.type == "ExecutionFailed")
        #expect(events.count == ExecutionOptions.standardHistoryEventLimit)
    }

    @Test func theHistoryQuotaCanBeLoweredOrLifted() async throws {
        let definition = try TestSupport.definition(Self.loop)
        var options = TestSupport.options()
        options.historyEventLimit = 100
        let log = EventLog()
        let result = await Interpreter(definition: definition, bindings: ResourceBindings([:])).run(input: [:], options: options) {
            await log.append($0)
        }
        #expect(result == .failed(error: "States.Runtime", cause: "The execution reached the quota of 100 history events before entering state 'B'"))
        #expect(await log.events.count == 100)

        let counted = """
            {"StartAt":"Init","States":{"Init":{"Type":"Pass","Assign":{"i":0},"Next":"Inc"},
             "Inc":{"Type":"Pass","Assign":{"i.$":"States.MathAdd($i, 1)"},"Next":"Check"},
             "Check":{"Type":"Choice","Choices":[{"Variable":"$i","NumericLessThan":15000,"Next":"Inc"}],"Default":"Done"},
             "Done":{"Type":"Pass","Parameters":{"i.$":"$i"},"End":true}}}
            """
        options.historyEventLimit = nil
        let unlimited = await Interpreter(definition: try TestSupport.definition(counted), bindings: ResourceBindings([:]))
            .run(input: [:], options: options)
        #expect(unlimited == .succeeded(output: ["i": 15_000]))
    }

    /// "The maximum size of a single variable is 256 KiB."
    @Test func aVariableOver256KiBIsADataLimitError() async throws {
        let definition = try TestSupport.definition(
            """
            {"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"big.$":"$.text"},"End":true}}}
            """
        )
        let interpreter = Interpreter(definition: definition, bindings: ResourceBindings([:]))
        let fits = await interpreter.run(input: ["text": .string(String(repeating: "x", count: 256 * 1024 - 2))], options: TestSupport.options())
        #expect(fits == .succeeded(output: ["text": .string(String(repeating: "x", count: 256 * 1024 - 2))]))
        let tooBig = await interpreter.run(input: ["text": .string(String(repeating: "x", count: 256 * 1024))], options: TestSupport.options())
        guard case .failed(let error, let cause) = tooBig else {
            Issue.record("a 256 KiB variable was accepted")
            return
        }
        #expect(error == "States.DataLimitExceeded")
        #expect(cause.contains("'big'"))
    }

    /// "The maximum combined size for all variables in a single Assign field is 256 KiB."
    @Test func oneAssignOver256KiBIsADataLimitError() async throws {
        let definition = try TestSupport.definition(
            """
            {"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"a.$":"$.text","b.$":"$.text"},"End":true}}}
            """
        )
        let result = await Interpreter(definition: definition, bindings: ResourceBindings([:]))
            .run(input: ["text": .string(String(repeating: "y", count: 200 * 1024))], options: TestSupport.options())
        guard case .failed(let error, let cause) = result else {
            Issue.record("two 200 KiB variables in one Assign were accepted")
            return
        }
        #expect(error == "States.DataLimitExceeded")
        #expect(cause.contains("Assign field"))
    }

    /// "The maximum total size of stored variables in a single state machine execution is 10 MiB."
    @Test func storedVariablesOver10MiBAreADataLimitError() async throws {
        // 41 states each keep a different variable of 256,000 bytes (just under 256 KiB): the 41st
        // passes 10 MiB (10,485,760 bytes).
        var states: [String: JSON] = [:]
        for index in 0..<41 {
            states["S\(index)"] = [
                "Type": "Pass", "Assign": .object(["v\(index).$": "$.text"]),
                index == 40 ? "End" : "Next": index == 40 ? true : .string("S\(index + 1)"),
            ]
        }
        let definition = try StateMachineDefinition(json: ["StartAt": "S0", "States": .object(states)])
        let text = JSON.string(String(repeating: "z", count: 255_998))
        let result = await Interpreter(definition: definition, bindings: ResourceBindings([:]))
            .run(input: ["text": text], options: TestSupport.options())
        guard case .failed(let error, let cause) = result else {
            Issue.record("10,496,000 bytes of variables were accepted")
            return
        }
        #expect(error == "States.DataLimitExceeded")
        #expect(cause.contains("'S40'"))
    }
}
