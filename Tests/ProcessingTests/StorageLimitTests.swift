import InfraMonitorCore
import Processing
import Testing

/// A value at or beside one of the services' limits, and whether a line carrying it is kept.
struct ValueLimitCase: CustomTestStringConvertible, Sendable {
    var name: String
    var value: Double
    var reason: String?
    var testDescription: String { name }
}

private let dynamoDBRange =
    "is beyond DynamoDB's number range (magnitude at most 9.9999999999999999999999999999999999999E+125)"

/// Parsed at run time: the compiler's conversion of such literals rounds twice (through Float80).
private let oneE126 = Double("1e126")!
private let oneE130 = Double("1e-130")!

private let valueCases: [ValueLimitCase] = [
    ValueLimitCase(name: "zero", value: 0, reason: nil),
    ValueLimitCase(name: "negative zero", value: -0.0, reason: nil),
    ValueLimitCase(name: "DynamoDB's smallest magnitude 1E-130", value: oneE130, reason: nil),
    ValueLimitCase(name: "DynamoDB's smallest negative magnitude -1E-130", value: -oneE130, reason: nil),
    ValueLimitCase(
        name: "just below 1E-130",
        value: oneE130.nextDown,
        reason: "value \(oneE130.nextDown) is below DynamoDB's smallest nonzero magnitude 1E-130"
    ),
    ValueLimitCase(
        name: "smallest subnormal",
        value: .leastNonzeroMagnitude,
        reason: "value 5e-324 is below DynamoDB's smallest nonzero magnitude 1E-130"
    ),
    ValueLimitCase(name: "CloudWatch's largest 2^360", value: 0x1p360, reason: nil),
    ValueLimitCase(name: "CloudWatch's smallest -2^360", value: -0x1p360, reason: nil),
    ValueLimitCase(
        name: "just above 2^360",
        value: (0x1p360).nextUp,
        reason: "value \((0x1p360).nextUp) is outside CloudWatch's range -2^360 to 2^360"
    ),
    ValueLimitCase(
        name: "just below -2^360",
        value: (-0x1p360).nextDown,
        reason: "value \((-0x1p360).nextDown) is outside CloudWatch's range -2^360 to 2^360"
    ),
    ValueLimitCase(name: "1e126", value: oneE126, reason: "value 1e+126 " + dynamoDBRange),
    ValueLimitCase(name: "-1e130", value: -1e130, reason: "value -1e+130 " + dynamoDBRange),
]

/// A label set or name at or beside CloudWatch's and DynamoDB's limits.
struct NameLimitCase: CustomTestStringConvertible, Sendable {
    var name: String
    var line: String
    var reason: String?
    var testDescription: String { name }
}

private func labels(_ pairs: [(String, String)]) -> String {
    "{" + pairs.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",") + "}"
}

