import Collectors
import Foundation
import InfraMonitorCore
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real `prometheus-node-exporter` on a loopback port, limited to the four collectors we map.
final class NodeExporterProcess {
    let process: Process
    let port: Int
    var url: String { "http://127.0.0.1:\(port)/metrics" }

    /// The binary: `$INFRA_MONITOR_NODE_EXPORTER`, else the Debian package's path.
    static var binary: String {
        ProcessInfo.processInfo.environment["INFRA_MONITOR_NODE_EXPORTER"] ?? "/usr/bin/prometheus-node-exporter"
    }

    static let missingMessage =
        "prometheus-node-exporter not found at \(binary): run the project's test-dependency script "
        + "(it installs the Debian package prometheus-node-exporter), or set INFRA_MONITOR_NODE_EXPORTER"

    /// Starts node_exporter and waits until it answers; throws if it does not within 10 s.
    init() throws {
        var lastError = "not started"
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = [
                "--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.cpu",
                "--collector.meminfo", "--collector.filesystem", "--collector.netdev",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<100 where process.isRunning {
                if let text = try? scrapeText("http://127.0.0.1:\(port)/metrics"), text.contains("node_cpu_seconds_total") {
                    self.process = process
                    self.port = port
                    return
                }
                usleep(100_000)
            }
            lastError = process.isRunning ? "no answer on port \(port) within 10 s" : "exited with status \(process.terminationStatus)"
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
        }
        throw NodeExporterError(message: "node_exporter did not start: \(lastError)")
    }

    /// Stops the process by its PID.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
        }
        process.waitUntilExit()
    }

    func scrape() throws -> NodeExporterScrape {
        NodeExporterScrape(text: try scrapeText(url), time: .now())
    }
}

struct NodeExporterError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// GET `url` with `curl -s`.
func scrapeText(_ url: String) throws -> String {
    let (status, output) = try run("/usr/bin/curl", ["-s", "--fail", "--max-time", "5", url])
    guard status == 0 else { throw NodeExporterError(message: "curl \(url) exited with \(status)") }
    return output
}

/// A port on 127.0.0.1 that was free a moment ago.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw NodeExporterError(message: "socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw NodeExporterError(message: "bind to 127.0.0.1:0 failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

@Suite("against a real prometheus-node-exporter", .serialized)
struct NodeExporterLiveTests {
    @Test("our collector and node_exporter agree; cpu and network from two scrapes are in range")
    func agreesWithNodeExporter() async throws {
        guard FileManager.default.isExecutableFile(atPath: NodeExporterProcess.binary) else {
            Issue.record(Comment(rawValue: NodeExporterProcess.missingMessage))
            return
        }
        let exporter = try NodeExporterProcess()
        defer { exporter.stop() }

        let first = try exporter.scrape()
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let second = try exporter.scrape()
        let ours = SystemCollector(hostName: "live", sampleWindowSeconds: 0.2)
        let now = Timestamp.now()

        let theirMemory = try #require(NodeExporterMapping.memoryUsage(second, host: "live").first?.value)
        let ourMemory = try #require(try await ours.collect(.memoryUsage, previousState: nil, now: now).samples.first?.value)
        #expect(abs(theirMemory - ourMemory) <= 2, "node_exporter \(theirMemory), ours \(ourMemory)")

        let theirDisk = try NodeExporterMapping.diskUsage(second, host: "live")
        let theirRoot = try #require(theirDisk.first { $0.labels["mountpoint"] == "/" }?.value, "node_exporter reports no /")
        let ourDisk = try await ours.collect(.diskUsage, previousState: nil, now: now).samples
        let ourRoot = try #require(ourDisk.first { $0.labels["mountpoint"] == "/" }?.value)
        #expect(abs(theirRoot - ourRoot) <= 1, "node_exporter \(theirRoot), ours \(ourRoot)")

        let cpu = try NodeExporterMapping.samples(.cpuUtilization, from: first, to: second, host: "live")
        #expect(cpu.count == 1)
        #expect(cpu.allSatisfy { (0...100).contains($0.value) })

        let network = try NodeExporterMapping.samples(.networkTraffic, from: first, to: second, host: "live")
        let ourNetwork = try await ours.collect(.networkTraffic, previousState: nil, now: now).samples
        #expect(!network.isEmpty)
        #expect(network.allSatisfy { $0.value >= 0 && $0.value.isFinite && $0.labels["device"] != "lo" })
        #expect(Set(network.map(\.labels)) == Set(ourNetwork.map(\.labels)))

        // The state-keeping collector over the same target, scraping with curl.
        let url = exporter.url
        let remote = NodeExporterCollector(target: url, hostName: "live", sampleWindowSeconds: 0.3, scrape: { try scrapeText(url) })
        let (remoteCPU, state) = try await remote.collect(.cpuUtilization, previousState: nil, now: .now())
        #expect(remoteCPU.allSatisfy { (0...100).contains($0.value) })
        try await Task.sleep(nanoseconds: 300_000_000)
        let (again, _) = try await remote.collect(.cpuUtilization, previousState: state, now: .now())
        #expect(again.count == 1 && again.allSatisfy { (0...100).contains($0.value) })
    }
}
