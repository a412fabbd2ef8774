/// libFuzzer entry point: the first byte picks the protocol and status, the rest is an error
/// response body. Parsing never crashes and always gives a code; a parsed XML document's text,
/// escaped and wrapped in an element, reads back as the same text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAWSError(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let services: [AWSService] = [.s3, .dynamoDB, .stepFunctions, .logs]
    let service = services[Int(data[0] & 3)]
    let status = [400, 403, 404, 500, 503, 200, 301, 429][Int(data[0] >> 2 & 7)]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let error = AWSErrorParser.parse(AWSHTTPResponse(status: status, body: body), service: service)
    if error.code.isEmpty { fatalError("an AWS error needs a code") }
    if let node = try? XMLNode.parse(body) {
        let wrapped = "<w a=\"\(XMLNode.escape(node.text))\">\(XMLNode.escape(node.text))</w>"
        guard let again = try? XMLNode.parse(wrapped) else { fatalError("escaped text does not parse: \(wrapped)") }
        if again.text != node.text || again.attributes["a"] != node.text {
            fatalError("escaped text changed in a round trip: \(node.text)")
        }
    }
    return 0
}
