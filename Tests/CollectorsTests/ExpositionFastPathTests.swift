import Foundation
import TestSupport
import Testing

@testable @_spi(Testing) import Collectors

/// A deterministic generator (SplitMix64), so that every run checks the same values.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Whether the parser reads `text` as the same bits as `Double(String)` (NaN as NaN).
private func sameAsStandardLibrary(_ text: String) -> Bool {
    guard let expected = Double(text) else { return ExpositionParser.parseFloat(text) == nil }
    guard let parsed = ExpositionParser.parseFloat(text) else { return false }
    return expected.isNaN ? parsed.isNaN : parsed.bitPattern == expected.bitPattern
}

@Suite("the exposition parser's fast paths: floats, word-at-a-time scans and comparisons, presized storage")
struct ExpositionFastPathTests {
    @Test("plain decimals, exponents, many digits and signed zeros are bit-exact with Double(String)")
    func decimalEdgeCases() {
        let texts = [
            "0", "-0", "+0", "0.0", "-0.0", "-0e10", "0e999999", "-0e-999999", "000000000000000000000000000001", "007",
            "1", "12", "123456789012345", "1234567890123456", "9007199254740991", "9007199254740992", "9007199254740993",
            "18446744073709551615", "18446744073709551616", "99999999999999999999", "3.141592653589793238462643383279",
            "0.1", "0.2", "0.3", ".1", "1.", "-.5e1", "1e0", "1e+0005", "1E-5", "1e22", "1e23", "7e22", "123e25", "9e37",
            "123456789012345e23", "9007199254740993e22", "9007199254740992e15", "1e-22", "1e-23", "4.9e-324", "5e-324",
            "2.4703282292062327e-324", "2.4703282292062328e-324", "2.2250738585072011e-308", "2.2250738585072014e-308",
            "1.7976931348623157e308", "1.7976931348623158e308", "1e308", "1e-400", "-1e-400", "0.000000000000000000000000000001",
            "100000000000000000000000", "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
            "4.20072246e+06", "1.445497e+06", "7.84588e+06", "2.5e-05", "0.000104", "1.7e+09", "-123.456e-7",
        ]
        for text in texts {
            #expect(sameAsStandardLibrary(text), "\(text)")
        }
    }

    @Test("random doubles written shortest, with 17 digits, in %e and %f forms read back bit-exactly")
    func randomDoubles() {
        var generator = SplitMix(state: 0x1F2E_3D4C_5B6A_7988)
        var checked = 0
        for round in 0..<20_000 {
            let value: Double
            switch round % 4 {
            case 0: value = Double(bitPattern: generator.next())
            case 1: value = Double(generator.next() % 1_000_000_000) / Double([1, 10, 100, 1000, 1_000_000][Int(generator.next() % 5)])
            case 2: value = Double.random(in: -1e6...1e6, using: &generator)
            default: value = Double(generator.next() >> UInt64(generator.next() % 64))
            }
            guard value.isFinite else { continue }
            for text in [
                "\(value)", String(format: "%.17g", value), String(format: "%.6e", value), String(format: "%.3f", value),
                String(format: "%.15g", value),
            ] {
                #expect(sameAsStandardLibrary(text), "\(text)")
                checked += 1
            }
        }
        #expect(checked > 50_000)
    }

    @Test("NaN and infinities as Go's ParseFloat; hex, binary exponents, _ and other forms refused as Prometheus refuses them")
    func specialsAndRefusals() {
        for text in ["NaN", "nan", "NAN", "nAn"] {
            #expect(ExpositionParser.parseFloat(text)?.isNaN == true, "\(text)")
        }
        for text in ["+Inf", "inf", "INF", "Infinity", "+infinity", "iNfInItY"] {
            #expect(ExpositionParser.parseFloat(text) == .infinity, "\(text)")
        }
        for text in ["-Inf", "-inf", "-Infinity"] {
            #expect(ExpositionParser.parseFloat(text) == -.infinity, "\(text)")
        }
        let refused = [
            "+NaN", "-nan", "nana", "infin", "infinityy", "in", "0x10", "0X1P-2", "0x1p3", "1p3", "0x", "1_000", "1__0", "_1",
            "1e", "1e+", "1e-", "e1", ".", "-.", "+", "1.2.3", "1e2.5", "1e2e3", " 1", "1 ", "1\t", "١", "1\u{0}", "0b101", "0o17",
            "Inf1", "12345678901234a", "123456789012345678x",
        ]
        for text in refused {
            #expect(ExpositionParser.parseFloat(text) == nil, "\(text)")
        }
    }

