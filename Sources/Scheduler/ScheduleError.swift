/// Why a schedule expression was rejected: the expression, the part at fault and what to write instead.
public struct ScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The whole expression as given.
    public var expression: String
    /// One line: what was wrong and what is accepted.
    public var reason: String

    public init(expression: String, reason: String) {
        self.expression = expression
        self.reason = reason
    }

    public var description: String { "invalid schedule expression \"\(expression)\": \(reason)" }
}
