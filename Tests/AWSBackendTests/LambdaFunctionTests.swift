import AWSBackend
import AWSClients
import Foundation
import InfraJSON
import InfraMonitorCore
import TestSupport
import Testing

/// The `infra-monitor-lambda` bootstrap run as Lambda runs it: against a fake Runtime API
/// (`Tests/LambdaRuntimeTests/Fixtures/fake_runtime_api.py`), its AWS calls going to moto.
@Suite(.serialized) struct LambdaFunctionTests {
    /// The bootstrap built beside `infra-monitor`.
    static var bootstrapPath: String {
        URL(fileURLWithPath: CommandRunner.infraMonitorPath).deletingLastPathComponent().appendingPathComponent("infra-monitor-lambda").path
    }

    static let functionHeaders = [
        "Lambda-Runtime-Deadline-Ms": "4102444800000",
        "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:eu-west-1:123456789012:function:test",
    ]

    /// Runs the bootstrap with `handler` until it has posted `posts` times (or exited), then stops
    /// it and the fake; returns the posts as `(path, body)`.
    static func invoke(
        handler: String,
        events: [(id: String, body: String)],
        posts: Int,
        moto: MotoServer,
        environment extra: [String: String] = [:]
    ) throws -> [(String, String)] {
        let folder = try Fixtures.temporaryDirectory("lambda")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let list: JSON = .array(
            events.map { event in
                var headers = functionHeaders
                headers["Lambda-Runtime-Aws-Request-Id"] = event.id
                return ["headers": .object(headers.mapValues { .string($0) }), "body": .string(event.body)]
            }
        )
        try list.text.write(toFile: folder + "/events.json", atomically: true, encoding: .utf8)
        let fake = try start(
            "/usr/bin/env",
            [
                "python3", CommandRunner.projectRoot + "/Tests/LambdaRuntimeTests/Fixtures/fake_runtime_api.py", folder + "/events.json",
                folder + "/record.jsonl", folder + "/port", "hold",
            ],
            environment: [:]
        )
        defer { stop(fake) }
        var port: String?
        for _ in 0..<500 where port == nil {
            port = try? String(contentsOfFile: folder + "/port", encoding: .utf8)
            if port == nil { usleep(20_000) }
        }
        guard let port else { throw TestSupportError("the fake Runtime API did not start") }
        var environment = MotoServer.environment
        environment["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:\(port)"
        environment["_HANDLER"] = handler
        environment["AWS_ENDPOINT_URL"] = moto.endpoint
        for (key, value) in extra { environment[key] = value }
        let function = try start(bootstrapPath, [], environment: environment)
        defer { stop(function) }
        var recorded: [(String, String)] = []
        for _ in 0..<1200 {
            let running = function.isRunning
            let text = (try? String(contentsOfFile: folder + "/record.jsonl", encoding: .utf8)) ?? ""
            recorded = try text.split(separator: "\n").map { line in
                let json = try JSON(parsing: String(line))
                return (json["path"]?.stringValue ?? "", json["body"]?.stringValue ?? "")
            }
            if recorded.count >= posts || !running { break }
            usleep(50_000)
        }
        return recorded
    }

    static func start(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func stop(_ process: Process) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    @Test func dataCollectorStoresTheBranchBatchAndAnswersTheStateMachine() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        try await AWSServices(client: moto.client).createResources()
        let posts = try Self.invoke(
            handler: "data-collector",
            events: [
                ("c-1", #"{"metric":"memory_usage","execution_id":"lambda-1","scheduled_time":"2026-11-25T18:00:00Z"}"#),
                ("c-2", #"{"metric":"no_such_metric","execution_id":"lambda-1","scheduled_time":"2026-11-25T18:00:00Z"}"#),
            ],
            posts: 2,
            moto: moto
        )
        #expect(posts.map(\.0) == ["/2018-06-01/runtime/invocation/c-1/response", "/2018-06-01/runtime/invocation/c-2/error"])
        let key = "raw-metrics/2026/11/25/20261125T180000Z_lambda-1_memory_usage.jsonl.gz"
        let response = try JSON(parsing: posts.first?.1 ?? "")
        #expect(response == ["metric": "memory_usage", "samples": 1, "key": .string(key)])
        #expect(try JSON(parsing: posts.last?.1 ?? "")["errorType"] == "PipelineError")
        let body = try await S3Client(client: moto.client).getObject(bucket: ObjectKeys.bucket, key: key)
        #expect(body.starts(with: [0x1f, 0x8b]))
    }

    @Test func logProcessorProcessesEveryRecordOfAnS3EventWithDecodedKeys() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let services = AWSServices(client: moto.client)
        try await services.createResources()
        let spaced = "raw-metrics/2026/11/25/20261125T180000Z_manual run_memory_usage.jsonl"
        let plain = "raw-metrics/2026/11/25/20261125T180000Z_manual-2_cpu_utilization.jsonl"
        let line = { (metric: String, value: Double) in
            #"{"metric":"\#(metric)","host":"web-1","timestamp":"2026-11-25T18:00:00.123Z","value":\#(value),"unit":"Percent"}"#
        }
        try await services.s3.putObject(
            bucket: ObjectKeys.bucket,
            key: spaced,
            body: Array((line("memory_usage", 41.5) + "\nnot json\n").utf8)
        )
        try await services.s3.putObject(bucket: ObjectKeys.bucket, key: plain, body: Array((line("cpu_utilization", 12) + "\n").utf8))
        let record = { (key: String) -> JSON in
            ["eventName": "ObjectCreated:Put", "s3": ["bucket": ["name": .string(ObjectKeys.bucket)], "object": ["key": .string(key)]]]
        }
        let event: JSON = ["Records": [record(spaced.replacingOccurrences(of: " ", with: "+")), record(plain)]]
        let posts = try Self.invoke(
            handler: "log-processor",
            events: [("p-1", event.text), ("p-2", "{}"), ("p-3", "not json")],
            posts: 3,
            moto: moto
        )
        #expect(
            posts.map(\.0) == [
                "/2018-06-01/runtime/invocation/p-1/response", "/2018-06-01/runtime/invocation/p-2/error",
                "/2018-06-01/runtime/invocation/p-3/error",
            ]
        )
        let processed = try JSON(parsing: posts.first?.1 ?? "")["processed"]?.arrayValue ?? []
        #expect(processed.map { $0["key"]?.stringValue } == [spaced, plain])
        #expect(processed.first?["invalid_lines"] == 1)
        #expect(try JSON(parsing: posts.count > 2 ? posts[2].1 : "")["errorType"] == "MalformedEvent")

        let records = try await DynamoDBMetricTable(dynamoDB: services.dynamoDB).records(metricID: nil, from: nil, to: nil, limit: nil)
        #expect(Set(records.map(\.source)) == [spaced, plain])
        #expect(records.first { $0.source == spaced }?.last == 41.5)
        let quarantined = try await services.objects.list(prefix: ObjectKeys.quarantinePrefix)
        #expect(quarantined == ["quarantine/2026/11/25/20261125T180000Z_manual run_memory_usage.jsonl"])
    }

    @Test func unknownHandlerIsReportedAsAnInitError() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let posts = try Self.invoke(handler: "no-such-handler", events: [], posts: 1, moto: moto)
        #expect(posts.map(\.0) == ["/2018-06-01/runtime/init/error"])
        #expect(try JSON(parsing: posts.first?.1 ?? "")["errorMessage"]?.stringValue?.contains("_HANDLER") == true)
    }
}
