/// libFuzzer entry point: the bytes are a credentials file and a config file, split at the first
/// NUL byte. Parsing never crashes; every profile and setting name is trimmed and non-empty.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProfile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0) ?? size
    let credentials = String(decoding: bytes[..<split], as: UTF8.self)
    let config = split < size ? String(decoding: bytes[(split + 1)...], as: UTF8.self) : nil
    let files = AWSProfileFiles(credentialsText: credentials, configText: config)
    for (name, settings) in files.profiles {
        if name != name.trimmingCharacters(in: .whitespaces) { fatalError("an untrimmed profile name: \(name)") }
        for key in settings.keys where key.isEmpty || key != key.trimmingCharacters(in: .whitespaces) {
            fatalError("an empty or untrimmed setting name in [\(name)]: \(key)")
        }
    }
    return 0
}
