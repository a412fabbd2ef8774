import Foundation
import InfraMonitorCore
import Processing
import Testing

/// One line and what docs/design.md, "Raw batches" says about it: valid (`reason == nil`) or invalid with `reason`.
struct EdgeCase: CustomTestStringConvertible, Sendable {
    var name: String
    var line: String
    var reason: String?

    var testDescription: String { name }

    static func valid(_ name: String, _ line: String) -> EdgeCase { EdgeCase(name: name, line: line, reason: nil) }
    static func invalid(_ name: String, _ line: String, _ reason: String) -> EdgeCase { EdgeCase(name: name, line: line, reason: reason) }
}

private let edgeCases: [EdgeCase] = [
    // Lines and JSON
    .valid("a plain sample", sampleLine()),
    .invalid("a word that starts like null", "not json", "not valid JSON: unexpected byte 0x6f at column 2"),
    .valid("trailing carriage return is whitespace", sampleLine() + "\r"),
    .valid("surrounding whitespace", " \t" + sampleLine() + " \t\r"),
    .invalid("not JSON", "hello", "not valid JSON: unexpected byte 0x68 at column 1"),
    .invalid("NaN is not JSON", sampleLine(value: "NaN"), "not valid JSON: unexpected byte 0x4e at column 91"),
    .invalid("Infinity is not JSON", sampleLine(value: "-Infinity"), "not valid JSON: unexpected byte 0x49 at column 92"),
    .invalid("byte order mark", "\u{FEFF}" + sampleLine(), "not valid JSON: byte order mark"),
    .invalid("top-level array", "[1,2]", "not a JSON object"),
    .invalid("top-level string", "\"metric\"", "not a JSON object"),
    .invalid("top-level null", "null", "not a JSON object"),
    .invalid("trailing data", sampleLine() + " x", "not valid JSON: unexpected byte 0x78 at column 114"),
    .invalid("two objects", sampleLine() + sampleLine(), "not valid JSON: unexpected byte 0x7b at column 113"),
    .invalid("unterminated object", "{\"metric\":\"m\"", "not valid JSON: unexpected end of line"),
    .invalid("unterminated string", "{\"metric\":\"m", "not valid JSON: unexpected end of line"),
    .invalid("trailing comma", "{\"metric\":\"m\",}", "not valid JSON: unexpected byte 0x7d at column 15"),
    .invalid("single quotes", "{'metric':'m'}", "not valid JSON: unexpected byte 0x27 at column 2"),
    .invalid("unquoted key", "{metric:1}", "not valid JSON: unexpected byte 0x6d at column 2"),
    .invalid("empty object has no metric", "{}", "missing field \"metric\""),
    .invalid("lone high surrogate", sampleLine(host: "\"\\ud800\""), "not valid JSON: lone surrogate escape at column 37"),
    .invalid("lone low surrogate", sampleLine(extra: "\"x\":\"\\udc00\""), "not valid JSON: lone surrogate escape at column 118"),
    .invalid("high surrogate then non-surrogate", sampleLine(host: "\"\\ud800\\u0041\""), "not valid JSON: lone surrogate escape at column 37"),
    .valid("surrogate pair", sampleLine(extra: "\"x\":\"\\ud83d\\ude00\"")),
    .invalid("invalid escape", sampleLine(host: "\"a\\x\""), "not valid JSON: invalid escape at column 38"),
    .invalid("short unicode escape", sampleLine(host: "\"\\u12\""), "not valid JSON: invalid escape at column 37"),
    .invalid("raw tab in a string", sampleLine(host: "\"a\tb\""), "not valid JSON: control character 0x09 in string at column 38"),
    .invalid(
        "invalid UTF-8",
        sampleLine(host: "\"a\u{FFFD}\"").replacingOccurrences(of: "\u{FFFD}", with: "\u{01}"),
        "not valid JSON: control character 0x01 in string at column 38"
    ),
    .valid("escaped key names a field", "{\"\\u006detric\":\"cpu\",\"host\":\"h\",\"timestamp\":\"2026-11-25T18:00:00Z\",\"value\":1,\"unit\":\"\"}"),
    .valid("duplicate keys: the last wins", sampleLine(metric: "5", extra: "\"metric\":\"cpu\"")),
    .invalid("duplicate keys: the last loses", sampleLine(extra: "\"metric\":5"), "field \"metric\" is not a string"),
    .valid("unknown keys are ignored", sampleLine(extra: "\"x\":{\"a\":[1,2.5e-3,true,false,null,{\"b\":\"c\"}],\"d\":[]}")),
    .invalid("unknown keys must be valid JSON", sampleLine(extra: "\"x\":[1,]"), "not valid JSON: unexpected byte 0x5d at column 120"),
    .invalid("unknown number with leading zero", sampleLine(extra: "\"x\":01"), "not valid JSON: unexpected byte 0x31 at column 118"),
    .invalid(
        "too deep",
        sampleLine(extra: "\"x\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600)),
        "not valid JSON: nested deeper than 512 levels at column 628"
    ),
    // metric and host
    .invalid("missing metric", sampleLine(metric: nil), "missing field \"metric\""),
    .invalid("missing host", sampleLine(host: nil), "missing field \"host\""),
    .invalid("empty metric", sampleLine(metric: "\"\""), "field \"metric\" is empty"),
    .invalid("empty host", sampleLine(host: "\"\""), "field \"host\" is empty"),
    .invalid("host is a number", sampleLine(host: "1"), "field \"host\" is not a string"),
    .invalid("metric is null", sampleLine(metric: "null"), "field \"metric\" is not a string"),
    // value
    .valid("integer value", sampleLine(value: "42")),
    .valid("negative zero", sampleLine(value: "-0")),
    .valid("exponent", sampleLine(value: "1E+2")),
    .valid("big integer becomes a double", sampleLine(value: "123456789012345678901234567890")),
    .invalid(
        "largest finite double",
        sampleLine(value: "1.7976931348623157e308"),
        "value 1.7976931348623157e+308 is beyond DynamoDB's number range (magnitude at most 9.9999999999999999999999999999999999999E+125)"
    ),
    .invalid("1e999 is not finite", sampleLine(value: "1e999"), "value is not a finite number"),
    .invalid("-1e999 is not finite", sampleLine(value: "-1e999"), "value is not a finite number"),
    .invalid("integer too big for a double", sampleLine(value: String(repeating: "9", count: 400)), "value is not a finite number"),
    .invalid("value true", sampleLine(value: "true"), "field \"value\" is not a number"),
    .invalid("value false", sampleLine(value: "false"), "field \"value\" is not a number"),
    .invalid("value is a string", sampleLine(value: "\"41.7\""), "field \"value\" is not a number"),
    .invalid("value null", sampleLine(value: "null"), "field \"value\" is not a number"),
    .invalid("missing value", sampleLine(value: nil), "missing field \"value\""),
    .invalid("value with a plus sign", sampleLine(value: "+1"), "not valid JSON: unexpected byte 0x2b at column 91"),
    .invalid("value ending in a dot", sampleLine(value: "1."), "not valid JSON: unexpected byte 0x2c at column 93"),
    // unit
    .valid("empty unit", sampleLine(unit: "\"\"")),
    .invalid("missing unit", sampleLine(unit: nil), "missing field \"unit\""),
    .invalid("unit null", sampleLine(unit: "null"), "field \"unit\" is not a string"),
    // labels
    .valid("labels absent", sampleLine()),
    .valid("empty labels", sampleLine(labels: "{}")),
    .valid("string labels", sampleLine(labels: "{\"mountpoint\":\"/\",\"a\":\"b\"}")),
    .invalid(
        "empty label value",
        sampleLine(labels: "{\"mountpoint\":\"/\",\"a\":\"\"}"),
        "label \"a\" is not a CloudWatch dimension value: is empty"
    ),
    .invalid("labels null", sampleLine(labels: "null"), "field \"labels\" is not an object"),
    .invalid("labels array", sampleLine(labels: "[]"), "field \"labels\" is not an object"),
    .invalid("label value number", sampleLine(labels: "{\"device\":1}"), "label \"device\" is not a string"),
    .invalid("label value null", sampleLine(labels: "{\"device\":null}"), "label \"device\" is not a string"),
    .valid("duplicate label: the last wins", sampleLine(labels: "{\"device\":1,\"device\":\"eth0\"}")),
    // timestamp
    .invalid("missing timestamp", sampleLine(timestamp: nil), "missing field \"timestamp\""),
    .invalid("timestamp number", sampleLine(timestamp: "1764093600"), "field \"timestamp\" is not a string"),
    .valid("lower-case t and z", sampleLine(timestamp: "\"2026-11-25t18:00:00z\"")),
    .valid("offset", sampleLine(timestamp: "\"2026-11-25T18:00:00+05:30\"")),
    .valid("negative offset", sampleLine(timestamp: "\"2026-11-25T18:00:00-23:59\"")),
    .valid("Feb 29 in a leap year", sampleLine(timestamp: "\"2024-02-29T00:00:00Z\"")),
    .valid("Feb 29 in 2000", sampleLine(timestamp: "\"2000-02-29T00:00:00Z\"")),
    .valid("first instant", sampleLine(timestamp: "\"0001-01-01T00:00:00Z\"")),
    .valid("last instant", sampleLine(timestamp: "\"9999-12-31T23:59:59.999999999Z\"")),
    .valid("escaped timestamp", sampleLine(timestamp: "\"2026-11-25T18:00:00\\u005A\"")),
    .invalid("Feb 29 in a non-leap year", sampleLine(timestamp: "\"2026-02-29T00:00:00Z\""), "bad timestamp \"2026-02-29T00:00:00Z\""),
    .invalid("Feb 29 in 1900", sampleLine(timestamp: "\"1900-02-29T00:00:00Z\""), "bad timestamp \"1900-02-29T00:00:00Z\""),
    .invalid("Feb 30", sampleLine(timestamp: "\"2026-02-30T00:00:00Z\""), "bad timestamp \"2026-02-30T00:00:00Z\""),
    .invalid("leap second", sampleLine(timestamp: "\"2016-12-31T23:59:60Z\""), "bad timestamp \"2016-12-31T23:59:60Z\""),
    .invalid("hour 24", sampleLine(timestamp: "\"2026-11-25T24:00:00Z\""), "bad timestamp \"2026-11-25T24:00:00Z\""),
    .invalid("minute 60", sampleLine(timestamp: "\"2026-11-25T18:60:00Z\""), "bad timestamp \"2026-11-25T18:60:00Z\""),
    .invalid("month 13", sampleLine(timestamp: "\"2026-13-01T00:00:00Z\""), "bad timestamp \"2026-13-01T00:00:00Z\""),
    .invalid("day 0", sampleLine(timestamp: "\"2026-11-00T00:00:00Z\""), "bad timestamp \"2026-11-00T00:00:00Z\""),
    .invalid("no zone", sampleLine(timestamp: "\"2026-11-25T18:00:00\""), "bad timestamp \"2026-11-25T18:00:00\""),
    .invalid("space separator", sampleLine(timestamp: "\"2026-11-25 18:00:00Z\""), "bad timestamp \"2026-11-25 18:00:00Z\""),
    .invalid(
        "10 fractional digits",
        sampleLine(timestamp: "\"2026-11-25T18:00:00.1234567890Z\""),
        "bad timestamp \"2026-11-25T18:00:00.1234567890Z\""
    ),
    .invalid("dot without digits", sampleLine(timestamp: "\"2026-11-25T18:00:00.Z\""), "bad timestamp \"2026-11-25T18:00:00.Z\""),
    .invalid("offset hour 24", sampleLine(timestamp: "\"2026-11-25T18:00:00+24:00\""), "bad timestamp \"2026-11-25T18:00:00+24:00\""),
    .invalid("offset minute 60", sampleLine(timestamp: "\"2026-11-25T18:00:00+01:60\""), "bad timestamp \"2026-11-25T18:00:00+01:60\""),
    .invalid("offset without colon", sampleLine(timestamp: "\"2026-11-25T18:00:00+0100\""), "bad timestamp \"2026-11-25T18:00:00+0100\""),
    .invalid("before year 0001 in UTC", sampleLine(timestamp: "\"0001-01-01T00:00:00+00:01\""), "bad timestamp \"0001-01-01T00:00:00+00:01\""),
    .invalid("after year 9999 in UTC", sampleLine(timestamp: "\"9999-12-31T23:59:59-00:01\""), "bad timestamp \"9999-12-31T23:59:59-00:01\""),
    .invalid("year 0000", sampleLine(timestamp: "\"0000-12-31T00:00:00Z\""), "bad timestamp \"0000-12-31T00:00:00Z\""),
    .invalid("empty timestamp", sampleLine(timestamp: "\"\""), "bad timestamp \"\""),
]

@Suite("Edge rules of docs/design.md, Raw batches")
struct EdgeRuleTests {
    @Test(arguments: edgeCases)
    func edgeRule(_ edge: EdgeCase) throws {
        let run = try runProcessor(edge.line + "\n")
        #expect(run.summary.lines == 1)
        if let reason = edge.reason {
            #expect(run.invalid.map(\.reason) == [reason])
            #expect(run.summary.invalidLines == 1 && run.summary.validSamples == 0 && run.summary.records.isEmpty)
            #expect(run.invalid.first?.lineNumber == 1)
        } else {
            #expect(run.invalid.map(\.reason) == [])
            #expect(run.summary.validSamples == 1 && run.samples.count == 1 && run.summary.records.count == 1)
        }
    }

    @Test("0 to 9 fractional digits are nanoseconds", arguments: 0...9)
    func fractionalDigits(digits: Int) throws {
        let fraction = digits == 0 ? "" : "." + String("123456789".prefix(digits))
        let run = try runProcessor(sampleLine(timestamp: "\"2026-11-25T18:00:00\(fraction)Z\"") + "\n")
        let expected = digits == 0 ? 0 : Int32(String("123456789".prefix(digits)) + String(repeating: "0", count: 9 - digits))!
        #expect(run.samples.map(\.timestamp) == [Timestamp(seconds: 1_795_629_600, nanoseconds: expected)])
        #expect(run.summary.records.first?.timestampText == "2026-11-25T18:00:00.\(String(format3(expected / 1_000_000)))Z")
    }

    @Test("offsets shift to UTC", arguments: [("+05:30", -19_800), ("-08:00", 28_800), ("+00:00", 0), ("-00:30", 1_800), ("+23:59", -86_340)])
    func offsets(offset: String, shift: Int64) throws {
        let run = try runProcessor(sampleLine(timestamp: "\"2026-11-25T18:00:00\(offset)\"") + "\n")
        #expect(run.samples.first?.timestamp == Timestamp(seconds: 1_795_629_600 + shift))
    }

    @Test("blank lines are neither counted nor invalid")
    func blankLines() throws {
        let run = try runProcessor("\n   \n\t\r\n\r\n" + sampleLine() + "\n\n \n")
        #expect(run.summary.lines == 1)
        #expect(run.summary.invalidLines == 0)
        #expect(run.summary.validSamples == 1)
        #expect(try runProcessor("").summary.lines == 0)
        #expect(try runProcessor("\n\n").summary.lines == 0)
    }

    @Test("CRLF lines")
    func crlf() throws {
        let lines = [sampleLine(), "oops", sampleLine(host: "\"web-2\"")]
        let run = try runProcessor(lines.joined(separator: "\r\n") + "\r\n")
        #expect(run.summary.lines == 3 && run.summary.validSamples == 2)
        #expect(run.invalid == [InvalidLine(lineNumber: 2, reason: "not valid JSON: unexpected byte 0x6f at column 1", text: "oops\r")])
        #expect(run.samples.map(\.host) == ["web-1", "web-2"])
    }

    @Test("line numbers count blank lines; the last line may lack its newline")
    func lineNumbers() throws {
        let run = try runProcessor("\n" + sampleLine() + "\n\nbad one\n" + sampleLine(host: "1"))
        #expect(run.invalid.map(\.lineNumber) == [4, 5])
        #expect(run.summary.lines == 3)
    }

    @Test("invalid UTF-8 is reported and quarantined lossily")
    func invalidUTF8() throws {
        var bytes = Array(sampleLine(host: "\"web-X\"").utf8)
        let index = bytes.firstIndex(of: UInt8(ascii: "X"))!
        bytes[index] = 0xC3
        let run = try runProcessor(bytes + [0x0A])
        #expect(run.invalid.map(\.reason) == ["not valid UTF-8 at column \(index + 1)"])
        #expect(run.invalid.first?.text.contains("web-\u{FFFD}") == true)
        // Overlong encoding and an encoded surrogate are invalid UTF-8 too.
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80]] {
            var line = Array(sampleLine(host: "\"web-X\"").utf8)
            line.replaceSubrange(index...index, with: bad)
            #expect(try runProcessor(line).invalid.map(\.reason) == ["not valid UTF-8 at column \(index + 1)"])
        }
    }

    @Test("the quarantine line is JSON with the line number, reason and text")
    func quarantineLine() throws {
        let line = InvalidLine(lineNumber: 7, reason: "missing field \"host\"", text: "{\"metric\":\"m\"}\r")
        #expect(line.quarantineJSONLine == #"{"line":7,"reason":"missing field \"host\"","text":"{\"metric\":\"m\"}\r"}"#)
    }

    @Test("overlong lines are invalid without being parsed")
    func overlongLine() throws {
        let long = sampleLine(extra: "\"pad\":\"" + String(repeating: "x", count: BatchProcessor.maximumLineLength) + "\"")
        let run = try runProcessor(sampleLine() + "\n" + long + "\n" + sampleLine() + "\n")
        #expect(run.invalid.map(\.reason) == ["line longer than \(BatchProcessor.maximumLineLength) bytes"])
        #expect(run.invalid.map(\.lineNumber) == [2])
        #expect(run.summary.validSamples == 2)
    }

    @Test("samples carry the parsed fields")
    func sampleFields() throws {
        let run = try runProcessor(
            sampleLine(host: "\"caf\\u0065\"", value: "-1.5e-3", unit: "\"B\\/s\"", labels: "{\"b\":\"2\",\"a\":\"1\",\"b\":\"3\"}") + "\n"
        )
        #expect(
            run.samples == [
                Sample(
                    metric: "cpu_utilization",
                    host: "cafe",
                    timestamp: Timestamp(seconds: 1_795_629_600, nanoseconds: 123_000_000),
                    value: -0.0015,
                    unit: "B/s",
                    labels: ["a": "1", "b": "3"]
                )
            ]
        )
    }
}

private func format3(_ value: Int32) -> String {
    let text = String(value)
    return String(repeating: "0", count: 3 - text.count) + text
}
