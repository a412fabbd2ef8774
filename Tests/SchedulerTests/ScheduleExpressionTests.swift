import InfraMonitorCore
import Scheduler
import Testing

/// Fire times checked by hand against a calendar (2026-11-25 is a Wednesday, 2027-01-01 a Friday).
struct ScheduleExpressionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var expression: String
        var after: String
        var expected: [String]
        var testDescription: String { "\(expression) after \(after)" }
    }

    static let cases: [Case] = [
        Case(
            expression: "rate(5 minutes)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2026-11-25T20:25:00", "2026-11-25T20:30:00", "2026-11-25T20:35:00"]
        ),
        Case(expression: "rate(1 minute)", after: "2026-11-25T20:23:00Z", expected: ["2026-11-25T20:24:00", "2026-11-25T20:25:00"]),
        Case(
            expression: "rate(3 hours)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2026-11-25T21:00:00", "2026-11-26T00:00:00", "2026-11-26T03:00:00"]
        ),
        Case(expression: "rate(1 day)", after: "2026-12-31T23:59:59Z", expected: ["2027-01-01T00:00:00", "2027-01-02T00:00:00"]),
        Case(expression: "cron(0 12 * * ? *)", after: "2026-11-25T20:23:10Z", expected: ["2026-11-26T12:00:00", "2026-11-27T12:00:00"]),
        Case(
            expression: "cron(0/15 * * * ? *)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2026-11-25T20:30:00", "2026-11-25T20:45:00", "2026-11-25T21:00:00"]
        ),
        Case(expression: "cron(15 10 * * ? *)", after: "2026-11-25T10:15:00Z", expected: ["2026-11-26T10:15:00"]),
        Case(
            expression: "cron(*/20 8-10 ? * MON-FRI *)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2026-11-26T08:00:00", "2026-11-26T08:20:00", "2026-11-26T08:40:00", "2026-11-26T09:00:00"]
        ),
        Case(
            expression: "cron(0 22 ? * 2-6 *)",
            after: "2026-11-27T22:00:00Z",
            expected: ["2026-11-30T22:00:00", "2026-12-01T22:00:00"]
        ),
        Case(
            expression: "cron(0 0 L * ? *)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2026-11-30T00:00:00", "2026-12-31T00:00:00", "2027-01-31T00:00:00", "2027-02-28T00:00:00", "2027-03-31T00:00:00"]
        ),
        Case(
            expression: "cron(0 0 L 2 ? *)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2027-02-28T00:00:00", "2028-02-29T00:00:00", "2029-02-28T00:00:00"]
        ),
        Case(expression: "cron(0 0 29 FEB ? *)", after: "2026-11-25T20:23:10Z", expected: ["2028-02-29T00:00:00", "2032-02-29T00:00:00"]),
        Case(expression: "cron(0 0 29 2 ? *)", after: "2099-01-01T00:00:00Z", expected: ["2104-02-29T00:00:00"]),
        Case(
            expression: "cron(0 0 31 * ? *)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2026-12-31T00:00:00", "2027-01-31T00:00:00", "2027-03-31T00:00:00", "2027-05-31T00:00:00"]
        ),
        Case(
            expression: "cron(0 9 ? * 6#3 *)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2026-12-18T09:00:00", "2027-01-15T09:00:00", "2027-02-19T09:00:00"]
        ),
        Case(
            expression: "cron(0 18 ? * 6L *)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2026-11-27T18:00:00", "2026-12-25T18:00:00", "2027-01-29T18:00:00"]
        ),
        Case(expression: "cron(0 8 1W * ? *)", after: "2027-04-10T00:00:00Z", expected: ["2027-05-03T08:00:00", "2027-06-01T08:00:00"]),
        Case(expression: "cron(0 8 15W 5,8 ? *)", after: "2027-04-10T00:00:00Z", expected: ["2027-05-14T08:00:00", "2027-08-16T08:00:00"]),
        Case(
            expression: "cron(0 0 LW * ? *)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2026-11-30T00:00:00", "2026-12-31T00:00:00", "2027-01-29T00:00:00", "2027-02-26T00:00:00"]
        ),
        Case(
            expression: "cron(30 6 ? JAN,JUL SUN *)",
            after: "2026-11-25T20:23:10Z",
            expected: ["2027-01-03T06:30:00", "2027-01-10T06:30:00", "2027-01-17T06:30:00"]
        ),
        Case(expression: "cron(0 0 1 1 ? 2030-2031)", after: "2026-11-25T20:23:10Z", expected: ["2030-01-01T00:00:00", "2031-01-01T00:00:00"]),
        Case(expression: "cron(59 23 31 12 ? 2199)", after: "2199-12-31T23:59:00Z", expected: []),
        Case(
            expression: "cron(5,10-12 1 1 1 ? 2027)",
            after: "2026-01-01T00:00:00Z",
            expected: ["2027-01-01T01:05:00", "2027-01-01T01:10:00", "2027-01-01T01:11:00", "2027-01-01T01:12:00"]
        ),
    ]

    @Test(arguments: cases)
    func fireTimes(_ c: Case) throws {
        let schedule = try ScheduleExpression(parsing: c.expression)
        let after = try #require(Timestamp.parseRFC3339(c.after))
        let times = schedule.nextN(c.expected.count + 1, after: after).prefix(c.expected.count)
        #expect(times.map { String($0.iso8601Milliseconds.dropLast(5)) } == c.expected)
    }

    @Test func nextIsStrictlyAfter() throws {
        let schedule = try ScheduleExpression(parsing: "rate(3 hours)")
        let tick = try #require(Timestamp.parseRFC3339("2026-11-25T21:00:00Z"))
        #expect(schedule.next(after: tick) == tick.adding(seconds: 3 * 3600))
    }

    @Test func scheduleWithNoMoreFireTimesEnds() throws {
        let schedule = try ScheduleExpression(parsing: "cron(0 0 1 1 ? 2030)")
        let after = try #require(Timestamp.parseRFC3339("2030-01-01T00:00:00Z"))
        #expect(schedule.next(after: after) == nil)
    }

    @Test(arguments: [
        ("rate(1 minutes)", "a value of 1 takes the singular unit: rate(1 minute)"),
        ("rate(5 minute)", "a value other than 1 takes the plural unit: rate(5 minutes)"),
        ("rate(0 minutes)", "the rate value \"0\" must be a whole number greater than 0"),
        ("rate(5 seconds)", "unknown rate unit \"seconds\"; use minute(s), hour(s) or day(s)"),
        ("rate(5)", "rate takes a value and a unit, such as rate(5 minutes)"),
        ("every 5 minutes", "write rate(N unit) or cron(minutes hours day-of-month month day-of-week year)"),
        ("at(2026-11-25T00:00:00)", "unknown kind \"at\"; write rate(...) or cron(...)"),
        ("cron(0 12 * * ?)", "cron takes 6 fields (minutes hours day-of-month month day-of-week year), found 5"),
        ("cron(0 12 * * * *)", "one of day-of-month and day-of-week must be ? (EventBridge does not combine them)"),
        ("cron(0 12 ? * ? *)", "only one of day-of-month and day-of-week may be ?; put * or a value in the other"),
        ("cron(60 * * * ? *)", "minutes value 60 is out of range 0-59"),
        ("cron(0 24 * * ? *)", "hours value 24 is out of range 0-23"),
        ("cron(0 0 32 * ? *)", "day-of-month value 32 is out of range 1-31"),
        ("cron(0 0 * FOO ? *)", "month \"FOO\" is not a number 1-12 or a name JAN-DEC"),
        ("cron(0 0 ? * 8 *)", "day-of-week value 8 is out of range 1-7"),
        ("cron(0 0 ? * 6#6 *)", "day-of-week \"6#6\": # takes a week number 1-5, as in 6#3"),
        ("cron(0 0 * * ? 2200)", "year value 2200 is out of range 1970-2199"),
        ("cron(0/0 * * * ? *)", "minutes \"0/0\": the step after / must be a whole number greater than 0"),
        ("cron(0 10-5 * * ? *)", "hours range \"10-5\" runs backwards; write the smaller value first"),
        ("cron(0 0 40W * ? *)", "day-of-month \"40W\": W follows a day 1-31, as in 15W"),
        ("cron(0,,5 0 * * ? *)", "minutes has an empty list item"),
    ])
    func invalidExpressionsAreRejected(expression: String, reason: String) {
        #expect(throws: ScheduleError(expression: expression, reason: reason)) {
            try ScheduleExpression(parsing: expression)
        }
    }

    @Test func descriptionRoundTrips() throws {
        for text in ["rate(3 hours)", "rate(1 minute)", "rate(2 days)", "cron(0 12 ? * MON-FRI *)"] {
            #expect(try ScheduleExpression(parsing: text).description == text)
        }
    }
}
