import AsyncHTTPClient
import Benchmark
import Collectors
import Fleet
import Foundation
import InfraMonitorCore
import InfraMonitorTesting
import NIOCore
import NIOHTTP1
import NIOPosix

/// The 100 KB node_exporter page of the collector tests (`reference/make_node_page.py`).
private let fullPage: String = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/CollectorsTests/Fixtures/node_exporter_100k.prom").path
    guard let page = try? String(contentsOfFile: path, encoding: .utf8), !page.isEmpty else {
        fatalError("cannot read \(path): run the benchmarks from a full checkout of the repository")
    }
    return page
}()

/// Collector state in memory (the pipeline keeps it in the state store between executions).
private actor MemoryStateStore: CollectorStateStore {
    var values: [String: String] = [:]
    func load(host: String, name: String) async throws -> String? { values[host + "#" + name] }
    func save(host: String, name: String, value: String) async throws { values[host + "#" + name] = value }
}

/// One HTTP server per loopback address (127.0.0.0/8 is all loopback on Linux), in this process,
/// on one event-loop thread, answering from the filtered pages. Only loopback is bound or contacted.
private final class LoopbackFleet: Sendable {
    let group: MultiThreadedEventLoopGroup
    let targets: [String]
    private let channels: [any Channel]

    init(count: Int, filter: NodeExporterCollectPages) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var channels: [any Channel] = []
        var targets: [String] = []
        for index in 0..<count {
            let address = "127.0.\(20 + index / 250).\(index % 250 + 1)"
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(PageHandler(filter: filter))
                    }
                }
                .bind(host: address, port: 0).get()
            channels.append(channel)
            targets.append("\(address):\(channel.localAddress?.port ?? 0)")
        }
        self.channels = channels
        self.targets = targets
    }

    func stop() async {
        for channel in channels { try? await channel.close() }
        try? await group.shutdownGracefully()
    }
}

private final class PageHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let filter: NodeExporterCollectPages
    private var head: HTTPRequestHead?

    init(filter: NodeExporterCollectPages) { self.filter = filter }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            let body = filter.page(for: head.uri)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
            headers.add(name: "Content-Length", value: String(body.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// Peak resident memory of this process since it started (servers and scraper together), in MiB.
private func peakResidentMiB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss / 1024
}

private let firstRound = BenchmarkMetric.custom(
    "first execution ms (no counter state, 0.2 s window)",
    polarity: .prefersSmaller,
    useScalingFactor: false
)
private let steadyRound = BenchmarkMetric.custom(
    "execution ms (4 metrics, counter state present)",
    polarity: .prefersSmaller,
    useScalingFactor: false
)
private let maxResident = BenchmarkMetric.custom("process peak RSS MiB (getrusage)", polarity: .prefersSmaller, useScalingFactor: false)
private let samplesMetric = BenchmarkMetric.custom("samples per execution", polarity: .prefersLarger, useScalingFactor: false)

/// Milliseconds since `start`.
private func milliseconds(since start: ContinuousClock.Instant) -> Int {
    let elapsed = ContinuousClock.now - start
    return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
}

let benchmarks: @Sendable () -> Void = {
    precondition(fullPage.utf8.count > 90_000, "the 100 KB node_exporter fixture is missing")
    let filter = NodeExporterCollectPages(fullPage: fullPage)
    let counts = (ProcessInfo.processInfo.environment["FLEET_BENCH_TARGETS"] ?? "10,100,1000").split(separator: ",").compactMap { Int($0) }
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, firstRound, steadyRound, maxResident, samplesMetric],
        timeUnits: .milliseconds,
        warmupIterations: 0,
        maxDuration: .seconds(60),
        maxIterations: 5
    )
    for count in counts {
        // One iteration: bind the fleet, run a first execution (no counter state: the 0.2 s sampling
        // window), then the measured execution: all four metrics over every target, steady state.
        Benchmark("Fleet: \(count) loopback targets, 100 KB page, one execution of 4 metrics", configuration: configuration) { benchmark in
            do {
                let fleet = try await LoopbackFleet(count: count, filter: filter)
                let client = HTTPTargetFetcher.makeClient()
                let scraper = FleetScraper(
                    fetcher: HTTPTargetFetcher(client: client),
                    stateStore: MemoryStateStore(),
                    options: FleetScrapeOptions(concurrency: 64, sampleWindowSeconds: 0.2)
                )
                let targets = fleet.targets.map { ScrapeTarget(job: "node", address: $0, labels: ["job": "node", "instance": $0]) }
                let first = ContinuousClock.now
                for metric in Metric.allCases {
                    let result = await scraper.collect(metric, targets: targets, now: .now())
                    precondition(result.failedTargets.isEmpty, "first round: \(result.failedTargets.count) targets failed")
                }
                benchmark.measurement(firstRound, milliseconds(since: first))
                var samples = 0
                let steady = ContinuousClock.now
                benchmark.startMeasurement()
                for metric in Metric.allCases {
                    let result = await scraper.collect(metric, targets: targets, now: .now())
                    precondition(result.failedTargets.isEmpty, "\(result.failedTargets.count) targets failed")
                    samples += result.samples.count
                    blackHole(result)
                }
                benchmark.stopMeasurement()
                benchmark.measurement(steadyRound, milliseconds(since: steady))
                benchmark.measurement(samplesMetric, samples)
                benchmark.measurement(maxResident, peakResidentMiB())
                try await client.shutdown()
                await fleet.stop()
            } catch {
                fatalError("fleet benchmark: \(error)")
            }
        }
    }
}
