import InfraMonitorCore
import Scheduler
import Testing

@testable import Dashboard

struct DashboardUnitTests {
    @Test(arguments: [
        ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        ("a & b \"c\"", "a &amp; b &quot;c&quot;"),
        ("plain", "plain"),
        // A quote or bracket followed by a combining mark is one Character, not equal to the quote,
        // but its first byte is still the quote: escaping works per scalar (found by Fuzz/FuzzQuery).
        ("x\"\u{301} onmouseover=1", "x&quot;\u{301} onmouseover=1"),
        ("<\u{338}b>", "&lt;\u{338}b&gt;"),
    ])
    func escapeMakesEveryValueInert(input: String, expected: String) {
        #expect(HTML.escape(input) == expected)
    }

    /// `application/x-www-form-urlencoded` as the HTML Living Standard defines it: `+` is a space,
    /// `%2B` a plus; a value that is not valid percent-encoding is kept as sent.
    @Test(
        arguments: [
            ("sql=SELECT+count(*)+FROM+metrics", "sql", "SELECT count(*) FROM metrics"),
            ("a=1&sql=1%2B1", "sql", "1+1"),
            ("sql=%zz+x", "sql", "%zz x"),
            ("range=6h&range=1h", "range", "6h"),
            ("my+name=v", "my name", "v"),
            ("sql", "sql", ""),
            ("other=1", "sql", nil),
        ] as [(String, String, String?)]
    )
    func formFieldsDecodeAsBrowsersEncode(query: String, name: String, expected: String?) {
        #expect(formField(in: query, named: name) == expected)
    }

    @Test func tokenComparisonNeedsEveryByte() {
        #expect(TokenCheck.constantTimeEqual("secret", "secret"))
        #expect(!TokenCheck.constantTimeEqual("secret", "secreT"))
        #expect(!TokenCheck.constantTimeEqual("secret", "secret2"))
        #expect(!TokenCheck.constantTimeEqual("", "secret"))
    }

    @Test(arguments: [
        (nil, "2026-11-25T20:00:00Z", true),
        ("2026-11-25T18:00:00Z", "2026-11-25T20:59:59Z", false),
        ("2026-11-25T18:00:00Z", "2026-11-25T21:00:00Z", true),
        ("2026-11-24T18:00:00Z", "2026-11-25T20:00:00Z", true),
    ])
    func missedTickPolicy(last: String?, now: String, expected: Bool) throws {
        let schedule = try ScheduleExpression(parsing: "rate(3 hours)")
        let result = ScheduleService.missedTick(
            schedule: schedule,
            lastScheduled: last.flatMap { Timestamp.parseRFC3339($0) },
            now: try #require(Timestamp.parseRFC3339(now))
        )
        #expect(result == expected)
    }

    @Test func loopbackNeedsNoToken() {
        #expect(DashboardSettings.isLoopback("127.0.0.1") && DashboardSettings.isLoopback("::1") && DashboardSettings.isLoopback("localhost"))
        #expect(!DashboardSettings.isLoopback("0.0.0.0") && !DashboardSettings.isLoopback("192.168.1.10"))
    }

    @Test func prometheusLabelValuesAreEscaped() {
        #expect(Prometheus.escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
        #expect(Prometheus.sanitize("cpu-utilization") == "cpu_utilization")
    }
}
