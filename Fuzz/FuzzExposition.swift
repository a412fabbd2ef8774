/// libFuzzer entry point for ``ExpositionParser``: the first byte chooses the format, the rest is
/// the page. Parsed strictly and leniently; a page that parses strictly must give the same samples
/// leniently, and written back as text format 0.0.4 it must parse again to the same samples. With
/// the parser's shortcuts off, both parses must give the same records or the same error. Nothing
/// may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExposition(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let format: ExpositionFormat = data[0] & 1 == 0 ? .prometheusText : .openMetrics
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    for recovery in [ExpositionParser.Recovery.fail, .skipLine] {
        let general = ExpositionParser.Shortcuts(plainSamples: false, sortedFamilies: false)
        let fast = Result { () throws(ExpositionError) in try ExpositionParser.parse(bytes, format: format, recovery: recovery) }
        let slow = Result { () throws(ExpositionError) in try ExpositionParser.parse(bytes, format: format, recovery: recovery, shortcuts: general) }
        switch (fast, slow) {
        case (.success(let x), .success(let y)) where x.isSameParse(as: y): break
        case (.failure(let x), .failure(let y)) where x == y: break
        default: fatalError("the parser's shortcuts change the result (\(recovery)): \(fast) against \(slow)")
        }
    }
    let lenient = try? ExpositionParser.parse(bytes, format: format, recovery: .skipLine)
    if let lenient {
        for index in 0..<lenient.count {
            _ = lenient.sample(at: index)
            _ = lenient.exemplar(at: index)
            _ = lenient.family(at: index)
        }
    }
    guard let page = try? ExpositionParser.parse(bytes, format: format) else { return 0 }
    let samples = page.samples
    guard let lenient, same(lenient.samples, samples) else { fatalError("lenient parse differs from the strict one") }
    var text = ""
    for sample in samples {
        text += sample.name
        text += "{"
        for (key, value) in sample.labels.sorted(by: { $0.key < $1.key }) {
            text += key + "=\""
            for character in value.unicodeScalars {
                switch character {
                case "\\": text += "\\\\"
                case "\"": text += "\\\""
                case "\n": text += "\\n"
                default: text.unicodeScalars.append(character)
                }
            }
            text += "\","
        }
        text += "} "
        text += sample.value.isNaN ? "NaN" : String(sample.value)
        if let stamp = sample.timestampMilliseconds { text += " \(stamp)" }
        text += "\n"
    }
    guard let again = try? ExpositionParser.parse(text) else { fatalError("written back, the page does not parse:\n\(text)") }
    guard same(again.samples, samples) else { fatalError("written back, the page parses to other samples:\n\(text)") }
    return 0
}

private func same(_ a: [PrometheusSample], _ b: [PrometheusSample]) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        guard x.name == y.name, x.labels == y.labels, x.timestampMilliseconds == y.timestampMilliseconds else { return false }
        guard x.value == y.value || (x.value.isNaN && y.value.isNaN) else { return false }
    }
    return true
}
