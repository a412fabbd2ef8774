import Compression
import Foundation
import InfraMonitorCore
import Processing
import TestSupport
import Testing

private let fixtureKey = "raw-metrics/2026/11/25/20261125T180000Z_exec-1_mixed.jsonl.gz"

private func fixtureBytes(_ name: String) throws -> [UInt8] { [UInt8](try Fixtures.data(name)) }

private func expectedRecordLines() throws -> [String] {
    try Fixtures.text("small-batch.records.jsonl").split(separator: "\n").map(String.init)
}

/// `lines` lines of a realistic batch: `hosts` hosts, the four metrics, labels for disk and network.
private func generatedBatch(lines: Int, hosts: Int = 8) -> [UInt8] {
    var text = ""
    text.reserveCapacity(lines * 150)
    let base = Timestamp(seconds: 1_764_093_600)
    for i in 0..<lines {
        let host = "web-\(i / 4 % hosts)"
        let time = Timestamp(seconds: base.seconds + Int64(i / 100), nanoseconds: Int32(i % 1000) * 1_000_000).iso8601Milliseconds
        switch i % 4 {
        case 0:
            text += sampleLine(host: "\"\(host)\"", timestamp: "\"\(time)\"", value: String(i % 100))
        case 1:
            text += sampleLine(metric: "\"memory_usage\"", host: "\"\(host)\"", timestamp: "\"\(time)\"", value: "\(i % 90).5")
        case 2:
            text += sampleLine(
                metric: "\"disk_usage\"",
                host: "\"\(host)\"",
                timestamp: "\"\(time)\"",
                value: "\(i % 97)",
                labels: "{\"mountpoint\":\"/\(i / 32 % 2 == 0 ? "" : "var")\"}"
            )
        default:
            text += sampleLine(
                metric: "\"network_traffic\"",
                host: "\"\(host)\"",
                timestamp: "\"\(time)\"",
                value: "\(i)",
                unit: "\"Bytes/Second\"",
                labels: "{\"direction\":\"\(i / 32 % 2 == 0 ? "rx" : "tx")\",\"device\":\"eth\(i / 64 % 2)\"}"
            )
        }
        text += "\n"
    }
    return Array(text.utf8)
}

