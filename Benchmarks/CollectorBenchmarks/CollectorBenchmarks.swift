import Benchmark
import Collectors
import Foundation
import InfraMonitorCore

#if canImport(Glibc)
import Glibc
#endif

// Collection cost of InfraMonitor's procfs collector beside node_exporter's, on this machine.
//
// - "SystemCollector": one iteration = 1000 collections of all four metrics with state provided
//   (no sampling window); cpuTotal, wallClock and mallocCountTotal are per collection (scaled, `*`).
//   `collectorCPU (ns)` is the same CPU time measured precisely with CLOCK_PROCESS_CPUTIME_ID.
// - "node_exporter": a real prometheus-node-exporter limited to the cpu, meminfo, filesystem and
//   netdev collectors on a loopback port; one iteration = 100 scrapes over HTTP/1.0. Its CPU time
//   is read from /proc/<pid>/stat (utime + stime) before and after, reported per scrape as
//   `nodeExporterCPU (µs)`. Its binary is `$INFRA_MONITOR_NODE_EXPORTER`, else
//   /usr/bin/prometheus-node-exporter.

private let collectionsPerIteration = 1000
private let scrapesPerIteration = 100

/// A sleep that must never run: with state provided the collector needs no sampling window.
private let forbiddenSleep: @Sendable (Double) async throws -> Void = { _ in
    fatalError("the benchmark collection fell back to the sampling window; the state was not usable")
}

/// CPU time of this process in nanoseconds.
private func processCPUNanoseconds() -> Int {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Int(spec.tv_sec) * 1_000_000_000 + Int(spec.tv_nsec)
}

// MARK: node_exporter process

/// The node_exporter started for the benchmark (setup and teardown run on one task, in order).
private nonisolated(unsafe) var exporter: Process?
private nonisolated(unsafe) var exporterPort: Int = 0

private func nodeExporterBinary() -> String {
    ProcessInfo.processInfo.environment["INFRA_MONITOR_NODE_EXPORTER"] ?? "/usr/bin/prometheus-node-exporter"
}

private func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0, "socket failed")
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    precondition(bound, "bind to 127.0.0.1:0 failed")
    return Int(UInt16(bigEndian: address.sin_port))
}

/// GET /metrics over a fresh HTTP/1.0 connection; returns the number of bytes received (0 on failure).
private func scrape(port: Int) -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
    guard connected else { return 0 }
    let request = Array("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return 0 }
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    var total = 0
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        total += n
    }
    return total
}

/// utime + stime of a process, in clock ticks, from /proc/<pid>/stat.
private func cpuTicks(pid: Int32) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
    else { return 0 }
    // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let utime = Int(fields[11]), let stime = Int(fields[12]) else { return 0 }
    return utime + stime
}

private func startNodeExporter() async throws {
    let binary = nodeExporterBinary()
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        fatalError("\(binary) not found: run the project's test-dependency script (Debian prometheus-node-exporter)")
    }
    let port = freeLoopbackPort()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = [
        "--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo",
        "--collector.filesystem", "--collector.netdev",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    exporter = process
    exporterPort = port
    for _ in 0..<100 {
        if scrape(port: port) > 1000 { return }
        try await Task.sleep(nanoseconds: 100_000_000)
    }
    stopNodeExporter()
    fatalError("node_exporter did not answer on 127.0.0.1:\(port)")
}

private func stopNodeExporter() {
    guard let process = exporter else { return }
    if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    process.waitUntilExit()
    exporter = nil
}

// MARK: benchmarks

let benchmarks: @Sendable () -> Void = {
    let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))

    Benchmark(
        "SystemCollector: all four metrics, state provided",
        configuration: .init(
            metrics: [.cpuTotal, .wallClock, .mallocCountTotal, .custom("collectorCPU (ns)", useScalingFactor: false)],
            timeUnits: .microseconds,
            warmupIterations: 1,
            scalingFactor: .kilo,
            maxDuration: .seconds(20),
            maxIterations: 10
        )
    ) { benchmark in
        let collector = SystemCollector(hostName: "bench", sampleWindowSeconds: 0.2)
        // The states a previous collection left (a real window, before the measurement).
        let start = Timestamp.now()
        let cpuState = try await collector.collect(.cpuUtilization, previousState: nil, now: start).state
        let netState = try await collector.collect(.networkTraffic, previousState: nil, now: start).state
        let measured = SystemCollector(hostName: "bench", sleep: forbiddenSleep)
        try await Task.sleep(nanoseconds: 50_000_000)
        var samples = 0
        let cpuStart = processCPUNanoseconds()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let now = Timestamp.now()
            samples += try await measured.collect(.cpuUtilization, previousState: cpuState, now: now).samples.count
            samples += try await measured.collect(.memoryUsage, previousState: nil, now: now).samples.count
            samples += try await measured.collect(.diskUsage, previousState: nil, now: now).samples.count
            samples += try await measured.collect(.networkTraffic, previousState: netState, now: now).samples.count
        }
        benchmark.stopMeasurement()
        let perCollection = (processCPUNanoseconds() - cpuStart) / collectionsPerIteration
        benchmark.measurement(.custom("collectorCPU (ns)", useScalingFactor: false), perCollection)
        blackHole(samples)
    }

    Benchmark(
        "node_exporter: 100 scrapes (cpu, meminfo, filesystem, netdev collectors)",
        configuration: .init(
            metrics: [.wallClock, .custom("nodeExporterCPU (µs)", useScalingFactor: false)],
            timeUnits: .milliseconds,
            warmupIterations: 1,
            scalingFactor: .one,
            maxDuration: .seconds(30),
            maxIterations: 8
        )
    ) { benchmark in
        guard let process = exporter else { fatalError("node_exporter is not running") }
        let pid = process.processIdentifier
        let before = cpuTicks(pid: pid)
        benchmark.startMeasurement()
        for _ in 0..<scrapesPerIteration {
            let bytes = scrape(port: exporterPort)
            precondition(bytes > 1000, "scrape of node_exporter failed")
        }
        benchmark.stopMeasurement()
        let ticks = cpuTicks(pid: pid) - before
        benchmark.measurement(
            .custom("nodeExporterCPU (µs)", useScalingFactor: false),
            ticks * 1_000_000 / ticksPerSecond / scrapesPerIteration
        )
    } setup: {
        try await startNodeExporter()
    } teardown: {
        stopNodeExporter()
    }
}
