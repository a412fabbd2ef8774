import Foundation

/// How often an EventBridge schedule expression fires in a 30-day month, for the estimate.
///
/// Supported: `rate(N minute|minutes|hour|hours|day|days)`, and `cron(min hour dom month dow year)`
/// whose minute and hour fields are `*`, a number, a list `a,b`, a range `a-b` or a step `*/n`
/// / `a/n` / `a-b/n`; day-of-month `*`, `?` or such a list of days (days above 30 never fire in a
/// 30-day month); month `*`; day-of-week `*`, `?` or days `MON-FRI` / `1-7` / lists, counted as
/// 30 × k / 7 days; year `*`. Other forms (`L`, `W`, `#`, named months) are refused with the reason.
public struct ScheduleExpression: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    /// Fires in a 30-day month.
    public let firesPerMonth: Double
    /// Whether any clock hour has more than one fire (CloudWatch bills custom metrics per hour with data).
    public let hoursWithFiresPerMonth: Double

    public var description: String { text }

    /// The seed's schedule.
    public static let seed = try! ScheduleExpression("rate(3 hours)")

    public init(_ text: String) throws(DeployError) {
        self.text = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("rate("), trimmed.hasSuffix(")") {
            let minutes = try Self.rateMinutes(String(trimmed.dropFirst(5).dropLast()), text: text)
            firesPerMonth = (Self.monthMinutes / minutes).rounded(.down)
            hoursWithFiresPerMonth = min(firesPerMonth, Self.monthMinutes / 60)
        } else if trimmed.hasPrefix("cron("), trimmed.hasSuffix(")") {
            let counts = try Self.cronCounts(String(trimmed.dropFirst(5).dropLast()), text: text)
            firesPerMonth = counts.minutes * counts.hours * counts.days
            hoursWithFiresPerMonth = counts.hours * counts.days
        } else {
            throw .schedule("schedule \"\(text)\" is neither rate(...) nor cron(...); use e.g. rate(3 hours) or cron(0 */3 * * ? *)")
        }
    }

    static let monthMinutes = 30.0 * 24 * 60

    private static func rateMinutes(_ body: String, text: String) throws(DeployError) -> Double {
        let parts = body.split(separator: " ").map(String.init)
        guard parts.count == 2, let value = Int(parts[0]), value > 0 else {
            throw .schedule("rate expression \"\(text)\" needs a positive whole number and a unit, e.g. rate(3 hours)")
        }
        let unit = parts[1]
        let singular = value == 1
        switch unit {
        case "minute" where singular, "minutes" where !singular: return Double(value)
        case "hour" where singular, "hours" where !singular: return Double(value) * 60
        case "day" where singular, "days" where !singular: return Double(value) * 1440
        default:
            throw .schedule(
                "rate expression \"\(text)\": unit must be minute(s), hour(s) or day(s), singular for 1 and plural otherwise"
            )
        }
    }

    private static func cronCounts(_ body: String, text: String) throws(DeployError) -> (minutes: Double, hours: Double, days: Double) {
        let fields = body.split(separator: " ").map(String.init)
        guard fields.count == 6 else {
            throw .schedule("cron expression \"\(text)\" needs six fields: minutes hours day-of-month month day-of-week year")
        }
        let minutes = try values(fields[0], range: 0...59, field: "minutes", text: text)
        let hours = try values(fields[1], range: 0...23, field: "hours", text: text)
        guard fields[3] == "*" || fields[3] == "?", fields[5] == "*" || fields[5] == "?" else {
            throw .schedule("cron expression \"\(text)\": only * is supported for month and year in the estimate")
        }
        let dayOfMonth = fields[2]
        let dayOfWeek = fields[4].uppercased()
        var days = 30.0
        if dayOfMonth != "*" && dayOfMonth != "?" {
            days = Double(try values(dayOfMonth, range: 1...31, field: "day-of-month", text: text).filter { $0 <= 30 }.count)
        }
        if dayOfWeek != "*" && dayOfWeek != "?" {
            var named = dayOfWeek
            for (index, name) in ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"].enumerated() {
                named = named.replacingOccurrences(of: name, with: String(index + 1))
            }
            let weekdays = try values(named, range: 1...7, field: "day-of-week", text: text)
            days = days * Double(weekdays.count) / 7
        }
        return (Double(minutes.count), Double(hours.count), days)
    }

    /// The values a cron field selects.
    private static func values(
        _ field: String,
        range: ClosedRange<Int>,
        field name: String,
        text: String
    ) throws(DeployError)
        -> Set<Int>
    {
        var result = Set<Int>()
        for item in field.split(separator: ",").map(String.init) {
            let stepParts = item.split(separator: "/").map(String.init)
            guard stepParts.count <= 2 else { throw unsupported(name, item, text) }
            let step = stepParts.count == 2 ? Int(stepParts[1]) : 1
            guard let step, step > 0 else { throw unsupported(name, item, text) }
            var low = range.lowerBound
            var high = range.upperBound
            let base = stepParts[0]
            if base != "*" {
                let bounds = base.split(separator: "-").map { Int($0) }
                guard let first = bounds.first, let first, bounds.count <= 2, bounds.allSatisfy({ $0 != nil }) else {
                    throw unsupported(name, item, text)
                }
                low = first
                high = bounds.count == 2 ? bounds[1]! : (stepParts.count == 2 ? range.upperBound : first)
            }
            guard range.contains(low), range.contains(high), low <= high else { throw unsupported(name, item, text) }
            result.formUnion(stride(from: low, through: high, by: step))
        }
        return result
    }

    private static func unsupported(_ name: String, _ item: String, _ text: String) -> DeployError {
        .schedule(
            "cron expression \"\(text)\": the \(name) field \"\(item)\" is not supported by the estimate; use numbers, lists, ranges or steps"
        )
    }
}