@Suite("Batch processing")
struct BatchTests {
    @Test("records of the fixture batch match the expected JSON Lines", arguments: [false, true])
    func fixtureRecords(gzip: Bool) throws {
        let plain = try fixtureBytes("small-batch.jsonl")
        let run = try runProcessor(gzip ? Gzip.compress(plain) : plain, key: fixtureKey)
        #expect(run.summary.records.map(\.jsonLine) == (try expectedRecordLines()))
        #expect(run.summary.lines == 31)
        #expect(run.summary.invalidLines == 13)
        #expect(run.summary.validSamples == 18)
        #expect(run.summary.corruption == nil)
        #expect(run.invalid.map(\.lineNumber) == [15, 16, 17, 18, 19, 20, 26, 27, 28, 29, 30, 32, 33])
        #expect(
            run.invalid.map(\.reason) == [
                "not valid JSON: unexpected byte 0x6f at column 2",
                "bad timestamp \"2026-02-29T00:00:00Z\"",
                "value is not a finite number",
                "field \"value\" is not a number",
                "field \"labels\" is not an object",
                "not a JSON object",
                "label \"core\" is not a string",
                "not valid JSON: unexpected byte 0x4e at column 87",
                "not valid JSON: lone surrogate escape at column 111",
                "bad timestamp \"2026-11-25T18:00:60Z\"",
                "bad timestamp \"2026-11-25T18:00:00.1234567890Z\"",
                "host \"café\" is not a CloudWatch dimension value: has a non-ASCII character (CloudWatch takes ASCII only)",
                "value 1e+130 is beyond DynamoDB's number range (magnitude at most 9.9999999999999999999999999999999999999E+125)",
            ]
        )
    }

    @Test("the series unit is the first valid line's; each sample keeps its own")
    func units() throws {
        let run = try runProcessor(try fixtureBytes("small-batch.jsonl"), key: fixtureKey)
        let rx = run.summary.records.first { $0.metricID == "network_traffic#db-1#device=eth0,direction=rx" }
        #expect(rx?.unit == "Bytes/Second")
        #expect(run.samples.filter { $0.labels["direction"] == "rx" }.map(\.unit) == ["Bytes/Second", "B/s"])
    }

    @Test("the processor agrees with the Python reference record for record", .enabled(if: pythonAvailable))
    func pythonReference() throws {
        let fixture = Fixtures.path("small-batch.jsonl")
        let generated = try Fixtures.temporaryDirectory("processor-python")
        defer { try? FileManager.default.removeItem(atPath: generated) }
        let gz = generated + "/generated.jsonl.gz"
        var lines = generatedBatch(lines: 4_000)
        lines += Array((try fixtureBytes("small-batch.jsonl")))
        try Data(Gzip.compress(lines)).write(to: URL(fileURLWithPath: gz))
        for path in [fixture, gz] {
            let quarantine = generated + "/q.jsonl"
            let output = try runPython([referenceScript, "--key", fixtureKey, "--quarantine", quarantine, path])
            var source = try FileByteSource(path: path)
            var invalid: [Int] = []
            let summary = try BatchProcessor().process(&source, key: fixtureKey, onSample: { _ in }, onInvalid: { invalid.append($0.lineNumber) })
            #expect(summary.records.map(\.jsonLine) == output.split(separator: "\n").map(String.init))
            let pythonInvalid = try String(contentsOfFile: quarantine, encoding: .utf8).split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            #expect(invalid == pythonInvalid.map { $0["line"] as! Int })
        }
    }

    @Test("a corrupt gzip stream keeps the lines before the damage")
    func corruptGzip() throws {
        let good = generatedBatch(lines: 3_000)
        var packed = Gzip.compress(good)
        let cut = packed.count * 2 / 3
        packed.replaceSubrange(cut..<packed.count, with: (0..<500).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        let run = try runProcessor(packed)
        // zlib may decode some of the garbage before it notices, so the error is corruption or
        // truncation and a few garbled lines may be invalid; every sample is one of the originals.
        let corruption = try #require(run.summary.corruption)
        #expect(corruption.hasPrefix("corrupt gzip data after") || corruption.hasPrefix("truncated gzip data after"))
        #expect(run.summary.validSamples > 1_000 && run.summary.validSamples < 3_000)
        let original = try runProcessor(good).samples
        #expect(Array(run.samples.prefix(1_000)) == Array(original.prefix(1_000)))
        #expect(run.summary.validSamples == run.samples.count)
        #expect(run.summary.records.reduce(0) { $0 + $1.count } == run.summary.validSamples)
    }

    @Test("valid lines first, then garbage that is not gzip")
    func garbageAfterMember() throws {
        let run = try runProcessor(Gzip.compress(generatedBatch(lines: 100)) + Array("garbage".utf8))
        #expect(run.summary.corruption?.hasPrefix("trailing garbage after gzip data") == true)
        #expect(run.summary.validSamples == 100)
    }

    @Test("a truncated gzip stream is reported with the lines before it processed", arguments: [9, 2_000])
    func truncatedGzip(dropping: Int) throws {
        let packed = Gzip.compress(generatedBatch(lines: 3_000))
        let run = try runProcessor(Array(packed.dropLast(dropping)))
        #expect(run.summary.corruption?.hasPrefix("truncated gzip data after") == true)
        #expect(run.summary.invalidLines == 0)
        #expect(run.summary.validSamples > 0)
        if dropping < 10 { #expect(run.summary.validSamples == 3_000) }
    }

    @Test("a multi-member gzip batch is one batch")
    func multiMember() throws {
        let a = generatedBatch(lines: 1_000)
        let b = generatedBatch(lines: 500)
        let whole = try runProcessor(a + b)
        let members = try runProcessor(Gzip.compress(a) + Gzip.compress(b))
        #expect(members.summary.records == whole.summary.records)
        #expect(members.summary.validSamples == 1_500)
    }

    @Test("plain and gzip batches give the same records")
    func plainAndGzip() throws {
        let text = generatedBatch(lines: 5_000)
        #expect(try runProcessor(text).summary.records == (try runProcessor(Gzip.compress(text)).summary.records))
    }

    @Test("a 200,000-line gzip batch streams to the right counts")
    func streaming() throws {
        let lines = 200_000
        let packed = Gzip.compress(generatedBatch(lines: lines), level: 1)
        var source = BufferByteSource(packed)
        var samples = 0
        var sum = 0.0
        let summary = try BatchProcessor().process(
            &source,
            key: "big",
            onSample: { sample in
                samples += 1
                sum += sample.value
            },
            onInvalid: { Issue.record("invalid \($0)") }
        )
        #expect(summary.lines == lines && summary.validSamples == lines && samples == lines)
        // 8 hosts × (cpu + memory + 2 mountpoints + 2 interfaces × 2 directions).
        #expect(summary.records.count == 8 * 8)
        #expect(summary.records.reduce(0) { $0 + $1.count } == lines)
        #expect(abs(summary.records.reduce(0) { $0 + $1.sum } - sum) < 1e-3 * sum)
        #expect(summary.records.allSatisfy { $0.source == "big" })
    }

    @Test("reads from files through FileByteSource")
    func fileSource() throws {
        var source = try FileByteSource(path: Fixtures.path("small-batch.jsonl"))
        let summary = try BatchProcessor().process(&source, key: fixtureKey)
        #expect(summary.records.map(\.jsonLine) == (try expectedRecordLines()))
    }

    @Test("errors thrown by the callbacks stop processing")
    func callbackErrors() throws {
        struct Stop: Error {}
        var source = BufferByteSource(generatedBatch(lines: 10))
        #expect(throws: Stop.self) { _ = try BatchProcessor().process(&source, key: "k", onSample: { _ in throw Stop() }, onInvalid: { _ in }) }
    }

    @Test("records sort by metric_id then timestamp, ties by metric, host and labels")
    func ordering() throws {
        let run = try runProcessor(try fixtureBytes("small-batch.jsonl"), key: fixtureKey)
        let ids = run.summary.records.map(\.metricID)
        #expect(ids == ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(run.summary.records.prefix(2).map(\.metric) == ["a", "a#b"])
    }

    @Test("merging files: order by metric_id and timestamp, then file order")
    func merge() throws {
        func record(_ host: String, _ seconds: Int64, source: String) -> MetricRecord {
            MetricRecord(
                metricID: "cpu_utilization#" + host,
                timestamp: Timestamp(seconds: seconds),
                metric: "cpu_utilization",
                host: host,
                labels: [:],
                unit: "Percent",
                count: 1,
                sum: 1,
                min: 1,
                max: 1,
                last: 1,
                source: source
            )
        }
        let first = [record("a", 10, source: "f1"), record("b", 5, source: "f1")]
        let second = [record("a", 5, source: "f2"), record("a", 10, source: "f2"), record("b", 5, source: "f2")]
        let merged = mergeRecordsForOutput([first, second])
        #expect(merged.map { "\($0.host)\($0.timestamp.seconds)\($0.source)" } == ["a5f2", "a10f1", "a10f2", "b5f1", "b5f2"])
        #expect(mergeRecordsForOutput([]) == [])
    }
}

private let referenceScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Benchmarks/reference/processor.py").path

private let pythonAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

private func runPython(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return String(decoding: data, as: UTF8.self)
}
