import Foundation
import InfraMonitorCore
import TestSupport
import Testing

@testable import Collectors

/// 100 × (Δtotal − Δidle − Δiowait) / Δtotal between proc1 and proc2 (see Fixtures/README.md).
let cpuProc1ToProc2 = 100.0 * 1000 / 1900
/// The proc1 counters as state, read at t0.
let cpuStateProc1 = "{\"v\":1,\"t\":[1795000000,0],\"btime\":1764000000,\"cpu\":[10000,500,3000,80000,1000,200,300,0]}"
let netStateProc1 = "{\"v\":1,\"t\":[1795000000,0],\"btime\":1764000000,\"net\":{\"eth0\":[1000000,2000000],\"wlan0\":[500000,250000]}}"

@Suite("SystemCollector on fixture proc trees")
struct SystemCollectorFixtureTests {
    @Test("cpu from the previous counters (state), without waiting")
    func cpuFromState() async throws {
        let procs = try ProcSwitch("proc2")
        let collector = SystemCollector(procRoot: procs.procRoot, hostName: "h1", sleep: noSleep)
        let (samples, state) = try await collector.collect(.cpuUtilization, previousState: cpuStateProc1, now: t0.adding(seconds: 10))
        #expect(samples.count == 1)
        let sample = try #require(samples.first)
        #expect(abs(sample.value - cpuProc1ToProc2) < 1e-9)
        #expect(sample.metric == "cpu_utilization" && sample.unit == "Percent" && sample.host == "h1" && sample.labels.isEmpty)
        #expect(sample.timestamp == t0.adding(seconds: 10))
        #expect(state == "{\"v\":1,\"t\":[1795000010,0],\"btime\":1764000000,\"cpu\":[10600,500,3300,80800,1100,250,350,0]}")
    }

    @Test("cpu on the first run samples a window: the injected sleep swaps proc1 for proc2")
    func cpuFirstRun() async throws {
        let procs = try ProcSwitch("proc1")
        let collector = procs.collector(window: 0.5, switchingTo: "proc2")
        let (samples, state) = try await collector.collect(.cpuUtilization, previousState: nil, now: t0)
        #expect(procs.sleepCalls == [0.5])
        #expect(abs(try #require(samples.first).value - cpuProc1ToProc2) < 1e-9)
        #expect(samples.first?.timestamp == t0)
        // The state holds the second reading, at the end of the window.
        #expect(state == "{\"v\":1,\"t\":[1795000000,500000000],\"btime\":1764000000,\"cpu\":[10600,500,3300,80800,1100,250,350,0]}")
    }

    @Test(
        "unusable cpu state falls back to the sampling window",
        arguments: [
            // counters went backwards (state from proc2, now reading proc1)
            "{\"v\":1,\"t\":[1795000000,0],\"btime\":1764000000,\"cpu\":[10600,500,3300,80800,1100,250,350,0]}",
            // a reboot: boot time changed although counters grew
            "{\"v\":1,\"t\":[1795000000,0],\"btime\":1764100000,\"cpu\":[1,0,1,1,0,0,0,0]}",
            // no time passed since the state
            "{\"v\":1,\"t\":[1795000010,0],\"btime\":1764000000,\"cpu\":[1,0,1,1,0,0,0,0]}",
            "not json", "{\"v\":2}", "",
        ]
    )
    func cpuFallback(state: String) async throws {
        let procs = try ProcSwitch("proc1")
        let collector = procs.collector(switchingTo: "proc2")
        let (samples, newState) = try await collector.collect(.cpuUtilization, previousState: state, now: t0.adding(seconds: 10))
        #expect(procs.sleepCalls == [1])
        #expect(abs(try #require(samples.first).value - cpuProc1ToProc2) < 1e-9)
        #expect(newState?.contains("\"cpu\":[10600,") == true)
    }

    @Test("memory_usage is 100 × (MemTotal − MemAvailable) / MemTotal", arguments: [("proc1", 25.0), ("proc2", 37.5)])
    func memory(fixture: String, expected: Double) async throws {
        let collector = SystemCollector(procRoot: Fixtures.path(fixture), hostName: "h1", sleep: noSleep)
        let (samples, state) = try await collector.collect(.memoryUsage, previousState: nil, now: t0)
        #expect(samples.map(\.value) == [expected])
        #expect(samples.first?.unit == "Percent")
        #expect(state == nil)
    }

