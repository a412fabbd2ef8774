import InfraMonitorCore
import Scheduler

/// How often an EventBridge schedule expression fires in a 30-day month, for the estimate.
///
/// Any expression the scheduler accepts (`rate(...)`, and `cron(...)` with lists, ranges, steps,
/// names, `L`, `W` and `#`) can be counted: rates exactly, cron schedules by counting their firing
/// days over four years from 2026-01-01 (1,461 days, one leap day) and scaling the average to 30 days.
public struct ScheduleFrequency: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    /// Fires in a 30-day month.
    public let firesPerMonth: Double
    /// Clock hours with at least one fire in a 30-day month (CloudWatch bills custom metrics per hour with data).
    public let hoursWithFiresPerMonth: Double

    public var description: String { text }

    /// The seed's schedule.
    public static let seed = try! ScheduleFrequency("rate(3 hours)")

    static let monthSeconds = 30.0 * 86_400
    /// 2026-01-01, in days since 1970-01-01, where cron schedules start counting.
    static let firstCountedDay: Int64 = 20_454
    static let countedDays: Int64 = 1461

    /// - Throws: ``DeployError/schedule(_:)`` with the scheduler's reason for an invalid expression.
    public init(_ text: String) throws(DeployError) {
        self.text = text
        let expression: ScheduleExpression
        do {
            expression = try ScheduleExpression(parsing: text)
        } catch {
            throw .schedule(String(describing: error))
        }
        switch expression {
        case .rate(let seconds):
            firesPerMonth = (Self.monthSeconds / Double(seconds)).rounded(.down)
            hoursWithFiresPerMonth = min(firesPerMonth, Self.monthSeconds / 3600)
        case .cron(let cron):
            let days = (Self.firstCountedDay..<Self.firstCountedDay + Self.countedDays).count { cron.fires(onDay: $0) }
            guard days > 0 else { throw .schedule("schedule \"\(text)\" never fires between 2026 and 2029") }
            let scale = 30 / Double(Self.countedDays)
            firesPerMonth = Double(days * cron.firesPerDay) * scale
            hoursWithFiresPerMonth = Double(days * cron.hoursPerDay) * scale
        }
    }
}
