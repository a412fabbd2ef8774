import Foundation
import TestSupport
import Testing

@testable import Collectors

/// The malformed cases of `exposition_malformed.txt`: format, expected line, description, page.
private func malformedCases() throws -> [(ExpositionFormat, Int, String, [UInt8])] {
    let data = try Fixtures.data("exposition_malformed.txt")
    var cases: [(ExpositionFormat, Int, String, [UInt8])] = []
    for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
        if line.starts(with: Array("---".utf8)) {
            let words = String(decoding: line, as: UTF8.self).split(separator: " ", maxSplits: 3)
            let format: ExpositionFormat = words[1] == "openmetrics" ? .openMetrics : .prometheusText
            cases.append((format, Int(words[2])!, String(words[3]), []))
        } else if !cases.isEmpty {
            cases[cases.count - 1].3 += Array(line) + [0x0A]
        }
    }
    return cases
}

@Suite("the exposition parser: text format 0.0.4 and OpenMetrics 1.0")
struct ExpositionParserTests {
    @Test("text format: metadata, escapes, special values, timestamps, histograms and summaries")
    func textFormat() throws {
        let page = try ExpositionParser.parse(Array(try Fixtures.data("exposition_text.prom")), format: .prometheusText)
        let samples = page.samples
        #expect(samples.count == 25)
        #expect(
            samples[0]
                == PrometheusSample(
                    name: "http_requests_total",
                    labels: ["method": "post", "code": "200"],
                    value: 1027,
                    timestampMilliseconds: 1_395_066_363_000
                )
        )
        #expect(samples[1].value == 3 && samples[1].timestampMilliseconds == 1_395_066_363_000)
        #expect(samples[2].labels == ["method": "get", "code": "200"] && samples[2].value == 300 && samples[2].timestampMilliseconds == nil)
        #expect(
            page.family(at: 0)
                == MetricFamily(
                    name: "http_requests_total",
                    type: .counter,
                    help: "The total number of HTTP requests.\nSecond line with a \\ backslash."
                )
        )
        #expect(samples[3].labels == ["path": "C:\\DIR\\", "quote": "say \"hi\"", "nl": "a\nb", "unknown": "\\d\\t", "utf8": "größe"])
        #expect(page.family(at: 3).type == .gauge)
        #expect(samples[4].value.isNaN)
        #expect(samples[5].value == .infinity && samples[6].value == -.infinity && samples[7].value == .infinity)
        #expect(samples[8].value == 0 && samples[8].value.sign == .minus)
        #expect(samples[9].value == 1.5e-300)
        #expect(samples[10].value == 123456789012345678901234567890.0)
        #expect(samples[11].value == -9223372036854775808.0)
        #expect(page.family(at: 11).type == .untyped)
        #expect(samples[12].name == "metric_without_timestamp_and_labels" && samples[12].labels.isEmpty && page.family(at: 12).type == .untyped)
        #expect(samples[13].timestampMilliseconds == -1000)
        #expect(samples[14].labels == ["le": "0.05"] && page.family(at: 14).name == "http_request_duration_seconds")
        #expect((14...18).allSatisfy { page.family(at: $0).type == .histogram })
        #expect((19...22).allSatisfy { page.family(at: $0).type == .summary && page.family(at: $0).name == "rpc_duration_seconds" })
        #expect(samples[23].name == "windows_line_ending" && samples[23].value == 2)
        #expect(samples[24].name == "windows_line_ending_crlf" && samples[24].value == 3)
    }

    @Test("OpenMetrics: UNIT, counters with _total and _created, seconds timestamps, exemplars, info, stateset, EOF")
    func openMetrics() throws {
        let page = try ExpositionParser.parse(Array(try Fixtures.data("exposition_openmetrics.txt")), format: .openMetrics)
        #expect(page.count == 18)
        let names = page.families.map(\.name)
        #expect(names == ["acme_http_router_request_seconds", "go_goroutines", "process_cpu_seconds", "foo", "build", "state", "mystery"])
        #expect(
            page.families[0]
                == MetricFamily(
                    name: "acme_http_router_request_seconds",
                    type: .summary,
                    help: "Latency though all of ACME's HTTP request router.",
                    unit: "seconds"
                )
        )
        #expect(page.timestampMilliseconds(at: 3) == 1_520_879_607_789)
        #expect(
            page.family(at: 4).type == .counter && page.name(at: 4) == "process_cpu_seconds_total" && page.family(at: 5).name == "process_cpu_seconds"
        )
        #expect(page.value(at: 4) == 4.20072246e+06)
        #expect(page.exemplar(at: 8) == Exemplar(labels: ["trace_id": "KOO5S4vxi0o"], value: 0.67))
        #expect(page.exemplar(at: 9) == Exemplar(labels: ["trace_id": "oHg5SJYRHA0"], value: 9.8, timestampMilliseconds: 1_520_879_607_789))
        #expect(page.exemplar(at: 10) == nil && page.labels(at: 10) == ["le": "+Inf"])
        #expect((6...13).allSatisfy { page.family(at: $0).name == "foo" && page.family(at: $0).type == .histogram })
        #expect(page.family(at: 14).type == .info && page.labels(at: 14)["help"] == "quote \" backslash \\ newline \n")
        #expect(page.family(at: 15).type == .stateset && page.family(at: 17).type == .unknown && page.value(at: 17).isNaN)
    }

    @Test("every malformed page of the fixture is an error naming its line")
    func malformed() throws {
        let cases = try malformedCases()
        #expect(cases.count == 32)
        for (format, line, what, bytes) in cases {
            do {
                let page = try ExpositionParser.parse(bytes, format: format)
                Issue.record("\(what): parsed \(page.count) samples instead of failing")
            } catch {
                #expect(error.line == line, "\(what): \(error)")
            }
        }
    }

    @Test("skipping bad lines keeps the good ones")
    func skipLines() throws {
        let text = "good 1\nbroken{a=\"1\" 2\nbad{a=\"1\",a=\"2\"} 3\nalso_good{b=\"2\"} 4\n"
        let page = try ExpositionParser.parse(text, recovery: .skipLine)
        #expect(page.samples == [PrometheusSample(name: "good", value: 1), PrometheusSample(name: "also_good", labels: ["b": "2"], value: 4)])
        #expect(throws: ExpositionError.malformed(line: 2, column: 14, detail: "expected \",\" or \"}\" after a label value")) {
            try ExpositionParser.parse(text)
        }
    }

    @Test("a real node_exporter page and the widened 100 KB page parse completely, in both formats")
    func nodeExporterPages() throws {
        for fixture in ["node_exporter_full.prom", "node_exporter_100k.prom", "node_exporter_1.prom"] {
            let text = try Fixtures.text(fixture)
            let page = try ExpositionParser.parse(text)
            let sampleLines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
            #expect(page.count == sampleLines.count, "\(fixture)")
            #expect(page.families.count == text.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }.count)
            // The same page as OpenMetrics (node_exporter names counters with _total, so types become unknown).
            let asOpenMetrics = text.split(separator: "\n").filter { !$0.hasPrefix("# TYPE") }.joined(separator: "\n") + "\n# EOF\n"
            let open = try ExpositionParser.parse(asOpenMetrics, format: .openMetrics)
            #expect(open.samples == page.samples)
        }
    }

    @Test("very long lines and values parse; empty and comment-only pages are empty")
    func longLines() throws {
        let long = String(repeating: "v", count: 1_000_000)
        let name = "n" + String(repeating: "_x", count: 100_000)
        let page = try ExpositionParser.parse("\(name){a=\"\(long)\",b=\"\\\\\(long)\"} 1e3\n")
        #expect(page.count == 1 && page.labels(at: 0)["a"]?.count == 1_000_000 && page.labels(at: 0)["b"]?.count == 1_000_001)
        #expect(page.name(at: 0) == name && page.value(at: 0) == 1000)
        #expect(try ExpositionParser.parse("").count == 0)
        #expect(try ExpositionParser.parse("# only\n\n   \n").count == 0)
        #expect(try ExpositionParser.parse("# EOF", format: .openMetrics).count == 0)
        #expect(throws: ExpositionError.missingEOF(line: 1)) { try ExpositionParser.parse("", format: .openMetrics) }
    }

    @Test("floats: the fast path agrees with the standard library on many decimal forms")
    func floats() {
        let texts = [
            "0", "1", "-1", "0.1", "1e-05", "1.7747e-05", "3.5e+10", "123456789", "9007199254740993", "0.000001", "1E3", ".5", "5.",
            "4.20072246e+06", "1e22", "1e23", "1e-22", "1e-23", "179769313486231570000000000000000000000", "2.2250738585072014e-308",
            "12345678901234567890123", "0.30000000000000004", "1.000000000000000000001",
        ]
        for text in texts {
            #expect(ExpositionParser.parseFloat(text) == Double(text), "\(text)")
        }
        for invalid in ["", "+", "-", ".", "e5", "1e", "1e+", "0x10", "1_0", "1.2.3", "--1", "Infx", "+NaN", "1 "] {
            #expect(ExpositionParser.parseFloat(invalid) == nil, "\(invalid)")
        }
        #expect(ExpositionParser.parseFloat("-Infinity") == -.infinity && ExpositionParser.parseFloat("nan")?.isNaN == true)
    }

    @Test("the content type chooses the format")
    func contentType() {
        #expect(ExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionFormat(contentType: "text/plain; version=0.0.4") == .prometheusText)
        #expect(ExpositionFormat(contentType: nil) == .prometheusText)
    }

    @Test("inputs the fuzzer found slow in an earlier version parse in linear time")
    func fuzzRegressions() throws {
        for name in ["fuzz_timeout_1.bin", "fuzz_slow_1.bin"] {
            let data = Array(try Fixtures.data(name))
            let format: ExpositionFormat = data[0] & 1 == 0 ? .prometheusText : .openMetrics
            let start = ContinuousClock.now
            _ = try? ExpositionParser.parse(Array(data.dropFirst()), format: format, recovery: .skipLine)
            _ = try? ExpositionParser.parse(Array(data.dropFirst()), format: format)
            #expect(ContinuousClock.now - start < .seconds(2), "\(name)")
        }
    }
}
