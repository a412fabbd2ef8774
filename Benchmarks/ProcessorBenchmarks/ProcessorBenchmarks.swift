import Benchmark
import Foundation
import InfraMonitorCore
import Processing

/// The benchmark batch: `$PROCESSOR_BENCH_BATCH`, else a 1,000,000-line batch generated once by
/// `reference/make_batch.py` under the temporary directory.
private let batchPath: String = {
    if let path = ProcessInfo.processInfo.environment["PROCESSOR_BENCH_BATCH"], !path.isEmpty { return path }
    let path = NSTemporaryDirectory() + "infra-monitor-bench-batch-1m.jsonl.gz"
    if !FileManager.default.fileExists(atPath: path) {
        let status = run(["python3", referencePath("make_batch.py"), path, "1000000"])
        precondition(status == 0, "make_batch.py failed with status \(status)")
    }
    return path
}()

/// The folder of the Python reference, found from this source file.
private func referencePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("reference").appendingPathComponent(name).path
}

@discardableResult
private func run(_ arguments: [String], stdout: FileHandle? = nil) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = stdout ?? FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}

private let lineCount = 1_000_000

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .peakMemoryResident, .throughput]
    let configuration = Benchmark.Configuration(
        metrics: metrics,
        timeUnits: .nanoseconds,
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(30),
        maxIterations: 5
    )

    // One iteration processes the whole 1M-line gzip batch; with `scalingFactor: .mega` the report
    // shows time per line (ns) and throughput in lines/s, so the two benchmarks compare directly.
    Benchmark("BatchProcessor 1M-line gzip batch", configuration: configuration) { benchmark in
        let path = batchPath
        benchmark.startMeasurement()
        var source = try FileByteSource(path: path)
        var samples = 0
        let summary = try BatchProcessor().process(&source, key: "bench", onSample: { _ in samples += 1 }, onInvalid: { _ in })
        benchmark.stopMeasurement()
        precondition(summary.validSamples == samples && summary.lines > lineCount / 2)
        blackHole(summary)
    }

    // The plain Python 3 reference on the same batch, as a child process (its RSS is not in
    // this process's peakMemoryResident).
    Benchmark(
        "Python reference processor.py 1M-line gzip batch",
        configuration: .init(
            metrics: [.wallClock, .throughput],
            timeUnits: .nanoseconds,
            warmupIterations: 0,
            scalingFactor: .mega,
            maxDuration: .seconds(60),
            maxIterations: 2
        )
    ) { benchmark in
        let path = batchPath
        benchmark.startMeasurement()
        let status = run(["python3", referencePath("processor.py"), "--key", "bench", path])
        benchmark.stopMeasurement()
        precondition(status == 0, "processor.py failed with status \(status)")
    }
}
