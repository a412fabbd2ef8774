/// What DynamoDB and CloudWatch accept, checked on every line by the processor (docs/design.md,
/// "Raw batches", "Values and labels the services accept") so that no batch fails on one line, and
/// both backends store the same records.
///
/// The limits, in AWS's words:
/// - DynamoDB Developer Guide, "Supported data types and naming rules": "Numbers can have up to 38
///   digits of precision. Exceeding this results in an exception." "Positive range: 1E-130 to
///   9.9999999999999999999999999999999999999E+125", "Negative range:
///   -9.9999999999999999999999999999999999999E+125 to -1E-130".
/// - DynamoDB Developer Guide, "Constraints", "Partition keys and sort keys": the maximum length of
///   a partition key value is 2048 bytes; "Items": an item is at most 400 KB.
/// - CloudWatch API Reference, MetricDatum `Value`: "CloudWatch rejects values that are either too
///   small or too large. Values must be in the range of -2^360 to 2^360. In addition, special values
///   (for example, NaN, +Infinity, -Infinity) are not supported." `MetricName`: "Minimum length of 1.
///   Maximum length of 255." `Dimensions`: "Maximum number of 30 items."
/// - CloudWatch API Reference, Dimension: "Dimension names must contain only ASCII characters, must
///   include at least one non-whitespace character, and cannot start with a colon (:). ASCII control
///   characters are not supported as part of dimension names." (length 1–255); "Dimension values must
///   contain only ASCII characters and must include at least one non-whitespace character. ASCII
///   control characters are not supported as part of dimension values." (length 1–1024).
/// - CloudWatch API Reference, PutMetricData: "You can specify time stamps that are as much as two
///   weeks before the current date, and as much as 2 hours after the current day and time."
public enum StorageLimits {
    /// The smallest magnitude DynamoDB refuses as too large: the double nearest 1E+126 (it prints
    /// `1e+126`). Every smaller double prints (shortest round trip) at or below
    /// 9.9999999999999999999999999999999999999E+125. Parsed at run time: the compiler converts a
    /// literal such as `1e126` through Float80, and the double rounding lands one ulp above.
    public static let dynamoDBExclusiveMaximumMagnitude = Double("1e126")!
    /// The smallest nonzero magnitude DynamoDB stores: the double nearest 1E-130 (it prints `1e-130`).
    public static let dynamoDBMinimumMagnitude = Double("1e-130")!
    /// The largest magnitude CloudWatch accepts as a value: 2^360.
    public static let cloudWatchMaximumMagnitude = 0x1p360
    /// The smallest nonzero magnitude CloudWatch is documented to accept: 2^-359 (8.515920e-109, the
    /// lower bound older editions of the MetricDatum reference state). Smaller nonzero means and
    /// statistics are published as 0; the records keep the exact value.
    public static let cloudWatchMinimumMagnitude = 0x1p-359
    /// At most this many dimensions per datum.
    public static let maximumDimensions = 30
    /// At most this many labels per sample: the per-host mode adds `host` as a dimension.
    public static let maximumLabels = maximumDimensions - 1
    /// Longest dimension name (ASCII, so bytes and characters agree).
    public static let maximumDimensionNameLength = 255
    /// Longest dimension value.
    public static let maximumDimensionValueLength = 1024
    /// Longest metric name, in Unicode scalars.
    public static let maximumMetricNameLength = 255
    /// Longest `metric_id` (the table's partition key), in UTF-8 bytes.
    public static let maximumPartitionKeyBytes = 2048
    /// Longest unit, in UTF-8 bytes. Not an AWS limit in itself: with the other bounds it keeps a
    /// record's item under DynamoDB's 400 KB (at most 2048 + 255×4 + 1024 + 29×(255+1024) + 1024 +
    /// 1024 bytes of strings, about 43 KB, and 1 MiB lines could otherwise carry a 1 MiB unit).
    public static let maximumUnitBytes = 1024
    /// How far before the current time CloudWatch takes a data point: two weeks.
    public static let metricDataMaximumAgeSeconds: Int64 = 14 * 86_400
    /// How far after the current time CloudWatch takes a data point: two hours.
    public static let metricDataMaximumLeadSeconds: Int64 = 2 * 3_600

