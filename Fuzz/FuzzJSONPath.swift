import InfraJSON

/// A small document with objects, arrays and scalars for the parsed paths to select from and write into.
private let document: JSON = ["a": ["b": [1, "two", ["c": true]], "d": nil], "list": [1, 2, 3], "text": "x"]

/// libFuzzer entry point: parses the bytes as a JSONPath and as an intrinsic function call; paths that
/// parse are evaluated against a fixed document (select, and set for reference paths), intrinsic calls
/// are evaluated too. Nothing may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONPath(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let path = try? JSONPath.parse(text) {
        _ = path.select(input: document, context: document)
        if path.isReference { _ = path.setting("value", in: document) }
    }
    if let call = try? IntrinsicCall.parse(text) {
        _ = try? call.evaluate(input: document, context: document)
    }
    return 0
}
