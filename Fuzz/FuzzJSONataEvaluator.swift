import InfraJSON

/// A document with objects, arrays, numbers, strings, booleans and null for expressions to navigate.
private let document: JSON = [
    "name": "fleet", "hosts": [["id": "a", "cpu": 71.5, "tags": ["web"]], ["id": "b", "cpu": 12, "tags": []]], "n": 3, "ok": true, "none": nil,
]

/// libFuzzer entry point: parses the bytes as a JSONata expression and evaluates it against a fixed
/// document and variables, with a small step budget. Evaluation may fail with a JSONata error; a
/// crash, hang or sanitizer report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONataEvaluator(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let expression = try? JSONataExpression(text) else { return 0 }
    _ = try? expression.evaluate(input: document, bindings: ["x": [1, 2, 3], "s": "text"], stepBudget: 20_000)
    return 0
}
