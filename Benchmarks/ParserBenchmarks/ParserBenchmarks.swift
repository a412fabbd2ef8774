import Benchmark
import Collectors
import Foundation

/// The page: `$PARSER_BENCH_PAGE`, else the widened 100 KB node_exporter fixture of the collector
/// tests (`reference/make_node_page.py` over a real node_exporter 1.5 page).
private let pagePath: String = {
    if let path = ProcessInfo.processInfo.environment["PARSER_BENCH_PAGE"], !path.isEmpty { return path }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/CollectorsTests/Fixtures/node_exporter_100k.prom").path
}()

private let page: [UInt8] = FileManager.default.contents(atPath: pagePath).map { Array($0) } ?? []

private func referencePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("reference").appendingPathComponent(name).path
}

/// Runs a command and returns its standard output, or nil when it failed.
private func output(_ arguments: [String], environment: [String: String] = [:]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
}

/// The Go reference, built once offline from Debian's packages.
private let expfmtBinary: String? = {
    let binary = NSTemporaryDirectory() + "infra-monitor-expfmt-parse"
    let built = output(
        ["sh", "-c", "cd '\(referencePath("expfmt-parse"))' && go build -o '\(binary)' ."],
        environment: ["GOPATH": "/usr/share/gocode", "GO111MODULE": "off", "GOFLAGS": "-mod=mod"]
    )
    return built == nil ? nil : binary
}()

/// `ns_per_page` (wall clock) and `cpu_ns_per_page` of a reference's JSON line.
private func nanosecondsPerPage(_ json: String?) -> (wall: Int, cpu: Int)? {
    guard let data = json?.data(using: .utf8),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let wall = object["ns_per_page"] as? Double, let cpu = object["cpu_ns_per_page"] as? Double
    else { return nil }
    return (Int(wall), Int(cpu))
}

private let perPage = BenchmarkMetric.custom("wall ns per page (timed inside the reference)", polarity: .prefersSmaller, useScalingFactor: false)
private let cpuPerPage = BenchmarkMetric.custom("CPU ns per page (timed inside the reference)", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let samples = (try? ExpositionParser.parse(page).count) ?? 0
    precondition(samples > 1000, "the benchmark page \(pagePath) does not parse")

    // 1,000 parses per iteration: with `scalingFactor: .kilo` the report shows the time per page.
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(60),
        maxIterations: 20
    )
    Benchmark("ExpositionParser: 100 KB node_exporter page (\(page.count) bytes, \(samples) samples)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ExpositionParser.parse(page))
        }
    }
    Benchmark("ExpositionParser + every sample as strings: 100 KB page", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ExpositionParser.parse(page).samples)
        }
    }

    // The references time themselves (no process start-up) and report ns per page.
    let reference = Benchmark.Configuration(metrics: [perPage, cpuPerPage], warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 5)
    Benchmark("Reference: Go expfmt.TextParser, 100 KB page", configuration: reference) { benchmark in
        guard let binary = expfmtBinary else {
            fatalError("cannot build reference/expfmt-parse: install golang-go golang-github-prometheus-common-dev")
        }
        guard let nanoseconds = nanosecondsPerPage(output([binary, pagePath, "200"])) else { fatalError("expfmt-parse failed") }
        benchmark.measurement(perPage, nanoseconds.wall)
        benchmark.measurement(cpuPerPage, nanoseconds.cpu)
    }
    Benchmark("Reference: Python prometheus_client parser, 100 KB page", configuration: reference) { benchmark in
        guard let nanoseconds = nanosecondsPerPage(output(["python3", referencePath("prometheus_client_parse.py"), pagePath, "10"])) else {
            fatalError("prometheus_client_parse.py failed: pip install prometheus_client")
        }
        benchmark.measurement(perPage, nanoseconds.wall)
        benchmark.measurement(cpuPerPage, nanoseconds.cpu)
    }
}
