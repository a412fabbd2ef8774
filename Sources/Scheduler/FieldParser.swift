/// Parses one plain cron field: `*`, values, names, ranges `a-b`, lists `a,b` and steps `a/n`, `*/n`.
struct FieldParser {
    let name: String
    let range: ClosedRange<Int>
    /// Names for the values from `range.lowerBound` on (JAN…, SUN…).
    let names: [String]
    /// The whole expression, for error messages.
    let expression: String

    func fail(_ reason: String) -> ScheduleError { ScheduleError(expression: expression, reason: reason) }

    /// The set of values the field allows.
    func values(_ text: String) throws -> Set<Int> {
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            result.formUnion(try item(String(part)))
        }
        return result
    }

    /// One value (a number or a name) within the field's range.
    func single(_ text: String) throws -> Int {
        if let index = names.firstIndex(of: text) { return range.lowerBound + index }
        guard let value = Int(text) else {
            let accepted = names.isEmpty ? "" : " or a name \(names.first!)-\(names.last!)"
            throw fail("\(name) \"\(text)\" is not a number \(range.lowerBound)-\(range.upperBound)\(accepted)")
        }
        guard range.contains(value) else {
            throw fail("\(name) value \(value) is out of range \(range.lowerBound)-\(range.upperBound)")
        }
        return value
    }

    private func item(_ text: String) throws -> Set<Int> {
        guard !text.isEmpty else { throw fail("\(name) has an empty list item") }
        var base = Substring(text)
        var step = 1
        if let slash = text.firstIndex(of: "/") {
            guard let n = Int(text[text.index(after: slash)...]), n > 0 else {
                throw fail("\(name) \"\(text)\": the step after / must be a whole number greater than 0")
            }
            step = n
            base = text[..<slash]
        }
        let low: Int
        var high: Int
        if base == "*" {
            (low, high) = (range.lowerBound, range.upperBound)
        } else if let dash = base.firstIndex(of: "-") {
            low = try single(String(base[..<dash]))
            high = try single(String(base[base.index(after: dash)...]))
            guard low <= high else { throw fail("\(name) range \"\(base)\" runs backwards; write the smaller value first") }
        } else {
            low = try single(String(base))
            high = step > 1 || text.contains("/") ? range.upperBound : low
        }
        if step == 1 && base != "*" && !text.contains("/") { high = max(high, low) }
        return Set(stride(from: low, through: high, by: step))
    }
}