private let a1024 = String(repeating: "a", count: 1024)
private let nameCases: [NameLimitCase] = [
    NameLimitCase(name: "host of 1024 characters", line: sampleLine(host: "\"\(a1024)\""), reason: nil),
    NameLimitCase(
        name: "host of 1025 characters",
        line: sampleLine(host: "\"\(a1024)a\""),
        reason: "host \"" + String(repeating: "a", count: 100) + "…\" is not a CloudWatch dimension value: is longer than 1024 characters"
    ),
    NameLimitCase(
        name: "non-ASCII host",
        line: sampleLine(host: "\"w\\u00e9b\""),
        reason: "host \"wéb\" is not a CloudWatch dimension value: has a non-ASCII character (CloudWatch takes ASCII only)"
    ),
    NameLimitCase(
        name: "host with a control character",
        line: sampleLine(host: "\"web\\u007f\""),
        reason: "host \"web\u{7F}\" is not a CloudWatch dimension value: has the control character 0x7f"
    ),
    NameLimitCase(
        name: "host of spaces",
        line: sampleLine(host: "\"  \""),
        reason: "host \"  \" is not a CloudWatch dimension value: is only whitespace"
    ),
    NameLimitCase(name: "host with inner spaces", line: sampleLine(host: "\" a b \""), reason: nil),
    NameLimitCase(name: "label value of 1024 characters", line: sampleLine(labels: labels([("k", a1024)])), reason: nil),
    NameLimitCase(
        name: "label value of 1025 characters",
        line: sampleLine(labels: labels([("k", a1024 + "a")])),
        reason: "label \"k\" is not a CloudWatch dimension value: is longer than 1024 characters"
    ),
    NameLimitCase(
        name: "non-ASCII label value",
        line: sampleLine(labels: labels([("zone", "z\\u00fcrich")])),
        reason: "label \"zone\" is not a CloudWatch dimension value: has a non-ASCII character (CloudWatch takes ASCII only)"
    ),
    NameLimitCase(
        name: "tab in a label value",
        line: sampleLine(labels: labels([("k", "a\\tb")])),
        reason: "label \"k\" is not a CloudWatch dimension value: has the control character 0x09"
    ),
    NameLimitCase(name: "label name of 255 characters", line: sampleLine(labels: labels([(String(repeating: "n", count: 255), "v")])), reason: nil),
    NameLimitCase(
        name: "label name of 256 characters",
        line: sampleLine(labels: labels([(String(repeating: "n", count: 256), "v")])),
        reason: "label name \"" + String(repeating: "n", count: 100) + "…\" is not a CloudWatch dimension name: is longer than 255 characters"
    ),
    NameLimitCase(
        name: "label name starting with a colon",
        line: sampleLine(labels: labels([(":k", "v")])),
        reason: "label name \":k\" is not a CloudWatch dimension name: starts with a colon"
    ),
    NameLimitCase(name: "label name with a colon inside", line: sampleLine(labels: labels([("k:1", "v")])), reason: nil),
    NameLimitCase(
        name: "empty label name",
        line: sampleLine(labels: labels([("", "v")])),
        reason: "label name \"\" is not a CloudWatch dimension name: is empty"
    ),
    NameLimitCase(
        name: "a label named host",
        line: sampleLine(labels: labels([("host", "web-2")])),
        reason: "label \"host\" repeats the host dimension"
    ),
    NameLimitCase(name: "29 labels", line: sampleLine(labels: labels((1...29).map { ("k\($0)", "v") })), reason: nil),
    NameLimitCase(
        name: "30 labels",
        line: sampleLine(labels: labels((1...30).map { ("k\($0)", "v") })),
        reason: "more than 29 labels (CloudWatch takes 30 dimensions, host included)"
    ),
    NameLimitCase(
        name: "metric name of 255 characters",
        line: sampleLine(metric: "\"" + String(repeating: "\\u00e9", count: 255) + "\""),
        reason: nil
    ),
    NameLimitCase(
        name: "metric name of 256 characters",
        line: sampleLine(metric: "\"" + String(repeating: "m", count: 256) + "\""),
        reason: "metric name is longer than 255 characters"
    ),
    // cpu_utilization#<host>#<name>=<value>: 15 + 1 + 1000 + 1 + 8 + 1 + 1022 = 2048 bytes.
    NameLimitCase(
        name: "metric_id of 2048 bytes",
        line: sampleLine(
            host: "\"" + String(repeating: "h", count: 1000) + "\"",
            labels: labels([("name5678", String(repeating: "v", count: 1022))])
        ),
        reason: nil
    ),
    NameLimitCase(
        name: "metric_id of 2049 bytes",
        line: sampleLine(
            host: "\"" + String(repeating: "h", count: 1000) + "\"",
            labels: labels([("name5678", String(repeating: "v", count: 1023))])
        ),
        reason: "metric_id is longer than 2048 bytes (DynamoDB's partition key limit)"
    ),
    NameLimitCase(name: "unit of 1024 bytes", line: sampleLine(unit: "\"\(a1024)\""), reason: nil),
    NameLimitCase(name: "unit of 1025 bytes", line: sampleLine(unit: "\"\(a1024)a\""), reason: "unit is longer than 1024 bytes"),
]

