import Foundation
import Testing

@testable import AWSSigner

/// The rules that differ between S3 and other services, and the encoding tables.
@Suite struct CanonicalTests {
    @Test(arguments: [
        ("/a%20b/c", true, "/a%20b/c"),
        ("/a%20b/c", false, "/a%2520b/c"),
        ("/test%24file.text", true, "/test%24file.text"),
        ("/a/./b/../c", true, "/a/./b/../c"),
        ("/a/./b/../c", false, "/a/c"),
        ("//x//y", true, "//x//y"),
        ("//x//y", false, "/x/y"),
        ("", false, "/"),
        ("/raw key~_.-", true, "/raw%20key~_.-"),
    ])
    func canonicalURI(path: String, s3: Bool, expected: String) {
        #expect(Canonical.uri(path, s3Rules: s3) == expected)
    }

    @Test(arguments: [
        ("b=2&a=1", "a=1&b=2"),
        ("a=2&a=1", "a=1&a=2"),
        ("key=a b", "key=a%20b"),
        ("key=a%2Fb", "key=a%2Fb"),
        ("key=a+b", "key=a%2Bb"),
        ("flag", "flag="),
        ("Z=1&a=1", "Z=1&a=1"),
        ("", ""),
    ])
    func canonicalQuery(query: String, expected: String) {
        #expect(Canonical.query(query) == expected)
    }

    @Test func headersAreLowercasedTrimmedAndJoined() {
        let result = Canonical.headers([
            ("X-B", "  two   words "), ("x-a", "1"), ("X-A", "2"), ("User-Agent", "curl"), ("Content-Length", "3"), ("Authorization", "x"),
        ])
        #expect(result.lines == "x-a:1,2\nx-b:two words\n")
        #expect(result.names == "x-a;x-b")
    }

    @Test func hostHeaderKeepsNonDefaultPort() {
        #expect(AWSSigner.hostHeader(URL(string: "http://127.0.0.1:5000/x")!) == "127.0.0.1:5000")
        #expect(AWSSigner.hostHeader(URL(string: "https://s3.amazonaws.com:443/x")!) == "s3.amazonaws.com")
    }

    @Test func signingDateFormats() {
        let date = SigningDate(Date(timeIntervalSince1970: 1_440_938_160))
        #expect(date.dateTime == "20150830T123600Z")
        #expect(date.date == "20150830")
        #expect(SigningDate(amzDate: "2015-08-30") == nil)
    }
}
