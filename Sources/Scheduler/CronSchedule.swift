public import InfraMonitorCore

/// EventBridge's `cron(minutes hours day-of-month month day-of-week year)`, in UTC.
///
/// Day-of-week counts 1 = SUN … 7 = SAT. Exactly one of day-of-month and day-of-week is `?`.
/// Day-of-month accepts `L` (last day), `nW` (weekday nearest day n, within the month) and `LW`;
/// day-of-week accepts `nL` (last such weekday of the month) and `n#k` (k-th such weekday).
public struct CronSchedule: Sendable, Hashable {
    /// The text between the parentheses.
    public let source: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let months: Set<Int>
    let years: Set<Int>
    let days: DayRule

    /// Which days of a month fire.
    enum DayRule: Sendable, Hashable {
        case dayOfMonth([DayOfMonthItem])
        case dayOfWeek([DayOfWeekItem])
    }

    enum DayOfMonthItem: Sendable, Hashable {
        case days(Set<Int>)
        case last
        case nearestWeekday(Int)
        case lastWeekday
    }

    enum DayOfWeekItem: Sendable, Hashable {
        case weekdays(Set<Int>)
        case lastOfMonth(Int)
        case nth(weekday: Int, n: Int)
    }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Parses the six fields.
    /// - Throws: ``ScheduleError`` naming the field and the value at fault.
    public init(parsing body: String, expression: String) throws {
        func fail(_ reason: String) -> ScheduleError { ScheduleError(expression: expression, reason: reason) }
        let fields = body.split(separator: " ", omittingEmptySubsequences: true).map { String($0).uppercased() }
        guard fields.count == 6 else {
            throw fail("cron takes 6 fields (minutes hours day-of-month month day-of-week year), found \(fields.count)")
        }
        source = body.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        minutes = try FieldParser(name: "minutes", range: 0...59, names: [], expression: expression).values(fields[0])
        hours = try FieldParser(name: "hours", range: 0...23, names: [], expression: expression).values(fields[1])
        months = try FieldParser(name: "month", range: 1...12, names: Self.monthNames, expression: expression).values(fields[3])
        years = try FieldParser(name: "year", range: 1970...2199, names: [], expression: expression).values(fields[5])
        let dom = fields[2]
        let dow = fields[4]
        switch (dom == "?", dow == "?") {
        case (true, true):
            throw fail("only one of day-of-month and day-of-week may be ?; put * or a value in the other")
        case (false, false):
            throw fail("one of day-of-month and day-of-week must be ? (EventBridge does not combine them)")
        case (false, true):
            days = .dayOfMonth(try Self.parseDayOfMonth(dom, expression: expression))
        case (true, false):
            days = .dayOfWeek(try Self.parseDayOfWeek(dow, expression: expression))
        }
    }

    private static func parseDayOfMonth(_ text: String, expression: String) throws -> [DayOfMonthItem] {
        let parser = FieldParser(name: "day-of-month", range: 1...31, names: [], expression: expression)
        let fail = parser.fail
        return try text.split(separator: ",", omittingEmptySubsequences: false).map { part -> DayOfMonthItem in
            let item = String(part)
            if item == "L" { return .last }
            if item == "LW" { return .lastWeekday }
            if item.hasSuffix("W") {
                guard let day = Int(item.dropLast()), (1...31).contains(day) else {
                    throw fail("day-of-month \"\(item)\": W follows a day 1-31, as in 15W")
                }
                return .nearestWeekday(day)
            }
            return .days(try parser.values(item))
        }
    }

    private static func parseDayOfWeek(_ text: String, expression: String) throws -> [DayOfWeekItem] {
        let parser = FieldParser(name: "day-of-week", range: 1...7, names: dayNames, expression: expression)
        let fail = parser.fail
        return try text.split(separator: ",", omittingEmptySubsequences: false).map { part -> DayOfWeekItem in
            let item = String(part)
            if item == "L" { return .weekdays([7]) }
            if let hash = item.firstIndex(of: "#") {
                let day = try parser.single(String(item[..<hash]))
                guard let n = Int(item[item.index(after: hash)...]), (1...5).contains(n) else {
                    throw fail("day-of-week \"\(item)\": # takes a week number 1-5, as in 6#3")
                }
                return .nth(weekday: day, n: n)
            }
            if item.hasSuffix("L") {
                return .lastOfMonth(try parser.single(String(item.dropLast())))
            }
            return .weekdays(try parser.values(item))
        }
    }