    @Test("label values: quotes, escapes and UTF-8 at every offset of the word-at-a-time scan")
    func labelValueScan() throws {
        for length in 0..<40 {
            let plain = String(repeating: "v", count: length)
            var page = "m{a=\"\(plain)\"} 1\n"
            for position in 0...length {
                let head = String(plain.prefix(position))
                let tail = String(plain.dropFirst(position))
                page += "m{a=\"\(head)\\\"\(tail)\",b=\"x\"} 1\n"
                page += "m{a=\"\(head)\\\\\(tail)\"} 1\n"
                page += "m{a=\"\(head)\\n\(tail)\"} 1\n"
                page += "m{a=\"\(head)é\(tail)\"} 1\n"
            }
            let parsed = try ExpositionParser.parse(page)
            #expect(parsed.labels(at: 0) == ["a": plain])
            for position in 0...length {
                let head = String(plain.prefix(position))
                let tail = String(plain.dropFirst(position))
                let base = 1 + position * 4
                #expect(parsed.labels(at: base) == ["a": head + "\"" + tail, "b": "x"], "\(length) \(position)")
                #expect(parsed.labels(at: base + 1) == ["a": head + "\\" + tail], "\(length) \(position)")
                #expect(parsed.labels(at: base + 2) == ["a": head + "\n" + tail], "\(length) \(position)")
                #expect(parsed.labels(at: base + 3) == ["a": head + "é" + tail], "\(length) \(position)")
            }
        }
    }

    @Test("invalid UTF-8 and unterminated values are found at every offset of the word-at-a-time scan")
    func labelValueErrors() {
        for length in 1..<30 {
            for position in 0..<length {
                var bytes = Array("m{a=\"".utf8) + Array(repeating: UInt8(ascii: "v"), count: length) + Array("\"} 1\n".utf8)
                bytes[5 + position] = 0xFF
                #expect(throws: ExpositionError.self) { try ExpositionParser.parse(bytes) }
            }
            let unterminated = Array("m{a=\"".utf8) + Array(repeating: UInt8(ascii: "v"), count: length) + Array("\n".utf8)
            #expect(throws: ExpositionError.self) { try ExpositionParser.parse(unterminated) }
            let trailingBackslash = Array("m{a=\"".utf8) + Array(repeating: UInt8(ascii: "v"), count: length) + Array("\\\n".utf8)
            #expect(throws: ExpositionError.self) { try ExpositionParser.parse(trailingBackslash) }
        }
    }

    @Test("word-at-a-time comparison: every length up to 40 with a difference at every position")
    func wordComparison() {
        for length in 0...40 {
            let a = [UInt8]((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) })
            a.withUnsafeBufferPointer { x in
                let base = x.baseAddress ?? UnsafePointer(bitPattern: 1)!
                #expect(bytesEqual(base, base, length))
                for position in 0..<length {
                    var b = a
                    b[position] ^= 0x20
                    b.withUnsafeBufferPointer { y in #expect(!bytesEqual(base, y.baseAddress!, length), "\(length) \(position)") }
                }
            }
        }
    }

