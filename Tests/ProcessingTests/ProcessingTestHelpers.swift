import Compression
import InfraMonitorCore
import Processing

/// What one run of the processor produced.
struct ProcessorRun {
    var summary: BatchSummary
    var samples: [Sample]
    var invalid: [InvalidLine]
}

/// Runs the processor over `bytes` (plain or gzip), collecting samples and invalid lines.
func runProcessor(_ bytes: [UInt8], key: String = "raw-metrics/test.jsonl.gz") throws -> ProcessorRun {
    var source = BufferByteSource(bytes)
    var samples: [Sample] = []
    var invalid: [InvalidLine] = []
    let summary = try BatchProcessor().process(&source, key: key, onSample: { samples.append($0) }, onInvalid: { invalid.append($0) })
    return ProcessorRun(summary: summary, samples: samples, invalid: invalid)
}

func runProcessor(_ text: String, key: String = "raw-metrics/test.jsonl.gz") throws -> ProcessorRun {
    try runProcessor(Array(text.utf8), key: key)
}

/// A valid sample line with `field` replaced by raw JSON text (`nil` removes it).
func sampleLine(
    metric: String? = "\"cpu_utilization\"",
    host: String? = "\"web-1\"",
    timestamp: String? = "\"2026-11-25T18:00:00.123Z\"",
    value: String? = "41.7",
    unit: String? = "\"Percent\"",
    labels: String? = nil,
    extra: String = ""
) -> String {
    var parts: [String] = []
    if let metric { parts.append("\"metric\":" + metric) }
    if let host { parts.append("\"host\":" + host) }
    if let timestamp { parts.append("\"timestamp\":" + timestamp) }
    if let value { parts.append("\"value\":" + value) }
    if let unit { parts.append("\"unit\":" + unit) }
    if let labels { parts.append("\"labels\":" + labels) }
    if !extra.isEmpty { parts.append(extra) }
    return "{" + parts.joined(separator: ",") + "}"
}
