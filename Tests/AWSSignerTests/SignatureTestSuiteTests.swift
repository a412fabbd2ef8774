import Foundation
import Testing

@testable import AWSSigner

/// The published AWS Signature V4 test suite: canonical request, string to sign and
/// `Authorization` header must match the suite's files byte for byte.
@Suite struct SignatureTestSuiteTests {
    /// The suite's signer; the suite signs every header but `authorization`, `content-length` included.
    static let signer: AWSSigner = {
        var signer = AWSSigner(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            service: "service",
            region: "us-east-1"
        )
        signer.unsignedHeaders = ["authorization"]
        return signer
    }()

    static let cases = [
        "get-header-key-duplicate", "get-header-value-order", "get-header-value-trim", "get-unreserved", "get-utf8",
        "get-vanilla", "get-vanilla-empty-query-key", "get-vanilla-query", "get-vanilla-query-order-key",
        "get-vanilla-query-order-key-case", "get-vanilla-query-order-value", "get-vanilla-query-unreserved",
        "get-vanilla-utf8-query", "post-header-key-case", "post-header-key-sort", "post-header-value-case", "post-vanilla",
        "post-vanilla-empty-query-value", "post-vanilla-query", "post-x-www-form-urlencoded",
        "post-x-www-form-urlencoded-parameters", "normalize-path/get-relative", "normalize-path/get-relative-relative",
        "normalize-path/get-slash", "normalize-path/get-slash-dot-slash", "normalize-path/get-slash-pointless-dot",
        "normalize-path/get-slashes", "normalize-path/get-space",
    ]

    /// Cases whose published `.sts` and `.authz` were not computed from their own `.creq` (the
    /// hash in the `.sts` is not the SHA-256 of the `.creq`; the `.creq` signs `content-length`,
    /// the `.authz` of the first does not). For these the canonical request must match and the
    /// string to sign must carry the hash of that canonical request.
    static let inconsistentInSuite: Set<String> = ["post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters"]

    @Test(arguments: cases)
    func signsLikeTheSuite(_ folder: String) throws {
        let testCase = try TestSuiteCase(folder)
        let signing = Self.signer.signature(
            method: testCase.method,
            path: testCase.path,
            query: testCase.query,
            headers: testCase.headers,
            payloadHash: AWSSigner.Payload.bytes(Array(testCase.body.utf8)).hash,
            date: testCase.signingDate
        )
        #expect(signing.canonicalRequest == testCase.canonicalRequest)
        if Self.inconsistentInSuite.contains(folder) {
            #expect(signing.stringToSign.hasSuffix("\n" + AWSHashing.sha256Hex(Array(testCase.canonicalRequest.utf8))))
            #expect(AWSHashing.sha256Hex(Array(testCase.canonicalRequest.utf8)) != testCase.stringToSign.split(separator: "\n").last.map(String.init))
            return
        }
        #expect(signing.stringToSign == testCase.stringToSign)
        let authorization = Self.signer.authorization(
            signedHeaders: signing.signedHeaders,
            signature: signing.signature,
            date: testCase.signingDate
        )
        #expect(authorization == testCase.authorization)
    }

    /// `post-sts-header-before`: the session token is among the request's headers and signed.
    @Test func sessionTokenHeaderIsSigned() throws {
        let testCase = try TestSuiteCase("post-sts-token/post-sts-header-before")
        let token = testCase.headers.first { $0.0 == "X-Amz-Security-Token" }!.1
        var signer = Self.signer
        signer.credentials.sessionToken = token
        let headers = signer.signHeaders(
            url: URL(string: "https://example.amazonaws.com/")!,
            method: "POST",
            headers: [],
            body: .precomputedHash(AWSSigner.Payload.empty.hash),
            date: Self.date(testCase.signingDate)
        )
        let signing = signer.signature(
            method: "POST",
            path: "/",
            query: "",
            headers: headers.filter { $0.0 != "authorization" && $0.0 != "x-amz-content-sha256" },
            payloadHash: AWSSigner.Payload.empty.hash,
            date: testCase.signingDate
        )
        #expect(headers.contains { $0 == ("x-amz-security-token", token) })
        #expect(signing.canonicalRequest == testCase.canonicalRequest)
        #expect(signing.stringToSign == testCase.stringToSign)
    }

    /// `post-sts-header-after`: the token is added after signing, so the signature is the plain one.
    @Test func sessionTokenAddedAfterSigning() throws {
        let testCase = try TestSuiteCase("post-sts-token/post-sts-header-after")
        let signing = Self.signer.signature(
            method: testCase.method,
            path: testCase.path,
            query: testCase.query,
            headers: testCase.headers,
            payloadHash: AWSSigner.Payload.empty.hash,
            date: testCase.signingDate
        )
        #expect(signing.canonicalRequest == testCase.canonicalRequest)
        #expect(
            Self.signer.authorization(signedHeaders: signing.signedHeaders, signature: signing.signature, date: testCase.signingDate)
                == testCase.authorization
        )
    }

    static func date(_ stamp: SigningDate) -> Date {
        var components = DateComponents()
        let text = Array(stamp.dateTime)
        func number(_ range: Range<Int>) -> Int { Int(String(text[range]))! }
        components.year = number(0..<4)
        components.month = number(4..<6)
        components.day = number(6..<8)
        components.hour = number(9..<11)
        components.minute = number(11..<13)
        components.second = number(13..<15)
        components.timeZone = TimeZone(identifier: "UTC")
        return Calendar(identifier: .gregorian).date(from: components)!
    }
}
