/// libFuzzer entry point: the bytes are a query string as a browser sends it. Reading a field
/// never crashes, and whatever it decodes to is inert once escaped: no `<`, `>`, `"` or `'` byte
/// survives ``HTML/escape(_:)``, whatever combining marks follow them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuery(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let query = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for name in ["sql", "range", "host", "label", "q", ""] {
        guard let value = formField(in: query, named: name) else { continue }
        let escaped = HTML.escape(value)
        for byte in escaped.utf8
        where byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "'")
        {
            fatalError("HTML.escape let a markup byte through: \(Array(value.unicodeScalars))")
        }
    }
    return 0
}
