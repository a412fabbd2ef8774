#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A signing time in the two forms SigV4 uses: `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd`, in UTC.
public struct SigningDate: Sendable, Hashable {
    /// The full timestamp, e.g. `20150830T123600Z`.
    public var dateTime: String
    /// The day, e.g. `20150830`.
    public var date: String

    /// The forms of `date`.
    public init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        self.date = pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2)
        self.dateTime = self.date + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
    }

    /// Parses `yyyyMMdd'T'HHmmss'Z'` (the `X-Amz-Date` of published examples); `nil` when malformed.
    public init?(amzDate: String) {
        let digits = amzDate.filter(\.isNumber)
        guard amzDate.count == 16, digits.count == 14, amzDate.hasSuffix("Z") else { return nil }
        self.dateTime = amzDate
        self.date = String(amzDate.prefix(8))
    }

    /// The credential scope `{date}/{region}/{service}/aws4_request`.
    public func scope(region: String, service: String) -> String {
        "\(date)/\(region)/\(service)/aws4_request"
    }
}
