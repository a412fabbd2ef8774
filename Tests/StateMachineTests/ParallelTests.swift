import InfraJSON
import StateMachine
import Testing

@Suite struct ParallelTests {
    static func branch(_ name: String) -> String {
        #"{"StartAt":"\#(name)","States":{"\#(name)":{"Type":"Task","Resource":"\#(name)","End":true}}}"#
    }

    static let definition = """
        {"StartAt":"Fan","States":{
          "Fan":{"Type":"Parallel","Branches":[\(["b0", "b1", "b2", "b3"].map(branch).joined(separator: ","))],
            "ResultPath":"$.results","Next":"Done",
            "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.failure","Next":"Failed"}]},
          "Done":{"Type":"Succeed"},
          "Failed":{"Type":"Pass","End":true}}}
        """

    static func handlers(failing: String? = nil) -> ResourceBindings {
        ResourceBindings(resolver: { resource in
            { invocation in
                if resource == failing { throw TaskFailure(error: "Branch.Broken", cause: "\(resource) broke") }
                // Finish out of order to prove outputs keep branch order.
                let delay = UInt64(4 - (Int(resource.dropFirst()) ?? 0)) * 5_000_000
                try await Task.sleep(nanoseconds: delay)
                return ["branch": .string(resource), "seen": invocation.input["n"] ?? .null]
            }
        })
    }

    @Test func outputsAreInBranchOrder() async throws {
        let events = EventLog()
        let interpreter = Interpreter(definition: try TestSupport.definition(Self.definition), bindings: Self.handlers())
        let result = await interpreter.run(input: ["n": 7], options: TestSupport.options()) { await events.append($0) }
        let expected: JSON = ["n": 7, "results": .array((0..<4).map { ["branch": .string("b\($0)"), "seen": 7] })]
        #expect(result == .succeeded(output: expected))
        let ids = await events.events.map(\.id)
        #expect(ids == Array(1...ids.count))
        #expect(await events.types.filter { $0 == "TaskSucceeded" }.count == 4)
        #expect(await events.types.contains("ParallelStateSucceeded"))
    }

    @Test func oneFailingBranchIsCaughtOnTheParallel() async throws {
        let events = EventLog()
        let interpreter = Interpreter(definition: try TestSupport.definition(Self.definition), bindings: Self.handlers(failing: "b2"))
        let result = await interpreter.run(input: ["n": 7], options: TestSupport.options()) { await events.append($0) }
        #expect(result == .succeeded(output: ["n": 7, "failure": ["Error": "Branch.Broken", "Cause": "b2 broke"]]))
        let types = await events.types
        #expect(types.contains("ParallelStateFailed"))
        #expect(!types.contains("ParallelStateSucceeded"))
        #expect(types.suffix(4) == ["ParallelStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"])
        let ids = await events.events.map(\.id)
        #expect(Set(ids).count == ids.count)
    }

    @Test func uncaughtBranchFailureFailsWithTheBranchError() async throws {
        let definition = """
            {"StartAt":"Fan","States":{"Fan":{"Type":"Parallel","End":true,"Branches":[
              \(Self.branch("b0")),
              {"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Custom.Failure","Cause":"branch gave up"}}}]}}}
            """
        let interpreter = Interpreter(definition: try TestSupport.definition(definition), bindings: Self.handlers())
        #expect(await interpreter.run(input: [:], options: TestSupport.options()) == .failed(error: "Custom.Failure", cause: "branch gave up"))
    }
}