    @Test("many families with shared prefixes, more than the storage is presized for, each keep their own samples")
    func manyFamilies() throws {
        var page = ""
        var names: [String] = []
        for index in 0..<3000 {
            let name = "f" + String(repeating: "_", count: index % 37) + "\(index)"
            names.append(name)
            page += "\(name) \(index)\n"
        }
        page += "# TYPE f_0_summary summary\nf_0_summary_sum 1\nf_0_summary_count 2\n"
        for (index, name) in names.enumerated() { page += "\(name) \(index + 1)\n" }
        let parsed = try ExpositionParser.parse(page)
        #expect(parsed.count == 6002)
        #expect(parsed.families.count == 3001)
        for (index, name) in names.enumerated() {
            #expect(parsed.family(at: index).name == name && parsed.value(at: index) == Double(index))
            #expect(parsed.family(at: 3002 + index).name == name && parsed.value(at: 3002 + index) == Double(index + 1))
        }
        #expect(parsed.family(at: 3000).name == "f_0_summary" && parsed.family(at: 3001).type == .summary)
    }

    @Test("HELP then TYPE of the same family, and of a name that only starts with it")
    func metadataOfTheCurrentFamily() throws {
        let page = """
            # HELP node_load1 1m load average.
            # TYPE node_load1 gauge
            node_load1 0.5
            # HELP node_load15 15m load average.
            # TYPE node_load15 gauge
            node_load15 0.25
            # TYPE node_load1x counter
            node_load1x 3
            # TYPE node_load1 gauge

            """
        #expect(throws: ExpositionError.malformed(line: 9, column: 3, detail: "second TYPE line for node_load1, or TYPE after its samples")) {
            try ExpositionParser.parse(page)
        }
        let valid = try ExpositionParser.parse(String(page.split(separator: "\n").dropLast().joined(separator: "\n")))
        #expect(valid.families.map(\.name) == ["node_load1", "node_load15", "node_load1x"])
        #expect(valid.families.map(\.type) == [.gauge, .gauge, .counter])
        #expect(valid.families[1].help == "15m load average.")
    }

    @Test("the 100 KB node_exporter page: every sample's name and value as a plain split of its line gives them")
    func nodeExporterPage() throws {
        let data = try Fixtures.data("node_exporter_100k.prom")
        let page = try ExpositionParser.parse(Array(data))
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(page.count == lines.count && page.count == 1277 && page.families.count == 283)
        for (index, line) in lines.enumerated() where index < page.count {
            let name = line.prefix { $0 != "{" && $0 != " " }
            let value = Double(String(line.split(separator: " ").last!))!
            #expect(page.name(at: index) == name, "\(line)")
            #expect(page.value(at: index).bitPattern == value.bitPattern || (value.isNaN && page.value(at: index).isNaN), "\(line)")
        }
    }

    // MARK: shortcuts

    @Test("the name-character classes of the word-at-a-time scan: every byte at every position of a word")
    func nameCharacterWords() {
        func isName(_ byte: UInt8, colon: Bool) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
                || (colon && byte == 0x3A)
        }
        for colon in [false, true] {
            for byte in 0...255 {
                for position in 0..<8 {
                    // Name characters around the byte, and a second odd byte after it, which must not hide it.
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                    bytes[position] = UInt8(byte)
                    if position < 7 { bytes[7] = 0xFF }
                    let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                    let stops = nonNameBytes(word, colon: colon)
                    let first = stops == 0 ? 8 : stops.trailingZeroBitCount >> 3
                    let expected = isName(UInt8(byte), colon: colon) ? (position < 7 ? 7 : 8) : position
                    #expect(first == expected, "byte \(byte) at \(position), colon \(colon)")
                    #expect(stops & ~0x8080_8080_8080_8080 == 0)
                }
            }
        }
    }

    @Test("tricky lines alone, in pairs and in random pages: the shortcuts give the general path's records and errors")
    func shortcutsAgreeOnTrickyLines() throws {
        let lines = try Fixtures.data("exposition_shortcuts.txt").split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .dropLast().map(Array.init)
        var pages: [[UInt8]] = []
        for line in lines {
            for ending in ["", "\n", "\r\n", "\r", "\r\r\n", " \n"] { pages.append(line + Array(ending.utf8)) }
        }
        for first in lines {
            for second in lines { pages.append(first + [0x0A] + second + [0x0A]) }
        }
        var random = SplitMix(state: 13)
        for _ in 0..<2000 {
            var page: [UInt8] = []
            for _ in 0..<Int.random(in: 2...12, using: &random) {
                page += lines[Int.random(in: 0..<lines.count, using: &random)] + (Bool.random(using: &random) ? [0x0A] : [0x0D, 0x0A])
            }
            pages.append(page)
        }
        for page in pages { try expectShortcutsAgree(page) }
    }

    @Test("the fixture pages and mutations of them: the shortcuts give the general path's records and errors")
    func shortcutsAgreeOnMutatedPages() throws {
        let names = ["node_exporter_1.prom", "node_exporter_2.prom", "node_exporter_100k.prom", "exposition_text.prom", "exposition_openmetrics.txt"]
        let fixtures = try names.map { Array(try Fixtures.data($0)) }
        let tokens = [" ", "\t", "{", "}", ",", "=", "\"", "\\", "\r", "\n", "#", "é", "_total", "_bucket", "le", "1e3", "NaN", "x"].map {
            Array($0.utf8)
        }
        var random = SplitMix(state: 29)
        for page in fixtures { try expectShortcutsAgree(page) }
        for round in 0..<300 {
            var page = fixtures[round % fixtures.count]
            if page.count > 20_000 { page = Array(page.prefix(Int.random(in: 1_000...20_000, using: &random))) }
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let position = Int.random(in: 0..<page.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: page.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &random)], at: position)
                case 1: page.remove(at: position)
                default: page[position] = UInt8.random(in: 0...255, using: &random)
                }
            }
            try expectShortcutsAgree(page)
        }
    }

    @Test("a family declared again after sorted ones is found once the family table is filled")
    func sortedFamiliesThenALookup() throws {
        let page = "# TYPE a counter\na 1\n# TYPE b gauge\nb 2\n# TYPE c summary\nc{quantile=\"1\"} 3\na 4\n# HELP a again\n"
        let parsed = try ExpositionParser.parse(page)
        #expect(parsed.families.map(\.name) == ["a", "b", "c"])
        #expect(parsed.family(at: 3).type == .counter)
        #expect(parsed.families[0].help == "again")
        #expect(throws: ExpositionError.self) { try ExpositionParser.parse(page + "# TYPE b counter\n") }
        try expectShortcutsAgree(Array(page.utf8))
    }

    /// Parses `page` in both formats and both recoveries with every combination of shortcuts, and
    /// expects each to give what the general path gives.
    private func expectShortcutsAgree(_ page: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let general = ExpositionParser.Shortcuts(plainSamples: false, sortedFamilies: false)
        let combinations = [
            ExpositionParser.Shortcuts(),
            ExpositionParser.Shortcuts(plainSamples: true, sortedFamilies: false),
            ExpositionParser.Shortcuts(plainSamples: false, sortedFamilies: true),
        ]
        for format in ExpositionFormat.allCases {
            for recovery in [ExpositionParser.Recovery.fail, .skipLine] {
                let expected = Result { () throws(ExpositionError) in
                    try ExpositionParser.parse(page, format: format, recovery: recovery, shortcuts: general)
                }
                for shortcuts in combinations {
                    let result = Result { () throws(ExpositionError) in
                        try ExpositionParser.parse(page, format: format, recovery: recovery, shortcuts: shortcuts)
                    }
                    let agree: Bool
                    switch (result, expected) {
                    case (.success(let x), .success(let y)): agree = x.isSameParse(as: y)
                    case (.failure(let x), .failure(let y)): agree = x == y
                    default: agree = false
                    }
                    #expect(
                        agree,
                        "\(shortcuts) \(format) \(recovery): \(String(decoding: page.prefix(300), as: UTF8.self).debugDescription)",
                        sourceLocation: sourceLocation
                    )
                }
            }
        }
    }
}
