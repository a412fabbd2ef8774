/// libFuzzer entry point: parses the bytes as JSON; a parsed value must print and parse back to an
/// equal value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let value = try? JSON(parsing: UnsafeBufferPointer(start: data, count: size)) else { return 0 }
    guard let again = try? JSON(parsing: value.text) else { fatalError("printed JSON does not parse: \(value.text)") }
    if again != value { fatalError("JSON changed in a print/parse round trip: \(value.text)") }
    guard (try? JSON(parsing: value.prettyText)) == value else { fatalError("pretty-printed JSON differs: \(value.text)") }
    return 0
}
