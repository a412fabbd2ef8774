import InfraJSON

/// libFuzzer entry point: parses the bytes as a state machine definition. Every input must either
/// parse or be rejected with problems; a crash, hang or sanitizer report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDefinition(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let definition = try StateMachineDefinition(parsing: text)
        _ = definition.json.text
    } catch {
        if error.problems.isEmpty { fatalError("a rejected definition must name at least one problem") }
        _ = error.description
    }
    return 0
}