    /// The first fire time strictly after `time`, or `nil` past the last allowed year.
    public func next(after time: Timestamp) -> Timestamp? {
        let start = Timestamp(seconds: (time.seconds - ((time.seconds % 60) + 60) % 60) + 60)
        let civil = start.civil
        var dayNumber = CivilDateTime.days(fromYear: civil.year, month: civil.month, day: civil.day)
        var firstDay = true
        let sortedHours = hours.sorted()
        let sortedMinutes = minutes.sorted()
        while true {
            let (year, month, day) = CivilDateTime.civil(fromDays: dayNumber)
            if year > 2199 || year > (years.max() ?? 0) { return nil }
            if !years.contains(year) {
                dayNumber = CivilDateTime.days(fromYear: year + 1, month: 1, day: 1)
                firstDay = false
                continue
            }
            if !months.contains(month) {
                dayNumber =
                    month == 12
                    ? CivilDateTime.days(fromYear: year + 1, month: 1, day: 1)
                    : CivilDateTime.days(fromYear: year, month: month + 1, day: 1)
                firstDay = false
                continue
            }
            if matches(year: year, month: month, day: day, dayNumber: dayNumber) {
                let fromHour = firstDay ? civil.hour : 0
                for hour in sortedHours where hour >= fromHour {
                    let fromMinute = firstDay && hour == civil.hour ? civil.minute : 0
                    if let minute = sortedMinutes.first(where: { $0 >= fromMinute }) {
                        return Timestamp(seconds: dayNumber * 86_400 + Int64(hour * 3600 + minute * 60))
                    }
                }
            }
            dayNumber += 1
            firstDay = false
        }
    }

    /// Whether the schedule fires on the UTC day `dayNumber` (days since 1970-01-01).
    public func fires(onDay dayNumber: Int64) -> Bool {
        let (year, month, day) = CivilDateTime.civil(fromDays: dayNumber)
        return years.contains(year) && months.contains(month) && matches(year: year, month: month, day: day, dayNumber: dayNumber)
    }

    /// How many times the schedule fires on each day it fires at all.
    public var firesPerDay: Int { hours.count * minutes.count }

    /// How many clock hours of each firing day have a fire.
    public var hoursPerDay: Int { hours.count }

    /// 1 = Sunday … 7 = Saturday (1970-01-01 was a Thursday).
    static func weekday(ofDay dayNumber: Int64) -> Int {
        Int((((dayNumber + 4) % 7) + 7) % 7) + 1
    }

    func matches(year: Int, month: Int, day: Int, dayNumber: Int64) -> Bool {
        let length = CivilDateTime.daysIn(month: month, year: year)
        switch days {
        case .dayOfMonth(let items):
            return items.contains { item in
                switch item {
                case .days(let set): return set.contains(day)
                case .last: return day == length
                case .nearestWeekday(let target):
                    return Self.nearestWeekday(to: min(target, length), year: year, month: month) == day
                        && target <= length
                case .lastWeekday:
                    return Self.nearestWeekday(to: length, year: year, month: month) == day
                }
            }
        case .dayOfWeek(let items):
            let weekday = Self.weekday(ofDay: dayNumber)
            return items.contains { item in
                switch item {
                case .weekdays(let set): return set.contains(weekday)
                case .lastOfMonth(let target): return weekday == target && day + 7 > length
                case .nth(let target, let n): return weekday == target && (day - 1) / 7 + 1 == n
                }
            }
        }
    }

    /// The weekday (Mon–Fri) nearest to `target` without leaving the month, as Quartz defines `W`.
    static func nearestWeekday(to target: Int, year: Int, month: Int) -> Int {
        let length = CivilDateTime.daysIn(month: month, year: year)
        let weekday = Self.weekday(ofDay: CivilDateTime.days(fromYear: year, month: month, day: target))
        switch weekday {
        case 7: return target == 1 ? 3 : target - 1
        case 1: return target == length ? target - 2 : target + 1
        default: return target
        }
    }
}