    /// Why DynamoDB cannot store `value` as a number, or `nil` when it can.
    public static func dynamoDBNumberProblem(_ value: Double) -> String? {
        guard value.isFinite else { return "value is not a finite number" }
        let magnitude = value.magnitude
        if magnitude >= dynamoDBExclusiveMaximumMagnitude {
            return "value \(value) is beyond DynamoDB's number range (magnitude at most 9.9999999999999999999999999999999999999E+125)"
        }
        if magnitude != 0 && magnitude < dynamoDBMinimumMagnitude {
            return "value \(value) is below DynamoDB's smallest nonzero magnitude 1E-130"
        }
        return nil
    }

    /// Why CloudWatch refuses `value` as a metric value, or `nil` when it takes it (possibly as 0,
    /// see ``cloudWatchValue(_:)``).
    public static func cloudWatchValueProblem(_ value: Double) -> String? {
        guard value.isFinite else { return "value is not a finite number" }
        if value.magnitude > cloudWatchMaximumMagnitude { return "value \(value) is outside CloudWatch's range -2^360 to 2^360" }
        return nil
    }

    /// Why a sample's value cannot be stored by both services, or `nil`: DynamoDB's rules first.
    public static func valueProblem(_ value: Double) -> String? {
        dynamoDBNumberProblem(value) ?? cloudWatchValueProblem(value)
    }

    /// `value` as DynamoDB stores it: a nonzero magnitude below 1E-130 (only a sum or mean that
    /// cancels to almost nothing can be one, never a checked sample) becomes 0.
    public static func dynamoDBNumber(_ value: Double) -> Double {
        value != 0 && value.magnitude < dynamoDBMinimumMagnitude ? 0 : value
    }

    /// `value` as CloudWatch takes it: nonzero magnitudes below 2^-359 become 0; `nil` when it is
    /// outside ±2^360 or not finite (a statistic set's sum of many large values can be).
    public static func cloudWatchValue(_ value: Double) -> Double? {
        guard value.isFinite, value.magnitude <= cloudWatchMaximumMagnitude else { return nil }
        return value != 0 && value.magnitude < cloudWatchMinimumMagnitude ? 0 : value
    }

    /// Whether CloudWatch takes a data point stamped `timestamp` at `now`: at most two weeks
    /// before and two hours after.
    public static func isPublishable(_ timestamp: Timestamp, now: Timestamp) -> Bool {
        timestamp >= now.adding(seconds: -metricDataMaximumAgeSeconds) && timestamp <= now.adding(seconds: metricDataMaximumLeadSeconds)
    }

    /// Why `bytes` (UTF-8) is not a CloudWatch dimension name, or `nil`. Bytes, not a generic
    /// collection, so that the processor's per-line call stays a plain loop.
    public static func dimensionNameProblem(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.first == UInt8(ascii: ":") { return "starts with a colon" }
        return asciiProblem(bytes, maximum: maximumDimensionNameLength)
    }

    /// Why `bytes` (UTF-8) is not a CloudWatch dimension value, or `nil`.
    public static func dimensionValueProblem(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        asciiProblem(bytes, maximum: maximumDimensionValueLength)
    }

    /// Why `name` is not a CloudWatch dimension name, or `nil`.
    public static func dimensionNameProblem(_ name: String) -> String? {
        var copy = name
        return copy.withUTF8 { dimensionNameProblem($0) }
    }

    /// Why `value` is not a CloudWatch dimension value, or `nil`.
    public static func dimensionValueProblem(_ value: String) -> String? {
        var copy = value
        return copy.withUTF8 { dimensionValueProblem($0) }
    }

    /// Why `name` is not a CloudWatch metric name, or `nil`.
    public static func metricNameProblem(_ name: String) -> String? {
        let length = name.unicodeScalars.count
        if length == 0 { return "is empty" }
        if length > maximumMetricNameLength { return "is longer than \(maximumMetricNameLength) characters" }
        return nil
    }

    /// The shared rules of dimension names and values: 1 to `maximum` ASCII characters, no control
    /// character, at least one that is not a space.
    private static func asciiProblem(_ bytes: UnsafeBufferPointer<UInt8>, maximum: Int) -> String? {
        if bytes.isEmpty { return "is empty" }
        if bytes.count > maximum { return "is longer than \(maximum) characters" }
        var printable = false
        for byte in bytes {
            if byte >= 0x80 { return "has a non-ASCII character (CloudWatch takes ASCII only)" }
            if byte < 0x20 || byte == 0x7F { return "has the control character 0x" + hex(byte) }
            if byte != 0x20 { printable = true }
        }
        return printable ? nil : "is only whitespace"
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
