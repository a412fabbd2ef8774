// swift-tools-version: 6.1
import PackageDescription

/// Benchmarks of InfraMonitor, kept out of the root package so that building and testing the
/// project never needs the benchmark framework. Run with
/// `swift package --disable-sandbox benchmark --target ProcessorBenchmarks` from this folder.
let package = Package(
    name: "InfraMonitorBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "InfraMonitor", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "ProcessorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Processing", package: "InfraMonitor"),
                .product(name: "InfraMonitorCore", package: "InfraMonitor"),
            ],
            path: "ProcessorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CollectorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Collectors", package: "InfraMonitor"),
                .product(name: "InfraMonitorCore", package: "InfraMonitor"),
            ],
            path: "CollectorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ParserBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Collectors", package: "InfraMonitor"),
            ],
            path: "ParserBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StateMachineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StateMachine", package: "InfraMonitor"),
                .product(name: "InfraJSON", package: "InfraMonitor"),
            ],
            path: "StateMachineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "AlarmBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Alarms", package: "InfraMonitor"),
                .product(name: "InfraMonitorCore", package: "InfraMonitor"),
            ],
            path: "AlarmBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "AWSBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AWSSigner", package: "InfraMonitor"),
                .product(name: "AWSClients", package: "InfraMonitor"),
            ],
            path: "AWSBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "FleetBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Fleet", package: "InfraMonitor"),
                .product(name: "Collectors", package: "InfraMonitor"),
                .product(name: "InfraMonitorCore", package: "InfraMonitor"),
                .product(name: "InfraMonitorTesting", package: "InfraMonitor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "FleetBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A fake node_exporter fleet in a process of its own (for FleetRun and
        // reference/prometheus-cpu.sh).
        .executableTarget(
            name: "FakeFleet",
            dependencies: [
                .product(name: "InfraMonitorTesting", package: "InfraMonitor"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "FakeFleet"
        ),
    ]
)
