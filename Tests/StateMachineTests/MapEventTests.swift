import InfraJSON
import StateMachine
import Testing

/// Map states record the per-iteration history events Step Functions records, and deep inputs do not
/// overflow the stack.
@Suite struct MapEventTests {
    static let definition = #"""
        {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ToleratedFailureCount":1,"End":true,
          "ItemProcessor":{"StartAt":"C","States":{
            "C":{"Type":"Choice","Choices":[{"Variable":"$","BooleanEquals":false,"Next":"Bad"}],"Default":"Ok"},
            "Bad":{"Type":"Fail","Error":"E","Cause":"c"},"Ok":{"Type":"Succeed"}}}}}}
        """#

    @Test func recordsIterationEvents() async throws {
        let log = EventLog()
        let result = await Interpreter(definition: try TestSupport.definition(Self.definition), bindings: ResourceBindings([:]))
            .run(input: ["items": [true, false]], options: TestSupport.options()) { await log.append($0) }
        #expect(result == .succeeded(output: [true, ["Error": "E", "Cause": "c"]]))
        let types = await log.types
        #expect(types.first == "ExecutionStarted")
        #expect(types.last == "ExecutionSucceeded")
        #expect(types.filter { $0 == "MapIterationStarted" }.count == 2)
        #expect(types.filter { $0 == "MapIterationSucceeded" }.count == 1)
        #expect(types.filter { $0 == "MapIterationFailed" }.count == 1)
        let started = try #require(types.firstIndex(of: "MapStateStarted"))
        let succeeded = try #require(types.firstIndex(of: "MapStateSucceeded"))
        #expect(types[started..<succeeded].contains("MapIterationStarted"))
        let events = await log.events
        let indexes = Set(events.filter { $0.type == "MapIterationStarted" }.compactMap { $0.details["index"]?.intValue })
        #expect(indexes == [0, 1])
        #expect(events.filter { $0.type.hasPrefix("MapIteration") }.allSatisfy { $0.details["name"] == "M" })
        let mapStarted = try #require(events.first { $0.type == "MapStateStarted" })
        #expect(mapStarted.details["length"] == 2)
        #expect(events.map(\.id) == Array(1...events.count))
    }

    @Test func deepInputIsProcessedWithoutOverflow() async throws {
        var value: JSON = "leaf"
        for _ in 0..<500 { value = ["k": value] }
        let definition = try TestSupport.definition(
            #"{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"copy.$":"$","text.$":"States.JsonToString($)"},"ResultPath":"$.out","End":true}}}"#
        )
        let result = await Interpreter(definition: definition, bindings: ResourceBindings([:])).run(input: value, options: TestSupport.options())
        guard case .succeeded(let output) = result else {
            Issue.record("unexpected \(result)")
            return
        }
        #expect(output["out"]?["copy"] == value)
    }
}
