/// libFuzzer entry point: parses the bytes as a JSONata expression. Every input must either parse or
/// be rejected with a syntax error naming a code; a crash, hang or sanitizer report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONataParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try Parser.parse(text)
    } catch {
        if error.code.isEmpty { fatalError("a syntax error must name its code") }
    }
    return 0
}
