// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode with strict concurrency
/// and explicit `any` for existentials.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "InfraMonitor",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "infra-monitor", targets: ["infra-monitor"]),
        .library(name: "StateMachine", targets: ["StateMachine"]),
        .library(name: "InfraMonitorCore", targets: ["InfraMonitorCore"]),
        .library(name: "Processing", targets: ["Processing"]),
        .library(name: "Collectors", targets: ["Collectors"]),
        .library(name: "LocalBackend", targets: ["LocalBackend"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "InfraMonitorCLI", targets: ["InfraMonitorCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // JSON values, parsing and printing; no dependencies.
        .target(name: "InfraJSON", swiftSettings: swiftSettings),
        // Amazon States Language interpreter; knows nothing of AWS or of the pipeline.
        .target(name: "StateMachine", dependencies: ["InfraJSON"], swiftSettings: swiftSettings),
        // zlib, as the system provides it.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Streaming gzip inflate/deflate over CZlib.
        .target(name: "Compression", dependencies: ["CZlib"], swiftSettings: swiftSettings),
        // Domain: samples, timestamps, keys, records, config and the ports backends implement.
        .target(name: "InfraMonitorCore", swiftSettings: swiftSettings),
        // procfs/statvfs collectors and node_exporter scrape mapping.
        .target(name: "Collectors", dependencies: ["InfraMonitorCore"], swiftSettings: swiftSettings),
        // The log-processor: raw batch lines to samples, records and quarantine.
        .target(
            name: "Processing",
            dependencies: ["InfraMonitorCore", "Compression"],
            swiftSettings: swiftSettings
        ),
        // Task handlers and the execution of the pipeline's state machine over the ports.
        .target(
            name: "Pipeline",
            dependencies: ["InfraMonitorCore", "StateMachine", "Collectors", "Processing", "Compression", "InfraJSON"],
            swiftSettings: swiftSettings
        ),
        // Embedded backend: folder object store, SQLite tables, outbox notifier, log files.
        .target(
            name: "LocalBackend",
            dependencies: [
                "InfraMonitorCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // The command line: parsing and wiring, testable as a library.
        .target(
            name: "InfraMonitorCLI",
            dependencies: [
                "InfraMonitorCore", "StateMachine", "Collectors", "Processing", "Pipeline", "LocalBackend", "InfraJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "infra-monitor", dependencies: ["InfraMonitorCLI"], swiftSettings: swiftSettings),

        .target(
            name: "TestSupport",
            dependencies: ["InfraMonitorCore"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "InfraJSONTests", dependencies: ["InfraJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StateMachineTests",
            dependencies: ["StateMachine", "InfraJSON"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"], swiftSettings: swiftSettings),
        .testTarget(name: "InfraMonitorCoreTests", dependencies: ["InfraMonitorCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CollectorsTests",
            dependencies: ["Collectors", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProcessingTests",
            dependencies: ["Processing", "Compression", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LocalBackendTests",
            dependencies: ["LocalBackend", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InfraMonitorCLITests",
            dependencies: ["InfraMonitorCLI", "TestSupport", "Compression", "InfraJSON"],
            swiftSettings: swiftSettings
        ),
    ]
)