    @Test("network per device and direction from the previous counters; lo is left out")
    func networkFromState() async throws {
        let procs = try ProcSwitch("proc2")
        let collector = SystemCollector(procRoot: procs.procRoot, hostName: "h1", sleep: noSleep)
        let (samples, state) = try await collector.collect(.networkTraffic, previousState: netStateProc1, now: t0.adding(seconds: 10))
        #expect(samples.count == 4)
        #expect(value(samples, ["device": "eth0", "direction": "rx"]) == 50_000)
        #expect(value(samples, ["device": "eth0", "direction": "tx"]) == 10_000)
        #expect(value(samples, ["device": "wlan0", "direction": "rx"]) == 2_000)
        #expect(value(samples, ["device": "wlan0", "direction": "tx"]) == 0)
        #expect(samples.allSatisfy { $0.unit == "Bytes/Second" && $0.metric == "network_traffic" && $0.labels["device"] != "lo" })
        #expect(
            state == "{\"v\":1,\"t\":[1795000010,0],\"btime\":1764000000,\"net\":{\"eth0\":[1500000,2100000],\"wlan0\":[520000,250000]}}"
        )
    }

    @Test("network on the first run divides by the measured window")
    func networkFirstRun() async throws {
        let procs = try ProcSwitch("proc1")
        let collector = procs.collector(window: 2, switchingTo: "proc2")
        let (samples, _) = try await collector.collect(.networkTraffic, previousState: nil, now: t0)
        #expect(procs.sleepCalls == [2])
        #expect(value(samples, ["device": "eth0", "direction": "rx"]) == 250_000)
        #expect(value(samples, ["device": "eth0", "direction": "tx"]) == 50_000)
        #expect(value(samples, ["device": "wlan0", "direction": "rx"]) == 10_000)
        #expect(samples.allSatisfy { $0.timestamp == t0 })
    }

    @Test(
        "unusable network state falls back to the sampling window",
        arguments: [
            // counters went backwards
            "{\"v\":1,\"t\":[1795000000,0],\"btime\":1764000000,\"net\":{\"eth0\":[9000000,2000000],\"wlan0\":[500000,250000]}}",
            // an interface appeared (wlan0 unknown)
            "{\"v\":1,\"t\":[1795000000,0],\"btime\":1764000000,\"net\":{\"eth0\":[1000000,2000000]}}",
            // a reboot
            "{\"v\":1,\"t\":[1795000000,0],\"btime\":1763000000,\"net\":{\"eth0\":[1,1],\"wlan0\":[1,1]}}",
            "{\"v\":1,\"t\":[1795000000,0]", "garbage",
        ]
    )
    func networkFallback(state: String) async throws {
        let procs = try ProcSwitch("proc1")
        let collector = procs.collector(window: 1, switchingTo: "proc2")
        let (samples, newState) = try await collector.collect(.networkTraffic, previousState: state, now: t0.adding(seconds: 10))
        #expect(procs.sleepCalls == [1])
        #expect(value(samples, ["device": "eth0", "direction": "rx"]) == 500_000)
        #expect(value(samples, ["device": "wlan0", "direction": "tx"]) == 0)
        #expect(newState?.contains("\"eth0\":[1500000,2100000]") == true)
    }

    @Test("a vanished interface is simply not reported")
    func networkInterfaceGone() async throws {
        let state =
            "{\"v\":1,\"t\":[1795000000,0],\"btime\":1764000000,\"net\":{\"eth0\":[1000000,2000000],\"wlan0\":[500000,250000],\"eth9\":[1,1]}}"
        let collector = SystemCollector(procRoot: Fixtures.path("proc2"), hostName: "h1", sleep: noSleep)
        let (samples, _) = try await collector.collect(.networkTraffic, previousState: state, now: t0.adding(seconds: 10))
        #expect(samples.count == 4)
    }

    @Test("disk reports real file systems once per mount point and skips pseudo ones")
    func diskOnFixtureMounts() async throws {
        let collector = SystemCollector(procRoot: Fixtures.path("proc1"), hostName: "h1", sleep: noSleep)
        let (samples, state) = try await collector.collect(.diskUsage, previousState: nil, now: t0)
        // proc, sysfs, devtmpfs, tmpfs, cgroup2 and docker's overlay are skipped; "/" is listed twice;
        // "/nonexistent/my data" cannot be measured.
        #expect(samples.map(\.labels) == [["mountpoint": "/"]])
        let percent = try #require(samples.first?.value)
        #expect(percent > 0 && percent < 100)
        #expect(samples.first?.unit == "Percent" && state == nil)
    }

    @Test("disk falls back to procRoot/mounts when self/mounts is missing")
    func diskMountsFallback() async throws {
        let directory = try Fixtures.temporaryDirectory("collectors-mounts")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "/dev/vda / ext4 rw 0 0\n".write(toFile: directory + "/mounts", atomically: true, encoding: .utf8)
        let collector = SystemCollector(procRoot: directory, hostName: "h1", sleep: noSleep)
        let (samples, _) = try await collector.collect(.diskUsage, previousState: nil, now: t0)
        #expect(samples.map(\.labels) == [["mountpoint": "/"]])
    }

    @Test("a missing proc root throws unreadable with that path", arguments: Metric.allCases)
    func missingProcRoot(metric: Metric) async throws {
        let collector = SystemCollector(procRoot: "/nonexistent/proc-root", hostName: "h1", sleep: noSleep)
        let error = await #expect(throws: CollectorError.self) {
            try await collector.collect(metric, previousState: nil, now: t0)
        }
        guard case .unreadable(let path, _)? = error else {
            Issue.record("expected .unreadable, got \(String(describing: error))")
            return
        }
        #expect(path == "/nonexistent/proc-root")
        #expect(error?.description.contains("/nonexistent/proc-root") == true)
    }

    @Test("a malformed procfs file throws malformed with the file", arguments: [Metric.cpuUtilization, .memoryUsage, .networkTraffic])
    func malformed(metric: Metric) async throws {
        let root = Fixtures.path("proc-malformed")
        let collector = SystemCollector(procRoot: root, hostName: "h1", sleep: noSleep)
        let error = await #expect(throws: CollectorError.self) {
            try await collector.collect(metric, previousState: nil, now: t0)
        }
        guard case .malformed(let path, let detail)? = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(path.hasPrefix(root))
        #expect(!detail.isEmpty)
    }

    @Test("one collector serves the four metrics concurrently (the Parallel branches)")
    func concurrentCollections() async throws {
        let collector = SystemCollector(procRoot: Fixtures.path("proc2"), hostName: "h1", sleep: noSleep)
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let (samples, _) = try await collector.collect(.networkTraffic, previousState: netStateProc1, now: t0.adding(seconds: 10))
                    return samples.count
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 4, count: 8))
    }
}
