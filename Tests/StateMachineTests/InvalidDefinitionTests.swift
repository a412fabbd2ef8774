import InfraJSON
import StateMachine
import Testing

/// One entry of `Fixtures/invalid-definitions.json`: a definition (object, or text when it is not
/// even JSON) and the problem it must be rejected with.
struct InvalidDefinition: Sendable, CustomStringConvertible {
    var name: String
    var definition: JSON
    var path: String
    var message: String

    var description: String { name }

    static func all() -> [InvalidDefinition] {
        guard let entries = try? TestSupport.fixture("invalid-definitions.json").arrayValue else {
            return [InvalidDefinition(name: "unreadable fixture", definition: .null, path: "?", message: "?")]
        }
        return entries.map {
            InvalidDefinition(
                name: $0["name"]?.stringValue ?? "unnamed",
                definition: $0["definition"] ?? .null,
                path: $0["path"]?.stringValue ?? "",
                message: $0["message"]?.stringValue ?? ""
            )
        }
    }
}

/// Every invalid definition is rejected — never a crash — with a problem at the expected JSON path
/// whose message says what is wrong.
@Suite struct InvalidDefinitionTests {
    @Test(arguments: InvalidDefinition.all())
    func rejectedWithPathAndMessage(_ entry: InvalidDefinition) {
        let text = entry.definition.stringValue ?? entry.definition.text
        do {
            _ = try StateMachineDefinition(parsing: text)
            Issue.record("\(entry.name): accepted, expected \(entry.path): \(entry.message)")
        } catch {
            let matching = error.problems.filter { $0.path == entry.path }
            #expect(!matching.isEmpty, "\(entry.name): no problem at \(entry.path) in \(error.problems)")
            #expect(matching.contains { $0.message.contains(entry.message) }, "\(entry.name): \(matching)")
        }
    }

    @Test func tableHasAtLeastThirtyEntries() {
        #expect(InvalidDefinition.all().count >= 30)
    }

    @Test func deeplyNestedDefinitionIsRejectedNotCrashed() {
        var rule = #"{"Variable":"$.a","IsNull":true}"#
        for _ in 0..<300 { rule = #"{"Not":\#(rule)}"# }
        let text = #"{"StartAt":"C","States":{"C":{"Type":"Choice","Default":"D","Choices":[{"Not":\#(rule),"Next":"D"}]},"D":{"Type":"Succeed"}}}"#
        #expect(throws: Never.self) { _ = try? StateMachineDefinition(parsing: text) }
        var branch = #"{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}"#
        for level in 0..<200 { branch = #"{"StartAt":"P\#(level)","States":{"P\#(level)":{"Type":"Parallel","End":true,"Branches":[\#(branch)]}}}"# }
        #expect(throws: Never.self) { _ = try? StateMachineDefinition(parsing: branch) }
    }
}
