import Collectors
import Foundation
import InfraMonitorCore
import TestSupport
import Testing

/// Checks against this machine's /proc, `free` and `df`.
@Suite("SystemCollector on the live system")
struct LiveSystemTests {
    let collector = SystemCollector(hostName: HostName.system(), sampleWindowSeconds: 0.2)

    @Test("memory_usage within 2 points of free -b (used = total − available)")
    func memoryAgainstFree() async throws {
        let (status, output) = try run("/usr/bin/free", ["-b"])
        try #require(status == 0, "free -b failed")
        let memLine = try #require(output.split(separator: "\n").first { $0.hasPrefix("Mem:") }, "no Mem: line in \(output)")
        let numbers = memLine.split(separator: " ").dropFirst().compactMap { Double($0) }
        try #require(numbers.count >= 6, "unexpected free output: \(memLine)")
        let (total, available) = (numbers[0], numbers[5])
        let expected = 100 * (total - available) / total
        let (samples, _) = try await collector.collect(.memoryUsage, previousState: nil, now: .now())
        let ours = try #require(samples.first?.value)
        #expect(abs(ours - expected) <= 2, "ours \(ours), free \(expected)")
    }

    @Test("disk_usage of / within 1 point of df -P /")
    func diskAgainstDf() async throws {
        let (status, output) = try run("/bin/df", ["-P", "/"])
        try #require(status == 0, "df -P / failed")
        let lines = output.split(separator: "\n")
        try #require(lines.count >= 2, "unexpected df output: \(output)")
        let fields = lines[1].split(separator: " ")
        try #require(fields.count >= 6, "unexpected df line: \(lines[1])")
        let used = try #require(Double(fields[2]))
        let available = try #require(Double(fields[3]))
        let expected = 100 * used / (used + available)
        let (samples, _) = try await collector.collect(.diskUsage, previousState: nil, now: .now())
        let root = try #require(samples.first { $0.labels["mountpoint"] == "/" }, "no sample for / in \(samples.map(\.labels))")
        #expect(abs(root.value - expected) <= 1, "ours \(root.value), df \(expected) (\(lines[1]))")
        #expect(samples.allSatisfy { $0.value >= 0 && $0.value <= 100 })
    }

    @Test("cpu_utilization is within 0…100, on the first run and from the state")
    func cpuRange() async throws {
        let (first, state) = try await collector.collect(.cpuUtilization, previousState: nil, now: .now())
        #expect(first.count == 1)
        #expect((0...100).contains(try #require(first.first).value))
        try await Task.sleep(nanoseconds: 200_000_000)
        let (second, nextState) = try await collector.collect(.cpuUtilization, previousState: state, now: .now())
        #expect((0...100).contains(try #require(second.first).value))
        #expect(nextState != nil && nextState != state)
    }

    @Test("network_traffic is ≥ 0 for every interface of /proc/net/dev but lo, in both directions")
    func networkRange() async throws {
        let (first, state) = try await collector.collect(.networkTraffic, previousState: nil, now: .now())
        let text = try String(contentsOfFile: "/proc/net/dev", encoding: .utf8)
        let devices = Set(
            text.split(separator: "\n").dropFirst(2).compactMap { line in
                line.split(separator: ":").first.map { $0.trimmingCharacters(in: .whitespaces) }
            }
        ).subtracting(["lo"])
        #expect(Set(first.compactMap { $0.labels["device"] }) == devices)
        #expect(first.count == devices.count * 2)
        #expect(first.allSatisfy { $0.value >= 0 && $0.value.isFinite })
        try await Task.sleep(nanoseconds: 100_000_000)
        let (second, _) = try await collector.collect(.networkTraffic, previousState: state, now: .now())
        #expect(second.allSatisfy { $0.value >= 0 && $0.value.isFinite })
    }
}
