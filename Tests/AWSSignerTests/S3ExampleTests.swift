import Foundation
import Testing

@testable import AWSSigner

/// The signing examples of the Amazon S3 API Reference (2013-05-24, `examplebucket`, us-east-1).
@Suite struct S3ExampleTests {
    static let signer = AWSSigner(
        credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        service: "s3",
        region: "us-east-1"
    )
    static let date = Date(timeIntervalSince1970: 1_369_353_600)
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func signature(of headers: [(String, String)]) -> String? {
        headers.first { $0.0 == "authorization" }?.1.components(separatedBy: "Signature=").last
    }

    @Test func getObjectWithRange() {
        let headers = Self.signer.signHeaders(
            url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
            method: "GET",
            headers: [("Range", "bytes=0-9")],
            body: .empty,
            date: Self.date
        )
        let signing = Self.signer.signature(
            method: "GET",
            path: "/test.txt",
            query: "",
            headers: headers.filter { $0.0 != "authorization" },
            payloadHash: Self.emptyHash,
            date: SigningDate(Self.date)
        )
        #expect(
            signing.canonicalRequest == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """
        )
        #expect(
            signing.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """
        )
        #expect(Self.signature(of: headers) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(
            headers.first { $0.0 == "authorization" }?.1
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    /// The key `test$file.text` goes on the wire as `test%24file.text`; S3 signs it encoded once.
    @Test func putObject() {
        let body = Array("Welcome to Amazon S3.".utf8)
        #expect(AWSSigner.Payload.bytes(body).hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let headers = Self.signer.signHeaders(
            url: URL(string: "https://examplebucket.s3.amazonaws.com/test%24file.text")!,
            method: "PUT",
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            body: .bytes(body),
            date: Self.date
        )
        let authorization = headers.first { $0.0 == "authorization" }?.1 ?? ""
        #expect(authorization.contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"))
        #expect(Self.signature(of: headers) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    /// A sub-resource without value (`?lifecycle`) is canonicalized as `lifecycle=`.
    @Test func getBucketLifecycle() {
        let headers = Self.signer.signHeaders(
            url: URL(string: "https://examplebucket.s3.amazonaws.com/?lifecycle")!,
            method: "GET",
            body: .empty,
            date: Self.date
        )
        #expect(Canonical.query("lifecycle") == "lifecycle=")
        #expect(Self.signature(of: headers) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjects() {
        let headers = Self.signer.signHeaders(
            url: URL(string: "https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2")!,
            method: "GET",
            body: .empty,
            date: Self.date
        )
        #expect(Canonical.query("prefix=J&max-keys=2") == "max-keys=2&prefix=J")
        #expect(Self.signature(of: headers) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func presignedURL() {
        let url = Self.signer.signURL(
            url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
            method: "GET",
            expires: 86400,
            date: Self.date
        )
        #expect(
            url.absoluteString
                == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
                + "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        )
    }

    /// A session token is sent as `x-amz-security-token` and covered by the signature, which therefore changes.
    @Test func sessionTokenIsAddedAndSigned() {
        var signer = Self.signer
        signer.credentials.sessionToken = "TOKEN/with+chars"
        let headers = signer.signHeaders(
            url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
            method: "GET",
            body: .empty,
            date: Self.date
        )
        #expect(headers.contains { $0 == ("x-amz-security-token", "TOKEN/with+chars") })
        let authorization = headers.first { $0.0 == "authorization" }?.1 ?? ""
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(Self.signature(of: headers) != "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        let presigned = signer.signURL(
            url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
            method: "GET",
            expires: 60,
            date: Self.date
        )
        #expect(presigned.query?.contains("X-Amz-Security-Token=TOKEN%2Fwith%2Bchars") == true)
    }

    @Test func unsignedPayloadIsTheContentHash() {
        let headers = Self.signer.signHeaders(
            url: URL(string: "https://examplebucket.s3.amazonaws.com/big.bin")!,
            method: "PUT",
            body: .unsigned,
            date: Self.date
        )
        #expect(headers.contains { $0 == ("x-amz-content-sha256", "UNSIGNED-PAYLOAD") })
    }
}
