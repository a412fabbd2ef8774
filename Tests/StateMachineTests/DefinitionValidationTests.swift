import InfraJSON
import StateMachine
import Testing

@Suite struct DefinitionValidationTests {
    @Test(arguments: [
        (#"{"States":{"A":{"Type":"Succeed"}}}"#, "$.StartAt"),
        (#"{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}"#, "$.StartAt"),
        (#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"}}}"#, "$.States.A.Next"),
        (#"{"StartAt":"A","States":{"A":{"Type":"Pass"}}}"#, "$.States.A"),
        (#"{"StartAt":"A","States":{"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}}}"#, "$.States.B"),
        (#"{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.a[","End":true}}}"#, "$.States.A.InputPath"),
        (#"{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.a[*]","End":true}}}"#, "$.States.A.ResultPath"),
        (#"{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"nope("},"End":true}}}"#, "$.States.A.Parameters['x.$']"),
        (
            #"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","End":true,"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}]}}}"#,
            "$.States.A.Retry[0]"
        ),
        (
            #"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","End":true,"Retry":[{"ErrorEquals":["States.ALL","X"]}]}}}"#,
            "$.States.A.Retry[0].ErrorEquals"
        ),
        (
            #"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"B"},{"ErrorEquals":["X"],"Next":"B"}]},"B":{"Type":"Succeed"}}}"#,
            "$.States.A.Catch[0]"
        ),
        (#"{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}"#, "$.States.A.Resource"),
        (#"{"StartAt":"A","States":{"A":{"Type":"Bogus"}}}"#, "$.States.A.Type"),
        (
            #"{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":"one","Next":"A"}]}}}"#,
            "$.States.A.Choices[0].NumericEquals"
        ),
        (#"{"StartAt":"A","States":{"A":{"Type":"Wait","End":true}}}"#, "$.States.A"),
        (#"{"StartAt":"A","States":{"A":{"Type":"Fail","Error":"E","ErrorPath":"$.e"}}}"#, "$.States.A"),
        (
            #"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"P"}}}]}}}"#,
            "$.States.P.Branches[0].States.X.Next"
        ),
        (#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Retry":[]}}}"#, "$.States.A.Retry"),
        ("[1]", "$"),
        ("{not json", "$"),
    ])
    func rejectsWithTheProblemPath(definition: String, path: String) {
        do {
            _ = try StateMachineDefinition(parsing: definition)
            Issue.record("expected \(definition) to be rejected")
        } catch {
            #expect(error.problems.contains { $0.path == path }, "\(error.problems)")
            #expect(error.description.contains(path))
        }
    }

    @Test func reportsEveryProblem() {
        let text = #"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"},"B":{"Type":"Task"}}}"#
        #expect(throws: DefinitionError.self) { try StateMachineDefinition(parsing: text) }
        do {
            _ = try StateMachineDefinition(parsing: text)
        } catch {
            let paths = Set(error.problems.map(\.path))
            #expect(paths.isSuperset(of: ["$.States.A.Next", "$.States.B", "$.States.B.Resource"]))
        }
    }

    @Test func acceptsAValidDefinitionAndListsResources() throws {
        let definition = try StateMachineDefinition(json: try TestSupport.fixture("pipeline.asl.json"))
        #expect(definition.startAt == "CollectMetrics")
        #expect(definition.taskResources == ["arn:aws:states:::lambda:invoke", "arn:aws:states:::sns:publish"])
        #expect(definition.stateNames.count == 9)
    }
}
