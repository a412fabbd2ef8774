import InfraJSON
import StateMachine
import Testing

/// Counts how many handler calls are running at once.
actor ConcurrencyGauge {
    private(set) var running = 0
    private(set) var highest = 0
    func enter() {
        running += 1
        highest = max(highest, running)
    }
    func leave() { running -= 1 }
}

/// Inline Map states run at most 40 iterations at once, as on Step Functions; a slow history
/// consumer holds the execution back instead of letting undelivered events pile up.
@Suite struct ConcurrencyLimitTests {
    static func mapDefinition(maxConcurrency: Int) -> String {
        """
        {"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":\(maxConcurrency),"End":true,
          "ItemProcessor":{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","End":true}}}}}}
        """
    }

    @Test(arguments: [(0, 40), (100, 40), (5, 5)])
    func inlineMapIterationsAreCapped(maxConcurrency: Int, expectedHighest: Int) async throws {
        let gauge = ConcurrencyGauge()
        let interpreter = Interpreter(
            definition: try TestSupport.definition(Self.mapDefinition(maxConcurrency: maxConcurrency)),
            bindings: ResourceBindings([
                "work": { invocation in
                    await gauge.enter()
                    try await Task.sleep(nanoseconds: 20_000_000)
                    await gauge.leave()
                    return invocation.input
                }
            ])
        )
        let items = JSON.array((0..<120).map { .number(Double($0)) })
        let result = await interpreter.run(input: items, options: TestSupport.options())
        #expect(result == .succeeded(output: items))
        let highest = await gauge.highest
        #expect(highest <= expectedHighest)
        #expect(highest > 1, "iterations should still overlap")
    }

    @Test func aSlowHistoryConsumerSeesEveryEventInOrder() async throws {
        let definition = """
            {"StartAt":"Init","States":{
              "Init":{"Type":"Pass","Result":{"i":0},"Next":"Increment"},
              "Increment":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)"},"Next":"Check"},
              "Check":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericLessThan":1000,"Next":"Increment"}],"Default":"Done"},
              "Done":{"Type":"Succeed"}}}
            """
        let log = EventLog()
        let result = await Interpreter(definition: try TestSupport.definition(definition), bindings: ResourceBindings([:]))
            .run(input: [:], options: TestSupport.options()) { event in
                if event.id % 100 == 0 { try? await Task.sleep(nanoseconds: 1_000_000) }
                await log.append(event)
            }
        #expect(result == .succeeded(output: ["i": 1000]))
        let events = await log.events
        #expect(events.map(\.id) == Array(1...events.count))
        #expect(events.count > 4000)
        #expect(events.last?.type == "ExecutionSucceeded")
    }
}
