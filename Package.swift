// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode with strict concurrency, explicit `any`
/// for existentials, members visible only from modules a file imports, and imports internal unless
/// marked `public import` (as Hummingbird builds).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The Lambda bootstrap build (`scripts/build-lambda.sh`, `infra-monitor deploy package`) sets
/// `INFRA_MONITOR_LAMBDA_LINK_DIR` to a folder holding `libstdc++.so` and `libz.so` links to the
/// static archives and the compiled `scripts/lambda/al2023-compat.c`; the `-L` must reach the
/// compiler driver (not `-Xlinker`) to come before the toolchain's own library folders. Only the
/// link of `infra-monitor-lambda` changes, so every compiled object is shared with other builds.
let lambdaLinkSettings: [LinkerSetting] =
    Context.environment["INFRA_MONITOR_LAMBDA_LINK_DIR"].map { folder in
        [.unsafeFlags(["-L", folder, folder + "/al2023-compat.o"])]
    } ?? []

let package = Package(
    name: "InfraMonitor",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "infra-monitor", targets: ["infra-monitor"]),
        .executable(name: "infra-monitor-lambda", targets: ["infra-monitor-lambda"]),
        .library(name: "StateMachine", targets: ["StateMachine"]),
        .library(name: "InfraJSON", targets: ["InfraJSON"]),
        .library(name: "JSONata", targets: ["JSONata"]),
        .library(name: "InfraMonitorCore", targets: ["InfraMonitorCore"]),
        .library(name: "Processing", targets: ["Processing"]),
        .library(name: "Collectors", targets: ["Collectors"]),
        .library(name: "LocalBackend", targets: ["LocalBackend"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "AWSSigner", targets: ["AWSSigner"]),
        .library(name: "AWSClients", targets: ["AWSClients"]),
        .library(name: "Scheduler", targets: ["Scheduler"]),
        .library(name: "InfraMonitorCLI", targets: ["InfraMonitorCLI"]),
        .library(name: "InfraMonitorTesting", targets: ["InfraMonitorTesting"]),
        .library(name: "Alarms", targets: ["Alarms"]),
        .library(name: "Fleet", targets: ["Fleet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // JSON values, parsing and printing; no dependencies.
        .target(name: "InfraJSON", swiftSettings: swiftSettings),
        // JSONata: lexer, parser and evaluator of the query language; depends only on InfraJSON.
        .target(name: "JSONata", dependencies: ["InfraJSON"], swiftSettings: swiftSettings),
        // Amazon States Language interpreter; knows nothing of AWS or of the pipeline.
        .target(name: "StateMachine", dependencies: ["InfraJSON", "JSONata"], swiftSettings: swiftSettings),
        // zlib, as the system provides it.
        .systemLibrary(name: "CSystemZlib", path: "Sources/CSystemZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // Streaming gzip inflate/deflate over the system zlib.
        .target(name: "Compression", dependencies: ["CSystemZlib"], swiftSettings: swiftSettings),
        // Domain: samples, timestamps, keys, records, settings, the ports backends implement and the
        // `Backend` that bundles them.
        .target(
            name: "InfraMonitorCore",
            dependencies: ["InfraJSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // In-memory implementations of every port, for tests (as HummingbirdTesting or NIOEmbedded).
        .target(
            name: "InfraMonitorTesting",
            dependencies: ["InfraMonitorCore", "InfraJSON", "Collectors", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // procfs/statvfs collectors and node_exporter scrape mapping.
        .target(name: "Collectors", dependencies: ["InfraMonitorCore"], swiftSettings: swiftSettings),
        // The log-processor: raw batch lines to samples, records and quarantine.
        .target(
            name: "Processing",
            dependencies: ["InfraMonitorCore", "Compression"],
            swiftSettings: swiftSettings
        ),
        // EventBridge schedule expressions: rate(...) and cron(...), next fire times.
        .target(name: "Scheduler", dependencies: ["InfraMonitorCore"], swiftSettings: swiftSettings),
        // Task handlers and the execution of the pipeline's state machine over the ports.
        .target(
            name: "Pipeline",
            dependencies: [
                "InfraMonitorCore", "StateMachine", "Collectors", "Processing", "Compression", "InfraJSON", "Alarms",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Alarms in PutMetricAlarm words: validation, CloudWatch's evaluation, fan-out, transitions.
        .target(name: "Alarms", dependencies: ["InfraMonitorCore", "InfraJSON"], swiftSettings: swiftSettings),
        // Embedded backend: folder object store, SQLite tables, outbox notifier, log files.
        .target(
            name: "LocalBackend",
            dependencies: [
                "InfraMonitorCore", "InfraJSON", "Alarms",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // AWS Signature Version 4 and the credential chain; depends only on swift-crypto.
        .target(
            name: "AWSSigner",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The request layer (REST-XML, JSON, Query) and the small service clients on AsyncHTTPClient.
        .target(
            name: "AWSClients",
            dependencies: [
                "AWSSigner", "InfraJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // The AWS adapters behind the ports: S3, DynamoDB, SNS, CloudWatch, Logs, Athena, Step Functions; the spool.
        .target(
            name: "AWSBackend",
            dependencies: ["InfraMonitorCore", "AWSClients", "InfraJSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // The Lambda Runtime API loop (custom runtime `provided.al2023`).
        .target(
            name: "LambdaRuntime",
            dependencies: [
                "InfraJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // CloudFormation template, deploy/destroy through the CloudFormation API, cost estimate.
        .target(
            name: "Deploy",
            dependencies: [
                "InfraMonitorCore", "InfraJSON", "AWSClients", "Scheduler",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fleets: Prometheus scrape configs, service discovery, relabeling and the node_exporter scraper.
        .target(
            name: "Fleet",
            dependencies: [
                "InfraMonitorCore", "Collectors", "AWSClients",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // The web dashboard, /metrics, /healthz and the JSON API of `serve`.
        .target(
            name: "Dashboard",
            dependencies: [
                "InfraMonitorCore", "InfraJSON", "Scheduler", "Alarms",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The command line: parsing and wiring, testable as a library.
        .target(
            name: "InfraMonitorCLI",
            dependencies: [
                "InfraMonitorCore", "StateMachine", "Collectors", "Processing", "Pipeline", "LocalBackend", "InfraJSON",
                "Scheduler", "Dashboard", "Deploy", "AWSBackend", "AWSClients", "Alarms", "Fleet",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "infra-monitor",
            dependencies: ["InfraMonitorCLI", .target(name: "CMalloc", condition: .when(platforms: [.linux]))],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "infra-monitor-lambda",
            dependencies: [
                "LambdaRuntime", "AWSBackend", "AWSClients", "Pipeline", "InfraMonitorCore", "InfraJSON", "Collectors", "Fleet", "Alarms",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: lambdaLinkSettings
        ),

        .target(
            name: "TestSupport",
            dependencies: ["InfraMonitorCore"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "InfraJSONTests", dependencies: ["InfraJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "JSONataTests", dependencies: ["JSONata", "InfraJSON"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
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
            name: "FleetTests",
            dependencies: ["Fleet", "Collectors", "InfraMonitorCore", "InfraMonitorTesting", "AWSClients", "Compression", "TestSupport"],
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
            name: "AlarmsTests",
            dependencies: ["Alarms", "InfraMonitorCore", "InfraJSON"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LocalBackendTests",
            dependencies: [
                "LocalBackend", "TestSupport", "InfraMonitorCore", "InfraJSON", "Alarms", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SchedulerTests",
            dependencies: ["Scheduler", "InfraMonitorCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSSignerTests",
            dependencies: ["AWSSigner", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSClientsTests",
            dependencies: ["AWSClients", "AWSSigner", "InfraJSON", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSBackendTests",
            dependencies: ["AWSBackend", "AWSClients", "InfraMonitorCore", "InfraJSON", "TestSupport", "Compression", "Pipeline", "Deploy"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LambdaRuntimeTests",
            dependencies: ["LambdaRuntime", "InfraJSON", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DeployTests",
            dependencies: ["Deploy", "AWSClients", "InfraJSON", "TestSupport", "InfraMonitorCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DashboardTests",
            dependencies: [
                "Dashboard", "LocalBackend", "InfraMonitorCore", "InfraJSON", "TestSupport", "InfraMonitorTesting", "Alarms", "Collectors",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["Pipeline", "InfraMonitorTesting", "InfraMonitorCore", "InfraJSON", "Collectors", "Alarms", "StateMachine"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InfraMonitorCLITests",
            dependencies: ["InfraMonitorCLI", "TestSupport", "Compression", "InfraJSON", "InfraMonitorCore", "LocalBackend", "Alarms"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)
