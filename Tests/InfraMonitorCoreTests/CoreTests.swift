import InfraMonitorCore
import Testing

@Suite("RFC 3339 timestamps (docs/design.md, Raw batches)")
struct TimestampTests {
    @Test(
        "valid timestamps and their UTC instant",
        arguments: [
            ("2026-11-25T18:00:00Z", "2026-11-25T18:00:00.000Z", Int32(0)),
            ("2026-11-25T18:00:00.123Z", "2026-11-25T18:00:00.123Z", 123_000_000),
            ("2026-11-25t18:00:00.123456789z", "2026-11-25T18:00:00.123Z", 123_456_789),
            ("2026-11-25T18:00:00.1+01:30", "2026-11-25T16:30:00.100Z", 100_000_000),
            ("2024-02-29T23:59:59-00:01", "2024-03-01T00:00:59.000Z", 0),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z", 0),
            ("9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999Z", 999_999_999),
            ("0000-12-31T23:00:00-01:00", "0001-01-01T00:00:00.000Z", 0),
        ]
    )
    func valid(text: String, utc: String, nanoseconds: Int32) throws {
        let instant = try #require(Timestamp.parseRFC3339(text))
        #expect(instant.iso8601Milliseconds == utc)
        #expect(instant.nanoseconds == nanoseconds)
    }

    @Test(
        "invalid timestamps",
        arguments: [
            "2026-02-29T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T18:60:00Z", "2026-11-25T18:00:60Z",
            "2026-11-25T18:00:00", "2026-11-25 18:00:00Z", "2026-11-25T18:00:00.Z", "2026-11-25T18:00:00.1234567890Z",
            "2026-11-25T18:00:00+24:00", "2026-11-25T18:00:00+01:60", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
            "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "26-11-25T18:00:00Z", "2026-11-25T18:00:00Zjunk", "",
        ]
    )
    func invalid(text: String) {
        #expect(Timestamp.parseRFC3339(text) == nil)
    }

    @Test("instants compare at nanosecond precision")
    func ordering() throws {
        let a = try #require(Timestamp.parseRFC3339("2026-11-25T18:00:00.000000001Z"))
        let b = try #require(Timestamp.parseRFC3339("2026-11-25T19:00:00.000000002+01:00"))
        #expect(a < b)
        #expect(Timestamp(milliseconds: -1) == Timestamp(seconds: -1, nanoseconds: 999_000_000))
    }
}

@Suite("Keys and records (docs/design.md, Raw batches and Records)")
struct KeyAndRecordTests {
    @Test("raw batch and quarantine keys")
    func keys() throws {
        let time = try #require(Timestamp.parseRFC3339("2026-11-25T18:00:00.789Z"))
        let key = ObjectKeys.rawBatch(scheduledAt: time, executionID: "exec-1", metric: "disk_usage")
        #expect(key == "raw-metrics/2026/11/25/20261125T180000Z_exec-1_disk_usage.jsonl.gz")
        #expect(
            ObjectKeys.quarantine(forRawKey: key, fallbackDate: Timestamp(seconds: 0))
                == "quarantine/2026/11/25/20261125T180000Z_exec-1_disk_usage.jsonl"
        )
        let fromFile = ObjectKeys.quarantine(forRawKey: "/tmp/x/batch.jsonl", fallbackDate: Timestamp(seconds: 0))
        #expect(fromFile.hasPrefix("quarantine/1970/01/01/batch-") && fromFile.hasSuffix(".jsonl"))
        #expect(
            fromFile != ObjectKeys.quarantine(forRawKey: "/tmp/y/batch.jsonl", fallbackDate: Timestamp(seconds: 0)),
            "two files with one base name keep their own quarantine"
        )
    }

    @Test("metric_id sorts label keys; the record line follows the contract")
    func record() throws {
        #expect(MetricRecord.metricID(metric: "network_traffic", host: "web-1", labels: [:]) == "network_traffic#web-1")
        let id = MetricRecord.metricID(metric: "network_traffic", host: "web-1", labels: ["direction": "rx", "device": "eth0"])
        #expect(id == "network_traffic#web-1#device=eth0,direction=rx")
        let record = MetricRecord(
            metricID: id,
            timestamp: try #require(Timestamp.parseRFC3339("2026-11-25T18:00:00.1239Z")),
            metric: "network_traffic",
            host: "web-1",
            labels: ["direction": "rx", "device": "eth0"],
            unit: "Bytes/Second",
            count: 2,
            sum: 3,
            min: 1,
            max: 2,
            last: 2,
            source: "raw-metrics/k"
        )
        #expect(
            record.jsonLine
                == #"{"metric_id":"network_traffic#web-1#device=eth0,direction=rx","timestamp":"2026-11-25T18:00:00.123Z","metric":"network_traffic","host":"web-1","labels":{"device":"eth0","direction":"rx"},"unit":"Bytes/Second","count":2,"sum":3.0,"min":1.0,"max":2.0,"mean":1.5,"last":2.0,"source":"raw-metrics/k","expires_at":1803405600}"#
        )
    }

    @Test("sample lines escape what JSON requires")
    func sampleLine() {
        let sample = Sample(
            metric: "disk_usage",
            host: "a\"b\\c\n",
            timestamp: Timestamp(seconds: 0),
            value: 41.7,
            unit: "Percent",
            labels: ["mountpoint": "/"]
        )
        #expect(
            sample.jsonLine
                == #"{"metric":"disk_usage","host":"a\"b\\c\n","timestamp":"1970-01-01T00:00:00.000Z","value":41.7,"unit":"Percent","labels":{"mountpoint":"/"}}"#
        )
    }
}

@Suite("Raw batch keys parse back")
struct RawBatchKeyTests {
    @Test(arguments: ["e2e-1", "0f1e2d3c-aaaa-bbbb-cccc-000011112222", "my_run_2"])
    func aKeyParsesBackToItsParts(executionID: String) throws {
        let time = try #require(Timestamp.parseRFC3339("2026-11-25T18:00:00Z"))
        for metric in Metric.allCases {
            let key = ObjectKeys.rawBatch(scheduledAt: time, executionID: executionID, metric: metric.rawValue)
            #expect(ObjectKeys.parseRawBatch(key) == RawBatchKey(scheduledAt: time, executionID: executionID, metric: metric))
        }
    }

    @Test(arguments: [
        "quarantine/2026/11/25/20261125T180000Z_e_cpu_utilization.jsonl", "raw-metrics/2026/11/25/20261125T180000Z_e_gpu.jsonl.gz",
        "raw-metrics/2026/11/26/20261125T180000Z_e_cpu_utilization.jsonl.gz", "raw-metrics/2026/11/25/x.jsonl.gz",
    ])
    func otherKeysDoNot(key: String) {
        #expect(ObjectKeys.parseRawBatch(key) == nil)
    }
}
