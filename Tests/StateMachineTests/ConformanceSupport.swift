import Foundation
import InfraJSON
import StateMachine

/// One case of the conformance suite under `Fixtures/conformance`: a definition, an input, optional
/// canned Task outcomes, and the expected output or error.
struct ConformanceCase: Sendable, CustomStringConvertible {
    var file: String
    var name: String
    var json: JSON

    var description: String { "\(file): \(name)" }

    var definition: JSON { json["definition"] ?? .null }
    var input: JSON { json["input"] ?? [:] }
    var expected: JSON { json["expected"] ?? [:] }

    /// Whether moto's Step Functions interpreter can run the case: only Pass, Choice, Parallel, Map,
    /// Succeed and Fail states, and not marked `"moto": false`.
    var runsOnMoto: Bool {
        if json["moto"] == .bool(false) { return false }
        return Self.stateTypes(definition).isSubset(of: ["Pass", "Choice", "Parallel", "Map", "Succeed", "Fail"])
    }

    private static func stateTypes(_ value: JSON) -> Set<String> {
        switch value {
        case .object(let members):
            var types: Set<String> = []
            if case .object(let states)? = members["States"] {
                for state in states.values { if let type = state["Type"]?.stringValue { types.insert(type) } }
            }
            for member in members.values { types.formUnion(stateTypes(member)) }
            return types
        case .array(let elements):
            return elements.reduce(into: []) { $0.formUnion(stateTypes($1)) }
        default:
            return []
        }
    }

    /// Every case of every file in `Fixtures/conformance`, in file and case order.
    static func all() -> [ConformanceCase] {
        TestSupport.fixtureNames(in: "conformance").flatMap { file -> [ConformanceCase] in
            guard let fixture = try? TestSupport.fixture("conformance/" + file), let cases = fixture["cases"]?.arrayValue else {
                return [ConformanceCase(file: file, name: "unreadable", json: [:])]
            }
            return cases.map { ConformanceCase(file: file, name: $0["name"]?.stringValue ?? "unnamed", json: $0) }
        }
    }

    /// Runs the case in the interpreter with its canned Task outcomes; records the sleeps it requests.
    func run(sleeps: SleepRecorder) async throws -> ExecutionResult {
        let definition = try StateMachineDefinition(json: definition)
        var handlers: [String: TaskHandler] = [:]
        for (resource, outcomes) in json["tasks"]?.objectValue ?? [:] {
            let attempts = outcomes.arrayValue ?? []
            let counter = Counter()
            handlers[resource] = { invocation in
                let index = await counter.next() - 1
                guard !attempts.isEmpty else { return .null }
                let outcome = attempts[min(index, attempts.count - 1)]
                if let expected = outcome["expectInput"], expected != invocation.input {
                    throw TaskFailure(error: "Fixture.UnexpectedInput", cause: invocation.input.text)
                }
                if let error = outcome["error"]?.stringValue { throw TaskFailure(error: error, cause: outcome["cause"]?.stringValue ?? "") }
                return outcome["result"] ?? .null
            }
        }
        return await Interpreter(definition: definition, bindings: ResourceBindings(handlers))
            .run(input: input, options: TestSupport.options(sleeps: sleeps))
    }
}
