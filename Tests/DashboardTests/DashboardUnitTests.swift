import InfraMonitorCore
import Scheduler
import Testing

@testable import Dashboard

struct DashboardUnitTests {
    @Test(arguments: [
        ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        ("a & b \"c\"", "a &amp; b &quot;c&quot;"),
        ("plain", "plain"),
    ])
    func escapeMakesEveryValueInert(input: String, expected: String) {
        #expect(HTML.escape(input) == expected)
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
