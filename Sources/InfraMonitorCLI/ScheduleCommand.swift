import ArgumentParser
import InfraMonitorCore
import Scheduler

/// `infra-monitor schedule`: EventBridge schedule expressions.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Work with EventBridge schedule expressions (rate(...) and cron(...), UTC).",
        subcommands: [NextCommand.self]
    )

    /// `infra-monitor schedule next EXPR [-n 5] [--after T]`.
    struct NextCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "Print the next fire times of a schedule expression, one RFC 3339 time a line.",
            discussion: """
                Accepts rate(N minute|minutes|hour|hours|day|days) and cron(minutes hours day-of-month month \
                day-of-week year) with *, ?, ranges, lists, steps, L, W, #, and JAN-DEC / SUN-SAT names \
                (day-of-week 1 = SUN … 7 = SAT). Rates are anchored at the Unix epoch, in UTC.
                """
        )

        @Argument(help: "The schedule expression, such as 'rate(3 hours)' or 'cron(0 12 ? * MON-FRI *)'.")
        var expression: String

        @Option(name: .short, help: "How many fire times to print (1-1000).")
        var n: Int = 5

        @Option(help: "Start after this RFC 3339 time (default: now).")
        var after: String?

        func validate() throws {
            guard (1...1000).contains(n) else { throw ValidationError("-n must be between 1 and 1000") }
            if let after, Timestamp.parseRFC3339(after) == nil {
                throw ValidationError("--after must be an RFC 3339 timestamp such as 2026-11-25T18:00:00Z")
            }
        }

        func run() async throws {
            let schedule: ScheduleExpression
            do {
                schedule = try ScheduleExpression(parsing: expression)
            } catch let error as ScheduleError {
                throw CLIError.usage(error.description)
            }
            let start = after.flatMap { Timestamp.parseRFC3339($0) } ?? .now()
            for time in schedule.nextN(n, after: start) {
                print(time.iso8601Seconds)
            }
        }
    }
}
