import Foundation
import TestSupport

@testable import AWSSigner

/// One case of the AWS Signature V4 test suite, read from its `.req`, `.creq`, `.sts` and `.authz` files.
struct TestSuiteCase: CustomStringConvertible {
    let name: String
    let method: String
    let path: String
    let query: String
    let headers: [(String, String)]
    let body: String
    let canonicalRequest: String
    let stringToSign: String
    let authorization: String

    var description: String { name }

    /// The case at `folder` (relative to `Fixtures/aws-sig-v4-test-suite`), e.g. `normalize-path/get-slash`.
    init(_ folder: String) throws {
        let name = String(folder.split(separator: "/").last!)
        let base = "aws-sig-v4-test-suite/\(folder)/\(name)"
        self.name = folder
        let request = try Fixtures.text("\(base).req").replacingOccurrences(of: "\r\n", with: "\n")
        canonicalRequest = try Fixtures.text("\(base).creq").replacingOccurrences(of: "\r\n", with: "\n")
        stringToSign = try Fixtures.text("\(base).sts").replacingOccurrences(of: "\r\n", with: "\n")
        authorization = try Fixtures.text("\(base).authz").trimmingCharacters(in: .whitespacesAndNewlines)
        let sections = request.components(separatedBy: "\n\n")
        let head = sections[0].components(separatedBy: "\n")
        body = sections.dropFirst().joined(separator: "\n\n")
        let requestLine = head[0]
        let firstSpace = requestLine.firstIndex(of: " ")!
        let lastSpace = requestLine.lastIndex(of: " ")!
        method = String(requestLine[..<firstSpace])
        let target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = target
            query = ""
        }
        headers = head.dropFirst().map { line in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...]))
        }
    }

    /// The date of the `X-Amz-Date` header.
    var signingDate: SigningDate {
        let value = headers.first { $0.0.lowercased() == "x-amz-date" }!.1
        return SigningDate(amzDate: value)!
    }
}