@Suite("Values and labels the services accept (docs/design.md)")
struct StorageLimitTests {
    @Test(arguments: valueCases)
    func valueAtItsLimit(_ limit: ValueLimitCase) throws {
        let run = try runProcessor(sampleLine(value: String(limit.value)) + "\n")
        #expect(run.invalid.map(\.reason) == (limit.reason.map { [$0] } ?? []))
        #expect(run.summary.records.count == (limit.reason == nil ? 1 : 0))
        #expect(StorageLimits.valueProblem(limit.value) == limit.reason)
    }

    @Test(arguments: nameCases)
    func namesAtTheirLimits(_ limit: NameLimitCase) throws {
        let run = try runProcessor(limit.line + "\n")
        #expect(run.invalid.map(\.reason) == (limit.reason.map { [$0] } ?? []))
        #expect(run.summary.validSamples == (limit.reason == nil ? 1 : 0))
    }

    @Test("DynamoDB's largest magnitude: the double below 1e126 is stored, 1e126 is not")
    func dynamoDBLargest() {
        #expect(StorageLimits.dynamoDBNumberProblem(oneE126.nextDown) == nil)
        #expect(StorageLimits.dynamoDBNumberProblem(-oneE126.nextDown) == nil)
        #expect(oneE126.nextDown.description.hasPrefix("9.99999999999999"))
        #expect(oneE126.description == "1e+126")
        #expect(StorageLimits.dynamoDBNumberProblem(oneE126) != nil)
    }

    @Test("aggregates: tiny sums store as 0; CloudWatch gets 0 below 2^-359 and nothing beyond 2^360")
    func aggregates() {
        #expect(StorageLimits.dynamoDBNumber(oneE130.nextDown) == 0)
        #expect(StorageLimits.dynamoDBNumber(oneE130) == oneE130)
        #expect(StorageLimits.cloudWatchValue(0x1p-359) == 0x1p-359)
        #expect(StorageLimits.cloudWatchValue((0x1p-359).nextDown) == 0)
        #expect(StorageLimits.cloudWatchValue(-1e-120) == 0)
        #expect(StorageLimits.cloudWatchValue(0x1p360) == 0x1p360)
        #expect(StorageLimits.cloudWatchValue((0x1p360).nextUp) == nil)
        #expect(StorageLimits.cloudWatchValue(.nan) == nil)
    }

    @Test("PutMetricData's window: two weeks back, two hours ahead")
    func publishingWindow() {
        let now = Timestamp(seconds: 1_795_629_600)
        #expect(StorageLimits.isPublishable(now.adding(seconds: -14 * 86_400), now: now))
        #expect(!StorageLimits.isPublishable(Timestamp(seconds: now.seconds - 14 * 86_400 - 1, nanoseconds: 999_999_999), now: now))
        #expect(StorageLimits.isPublishable(now.adding(seconds: 7_200), now: now))
        #expect(!StorageLimits.isPublishable(Timestamp(seconds: now.seconds + 7_200, nanoseconds: 1), now: now))
    }

    @Test("one bad line never fails the batch: the others land, each bad one is reported with its number")
    func mixedBatch() throws {
        let lines = [
            sampleLine(),
            sampleLine(host: "\"web-2\"", value: "1e130"),
            sampleLine(host: "\"web-3\"", labels: labels([("zone", "z\\u00fcrich")])),
            sampleLine(host: "\"web-4\""),
        ]
        let run = try runProcessor(lines.joined(separator: "\n") + "\n")
        #expect(run.invalid.map(\.lineNumber) == [2, 3])
        #expect(run.summary.records.map(\.host) == ["web-1", "web-4"])
    }
}
