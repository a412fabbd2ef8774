/// libFuzzer entry point: the bytes are a `config.yaml`. It must give settings that pass
/// validation, or a configuration error that says why; never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let settings = try ConfigurationFile.parse(text, path: "config.yaml")
        if let problem = ConfigurationFile.validate(settings) { fatalError("accepted settings fail validation: \(problem)") }
    } catch let error as LocalBackendError {
        if error.description.isEmpty { fatalError("a refused config must say why") }
    } catch {
        fatalError("an unexpected error type: \(error)")
    }
    return 0
}
