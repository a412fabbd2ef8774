import Foundation
public import InfraMonitorCore

/// An EventBridge schedule expression: `rate(value unit)` or `cron(fields)`, evaluated in UTC.
///
/// Rate schedules are anchored at the Unix epoch (a `rate(3 hours)` fires at 00:00, 03:00, … UTC),
/// so that fire times do not depend on when the service started and survive restarts.
public enum ScheduleExpression: Sendable, Hashable, CustomStringConvertible {
    /// Every `seconds` seconds, on multiples of the interval since the epoch.
    case rate(seconds: Int64)
    /// A cron schedule with EventBridge's six fields.
    case cron(CronSchedule)

    /// Parses `rate(...)` or `cron(...)`.
    /// - Throws: ``ScheduleError`` naming the part at fault.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func fail(_ reason: String) -> ScheduleError { ScheduleError(expression: text, reason: reason) }
        guard trimmed.hasSuffix(")"), let open = trimmed.firstIndex(of: "(") else {
            throw fail("write rate(N unit) or cron(minutes hours day-of-month month day-of-week year)")
        }
        let kind = trimmed[..<open].lowercased()
        let body = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        switch kind {
        case "rate":
            self = .rate(seconds: try Self.parseRate(body, fail: fail))
        case "cron":
            self = .cron(try CronSchedule(parsing: body, expression: text))
        default:
            throw fail("unknown kind \"\(kind)\"; write rate(...) or cron(...)")
        }
    }

    private static func parseRate(_ body: String, fail: (String) -> ScheduleError) throws -> Int64 {
        let parts = body.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { throw fail("rate takes a value and a unit, such as rate(5 minutes)") }
        guard let value = Int64(parts[0]), value > 0, value <= 1_000_000 else {
            throw fail("the rate value \"\(parts[0])\" must be a whole number greater than 0")
        }
        let unit = String(parts[1])
        let seconds: Int64
        switch unit {
        case "minute", "minutes": seconds = 60
        case "hour", "hours": seconds = 3600
        case "day", "days": seconds = 86_400
        default: throw fail("unknown rate unit \"\(unit)\"; use minute(s), hour(s) or day(s)")
        }
        if value == 1 && unit.hasSuffix("s") {
            throw fail("a value of 1 takes the singular unit: rate(1 \(unit.dropLast()))")
        }
        if value != 1 && !unit.hasSuffix("s") {
            throw fail("a value other than 1 takes the plural unit: rate(\(value) \(unit)s)")
        }
        return value * seconds
    }

    /// The first fire time strictly after `time`, or `nil` when the schedule has no more (cron years end at 2199).
    public func next(after time: Timestamp) -> Timestamp? {
        switch self {
        case .rate(let interval):
            let base = time.seconds - ((time.seconds % interval) + interval) % interval
            return Timestamp(seconds: base + interval)
        case .cron(let schedule):
            return schedule.next(after: time)
        }
    }

    /// Up to `count` fire times after `time`, in order.
    public func nextN(_ count: Int, after time: Timestamp) -> [Timestamp] {
        var result: [Timestamp] = []
        var cursor = time
        while result.count < count, let next = next(after: cursor) {
            result.append(next)
            cursor = next
        }
        return result
    }

    public var description: String {
        switch self {
        case .rate(let seconds):
            for (size, unit) in [(86_400, "day"), (3600, "hour"), (60, "minute")] where seconds % Int64(size) == 0 {
                let n = seconds / Int64(size)
                return "rate(\(n) \(unit)\(n == 1 ? "" : "s"))"
            }
            return "rate(\(seconds) seconds)"
        case .cron(let schedule):
            return "cron(\(schedule.source))"
        }
    }
}
