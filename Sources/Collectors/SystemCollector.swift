public import InfraMonitorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif

/// Collects the four metrics of docs/design.md, "Metrics" from procfs and `statvfs` on this machine.
///
/// cpu and network are counter-based: their value is the average since the previous collection,
/// whose counters the caller passes back as `previousState`. Without usable state (first run,
/// unreadable state, a counter went backwards, a reboot, a new interface) the collector reads the
/// counters twice, `sampleWindowSeconds` apart.
public struct SystemCollector: Sendable {
    /// The procfs root: `stat`, `meminfo`, `net/dev` and `self/mounts` (or `mounts`) are read there.
    public let procRoot: String
    /// The `host` of the samples.
    public let hostName: String
    /// The fallback sampling window for counter-based metrics, in seconds.
    public let sampleWindowSeconds: Double
    private let sleep: @Sendable (Double) async throws -> Void
    private let clock: @Sendable () -> Double
    private let reader = ProcFileReader()

    /// - Parameters:
    ///   - procRoot: where procfs is mounted (a fixture folder in tests).
    ///   - hostName: the `host` of the samples.
    ///   - sampleWindowSeconds: the fallback window for cpu and network when there is no usable state.
    ///   - sleep: waits that many seconds; tests inject one that returns at once.
    ///   - clock: a monotonic clock in seconds, used to measure the fallback window; tests inject one
    ///     that their `sleep` advances.
    public init(
        procRoot: String = "/proc",
        hostName: String,
        sampleWindowSeconds: Double = 1,
        sleep: @escaping @Sendable (Double) async throws -> Void = SystemCollector.realSleep,
        clock: @escaping @Sendable () -> Double = SystemCollector.monotonicSeconds
    ) {
        self.procRoot = procRoot.count > 1 && procRoot.hasSuffix("/") ? String(procRoot.dropLast()) : procRoot
        self.hostName = hostName
        self.sampleWindowSeconds = sampleWindowSeconds
        self.sleep = sleep
        self.clock = clock
    }

    /// Sleeps with `Task.sleep`.
    @Sendable public static func realSleep(_ seconds: Double) async throws {
        guard seconds > 0, seconds.isFinite else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
    }

