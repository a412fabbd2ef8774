import Foundation
import InfraJSON
import JSONata
import Testing

/// One case of `Fixtures/cases.json`: an expression, evaluated against the fixture's data, and its
/// expected result (`result`, `undefined` or an error `code`).
struct JSONataCase: Sendable, CustomStringConvertible {
    var group: String
    var json: JSON

    var description: String { "\(group): \(json["expr"]?.stringValue ?? "?")" }

    static let fixture: JSON = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/cases.json")
        guard let data = try? Data(contentsOf: url), let json = try? JSON(parsing: [UInt8](data)) else { return [:] }
        return json
    }()

    static func all() -> [JSONataCase] {
        (fixture["cases"]?.arrayValue ?? []).map { JSONataCase(group: $0["group"]?.stringValue ?? "?", json: $0) }
    }
}

/// The evaluator against our own cases for every language area, and the properties the interpreter relies on.
@Suite struct JSONataTests {
    @Test(arguments: JSONataCase.all())
    func caseProducesExpectedResult(_ testCase: JSONataCase) throws {
        let text = try #require(testCase.json["expr"]?.stringValue)
        do {
            let expression = try JSONataExpression(text)
            var result = try expression.evaluate(input: JSONataCase.fixture["data"])
            if let path = testCase.json["path"]?.stringValue, let inner = result {
                result = try JSONataExpression(path).evaluate(input: inner)
            }
            if let code = testCase.json["error"]?.stringValue {
                Issue.record("\(testCase): expected the error \(code), got \(result?.text ?? "undefined")")
            } else if testCase.json["undefined"] == true {
                #expect(result == nil, "\(testCase)")
            } else {
                #expect(result == testCase.json["result"], "\(testCase)")
            }
        } catch {
            #expect(error.code == testCase.json["error"]?.stringValue, "\(testCase): \(error)")
        }
    }

    @Test func everyLanguageAreaHasCases() {
        let groups = Set(JSONataCase.all().map(\.group))
        for group in [
            "paths", "predicates", "operators", "conditionals", "lambdas", "higher-order", "strings", "numbers", "regex", "sorting",
            "grouping",
        ] {
            #expect(groups.contains(group), "no case for \(group)")
        }
    }

    @Test func bindingsAndExtraFunctions() throws {
        let expression = try JSONataExpression("$twice($states.input.n) + $offset")
        let twice = JSONataFunction(signature: "<n:n>") { arguments throws(JSONataError) in
            guard case .number(let value)?? = arguments.first else { return nil }
            return .number(value * 2)
        }
        let result = try expression.evaluate(input: nil, bindings: ["states": ["input": ["n": 20]], "offset": 2], functions: ["twice": twice])
        #expect(result == 42)
        #expect(expression.variableNames == ["twice", "states", "offset"])
    }

    @Test func excludedFunctionsAreNotCallable() throws {
        let expression = try JSONataExpression("$eval('1 + 1')")
        #expect(try expression.evaluate(input: nil) == 2)
        #expect(throws: JSONataError.self) { try expression.evaluate(input: nil, excluding: ["eval"]) }
    }

    @Test func hostileExpressionsFailInsteadOfHanging() throws {
        let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        #expect(throws: JSONataError.self) { try JSONataExpression(deep) }
        let slow = try JSONataExpression("$count([1..9999999].($ * 2))")
        #expect(throws: JSONataError.self) { try slow.evaluate(input: nil, stepBudget: 100_000) }
    }
}