    /// Seconds of `CLOCK_MONOTONIC`.
    @Sendable public static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Samples of one metric at `now`, and the state to keep for the next collection (nil for
    /// metrics without counters).
    /// - Parameters:
    ///   - previousState: what the previous collection of this metric on this host returned.
    ///   - now: the time of the samples; counters are taken as read at this instant, so pass the
    ///     current time for exact rates.
    /// - Throws: ``CollectorError`` when a procfs file is missing, unreadable or malformed.
    public func collect(
        _ metric: Metric,
        previousState: String?,
        now: Timestamp
    ) async throws(CollectorError) -> (
        samples: [Sample], state: String?
    ) {
        switch metric {
        case .cpuUtilization: return try await collectCPU(previousState: previousState, now: now)
        case .memoryUsage: return (try memory(now: now), nil)
        case .diskUsage: return (try disk(now: now), nil)
        case .networkTraffic: return try await collectNetwork(previousState: previousState, now: now)
        }
    }

    // MARK: memory and disk

    func memory(now: Timestamp) throws(CollectorError) -> [Sample] {
        let path = procRoot + "/meminfo"
        let (total, available) = try reader.withContents(of: path, root: procRoot) { bytes throws(CollectorError) in
            try ProcParse.memory(bytes, path: path)
        }
        let used = total >= available ? Double(total - available) : 0
        return [sample(.memoryUsage, now, 100 * used / Double(total))]
    }

    func disk(now: Timestamp) throws(CollectorError) -> [Sample] {
        let entries = try mountEntries()
        var samples: [Sample] = []
        var seen = Set<String>()
        for entry in entries where FileSystemFilter.includes(mountPoint: entry.mountPoint, type: entry.fileSystemType) {
            guard !seen.contains(entry.mountPoint), let percent = Self.usedPercent(of: entry.mountPoint) else { continue }
            seen.insert(entry.mountPoint)
            samples.append(sample(.diskUsage, now, percent, ["mountpoint": entry.mountPoint]))
        }
        return samples
    }

    /// The mount list of `procRoot/self/mounts`, else `procRoot/mounts`.
    func mountEntries() throws(CollectorError) -> [MountEntry] {
        let primary = procRoot + "/self/mounts"
        do {
            return try reader.withContents(of: primary, root: procRoot) { bytes throws(CollectorError) in ProcParse.mounts(bytes) }
        } catch {
            if case .unreadable(let path, _) = error, path == procRoot { throw error }
            let fallback = procRoot + "/mounts"
            do {
                return try reader.withContents(of: fallback, root: procRoot) { bytes throws(CollectorError) in ProcParse.mounts(bytes) }
            } catch {
                throw .unreadable(path: primary, reason: "\(error) (and \(fallback) neither)")
            }
        }
    }

    /// `df`'s use of a mounted file system: 100 × used / (used + avail) with used = blocks − bfree
    /// and avail = bavail; nil when it cannot be measured or has no size.
    static func usedPercent(of mountPoint: String) -> Double? {
        var info = statvfs()
        guard statvfs(mountPoint, &info) == 0, info.f_blocks > 0 else { return nil }
        let used = Double(info.f_blocks &- info.f_bfree)
        let available = Double(info.f_bavail)
        guard info.f_blocks >= info.f_bfree, used + available > 0 else { return nil }
        return 100 * used / (used + available)
    }

    // MARK: cpu

    func readCPU() throws(CollectorError) -> CPUCounters {
        let path = procRoot + "/stat"
        return try reader.withContents(of: path, root: procRoot) { bytes throws(CollectorError) in try ProcParse.cpu(bytes, path: path) }
    }

    func collectCPU(previousState: String?, now: Timestamp) async throws(CollectorError) -> (samples: [Sample], state: String?) {
        let current = try readCPU()
        if let previous = previousState.flatMap(CounterState.decodeCPU), let value = Self.cpuPercent(from: previous.counters, to: current),
            now > previous.time
        {
            return ([sample(.cpuUtilization, now, value)], CounterState.encode(CounterState.CPU(time: now, counters: current)))
        }
        let (elapsed, later) = try await afterWindow { () throws(CollectorError) in try readCPU() }
        let value = Self.cpuPercent(from: current, to: later) ?? 0
        let state = CounterState.CPU(time: now.adding(secondsFraction: elapsed), counters: later)
        return ([sample(.cpuUtilization, now, value)], CounterState.encode(state))
    }

    /// 100 × (Δtotal − Δidle − Δiowait) / Δtotal; nil after a reset or when no time passed.
    static func cpuPercent(from earlier: CPUCounters, to later: CPUCounters) -> Double? {
        guard !later.wentBackwards(from: earlier), !rebooted(earlier.bootTime, later.bootTime) else { return nil }
        let total = later.total &- earlier.total
        guard total > 0 else { return nil }
        let idle = (later.idle &- earlier.idle) &+ (later.iowait &- earlier.iowait)
        let busy = total >= idle ? Double(total - idle) : 0
        return min(100, max(0, 100 * busy / Double(total)))
    }

    /// Boot times from /proc/stat may drift by a second as the clock is adjusted.
    static func rebooted(_ earlier: UInt64, _ later: UInt64) -> Bool {
        (earlier > later ? earlier - later : later - earlier) > 2
    }

    // MARK: network

    func readNetwork() throws(CollectorError) -> [InterfaceCounters] {
        let path = procRoot + "/net/dev"
        return try reader.withContents(of: path, root: procRoot) { bytes throws(CollectorError) in
            try ProcParse.networkDevices(bytes, path: path)
        }
    }

    func readBootTime() throws(CollectorError) -> UInt64 {
        try reader.withContents(of: procRoot + "/stat", root: procRoot) { bytes throws(CollectorError) in ProcParse.bootTime(bytes) }
    }

    func collectNetwork(previousState: String?, now: Timestamp) async throws(CollectorError) -> (samples: [Sample], state: String?) {
        let current = try readNetwork()
        let bootTime = try readBootTime()
        if let previous = previousState.flatMap(CounterState.decodeNetwork), !Self.rebooted(previous.bootTime, bootTime) {
            let elapsed = now.secondsSince(previous.time)
            if elapsed > 0, let samples = networkSamples(from: previous.interfaces, to: current, seconds: elapsed, now: now) {
                return (samples, CounterState.encode(CounterState.Network(time: now, bootTime: bootTime, interfaces: current)))
            }
        }
        let (elapsed, later) = try await afterWindow { () throws(CollectorError) in try readNetwork() }
        let samples = networkSamples(from: current, to: later, seconds: elapsed, now: now, allowNew: true) ?? []
        let state = CounterState.Network(time: now.adding(secondsFraction: elapsed), bootTime: bootTime, interfaces: later)
        return (samples, CounterState.encode(state))
    }

    /// Bytes per second per interface and direction; nil when an interface is new or a counter
    /// went backwards (unless `allowNew`, where such interfaces are left out).
    func networkSamples(
        from earlier: [InterfaceCounters],
        to later: [InterfaceCounters],
        seconds: Double,
        now: Timestamp,
        allowNew: Bool = false
    ) -> [Sample]? {
        var previous: [String: InterfaceCounters] = [:]
        previous.reserveCapacity(earlier.count)
        for interface in earlier { previous[interface.name] = interface }
        var samples: [Sample] = []
        samples.reserveCapacity(later.count * 2)
        for interface in later {
            guard let before = previous[interface.name], interface.receivedBytes >= before.receivedBytes,
                interface.transmittedBytes >= before.transmittedBytes
            else {
                if allowNew { continue }
                return nil
            }
            let rx = Double(interface.receivedBytes - before.receivedBytes) / seconds
            let tx = Double(interface.transmittedBytes - before.transmittedBytes) / seconds
            samples.append(sample(.networkTraffic, now, rx, ["device": interface.name, "direction": "rx"]))
            samples.append(sample(.networkTraffic, now, tx, ["device": interface.name, "direction": "tx"]))
        }
        return samples
    }

    // MARK: helpers

    /// Waits the sampling window, then reads again; returns the measured seconds (the nominal
    /// window when the clock did not move) and the second reading.
    private func afterWindow<T>(_ read: () throws(CollectorError) -> T) async throws(CollectorError) -> (Double, T) {
        let start = clock()
        do {
            try await sleep(sampleWindowSeconds)
        } catch {
            throw .cancelled
        }
        let value = try read()
        let measured = clock() - start
        let elapsed = measured > 0 ? measured : max(sampleWindowSeconds, 1e-3)
        return (elapsed, value)
    }

    private func sample(_ metric: Metric, _ now: Timestamp, _ value: Double, _ labels: [String: String] = [:]) -> Sample {
        Sample(metric: metric.rawValue, host: hostName, timestamp: now, value: value, unit: metric.unit, labels: labels)
    }
}

extension Timestamp {
    /// The instant `seconds` (possibly fractional, non-negative) later.
    func adding(secondsFraction seconds: Double) -> Timestamp {
        let whole = seconds.rounded(.down)
        var nanos = Int64(nanoseconds) + Int64(((seconds - whole) * 1e9).rounded())
        var secs = self.seconds + Int64(whole)
        if nanos >= 1_000_000_000 {
            nanos -= 1_000_000_000
            secs += 1
        }
        return Timestamp(seconds: secs, nanoseconds: Int32(nanos))
    }
}
