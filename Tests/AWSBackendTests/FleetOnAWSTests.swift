import AWSBackend
import AWSClients
import Compression
import Foundation
import InfraJSON
import InfraMonitorCore
import TestSupport
import Testing

/// A synthetic fleet (`Fixtures/loopback_fleet.py`): `count` node_exporter targets, each on its own
/// loopback address 127.0.10.(i+1), serving counters the tests can compute; stopped by PID.
final class LoopbackFleetProcess {
    let process: Process
    let port: Int
    let count: Int

    init(count: Int) async throws {
        self.count = count
        port = try await CommandRunner.freePort()
        let folder = try Fixtures.temporaryDirectory("loopback-fleet")
        let ready = folder + "/ready"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", CommandRunner.projectRoot + "/Tests/AWSBackendTests/Fixtures/loopback_fleet.py", String(count), String(port), ready,
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: ready) { usleep(50_000) }
        guard FileManager.default.fileExists(atPath: ready) else {
            stop()
            throw TestSupportError("the loopback fleet did not start")
        }
    }

    /// `127.0.10.(i+1):port` for every target.
    var targets: [String] { (0..<count).map { "127.0.10.\($0 + 1):\(port)" } }

    /// The scrape config of the fleet.
    var scrapeConfigs: String {
        """
        scrape_configs:
          - job_name: node
            scrape_timeout: 5s
            static_configs:
              - targets: [\(targets.map { "\"\($0)\"" }.joined(separator: ", "))]
                labels: {rack: r1}

        """
    }

    /// cpu_utilization of target `index` from its `k`-th to its `(k+1)`-th cpu scrape.
    static func cpu(index: Int, from k: Double) -> Double {
        let user = 10 * Double(index + 1) * ((k + 1) * (k + 1) - k * k)
        return 100 * user / (user + 1000)
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Issue 13 on AWS through moto: `run --backend aws` over a fleet, the counter state of each
/// target in DynamoDB across processes, and the deployed data-collector reading its scrape configs
/// from S3 and scraping one shard at a time.
@Suite(.serialized) struct FleetOnAWSTests {
    static let scheduled = "2026-11-25T18:00:00Z"
    static let stateTable = "InfraMonitorCollectorState"

    /// The samples of every raw batch under `prefix`, by key.
    static func batches(_ moto: MotoServer, prefix: String = ObjectKeys.rawPrefix) async throws -> [String: [JSON]] {
        let s3 = S3Client(client: moto.client)
        var result: [String: [JSON]] = [:]
        for object in try await s3.listAllObjects(bucket: ObjectKeys.bucket, prefix: prefix) {
            let text = String(decoding: try Gzip.decompress(try await s3.getObject(bucket: ObjectKeys.bucket, key: object.key)), as: UTF8.self)
            result[object.key] = try text.split(separator: "\n").map { try JSON(parsing: String($0)) }
        }
        return result
    }

    static func run(_ arguments: [String], moto: MotoServer, dataDir: String) async throws -> ProcessResult {
        var environment = MotoServer.environment
        environment["INFRA_MONITOR_STATE_TABLE"] = stateTable
        return try await CommandRunner.infraMonitor(
            arguments + ["--backend", "aws", "--endpoint-url", moto.endpoint, "--data-dir", dataDir],
            environment: environment
        )
    }

    @Test func oneBatchPerMetricHoldsEveryTargetAndEachTargetsCounterStateOutlivesTheProcess() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let fleet = try await LoopbackFleetProcess(count: 3)
        defer { fleet.stop() }
        try await DynamoDBClient(client: moto.client).createTable(table: Self.stateTable, partitionKey: "state_key")

        let first = try Fixtures.temporaryDirectory("fleet-aws-1")
        defer { try? FileManager.default.removeItem(atPath: first) }
        try fleet.scrapeConfigs.write(toFile: first + "/config.yaml", atomically: true, encoding: .utf8)
        let one = try await Self.run(
            ["run", "--create-resources", "--execution-id", "fleet-1", "--scheduled-time", Self.scheduled],
            moto: moto,
            dataDir: first
        )
        #expect(one.status == 0, "\(one.stderr)")
        let stored = try await Self.batches(moto)
        #expect(stored.count == 4, "one batch per metric: \(stored.keys.sorted())")
        for (key, samples) in stored {
            let hosts = Set(samples.compactMap { $0["host"]?.stringValue })
            #expect(hosts == ["fleet-0", "fleet-1", "fleet-2"], "\(key) holds every target's samples")
            #expect(samples.allSatisfy { $0["labels"]?["rack"] == "r1" }, "\(key)")
        }
        let memory = try #require(stored.first { $0.key.hasSuffix("_memory_usage.jsonl.gz") }?.value)
        for index in 0..<3 {
            let used = memory.first { $0["host"]?.stringValue == "fleet-\(index)" }?["value"]?.doubleValue ?? -1
            #expect(abs(used - Double(index + 1)) < 1e-9, "fleet-\(index) uses \(index + 1) % of its memory")
        }
        // A new target has no state: two scrapes a sampling window apart (k = 1, 2).
        let cpuOne = try #require(stored.first { $0.key.hasSuffix("_cpu_utilization.jsonl.gz") }?.value)
        for index in 0..<3 {
            let value = try #require(cpuOne.first { $0["host"]?.stringValue == "fleet-\(index)" }?["value"]?.doubleValue)
            #expect(abs(value - LoopbackFleetProcess.cpu(index: index, from: 1)) < 0.001, "fleet-\(index): \(value)")
        }
        let dynamoDB = DynamoDBClient(client: moto.client)
        let scanned = try await dynamoDB.call("Scan", ["TableName": .string(Self.stateTable), "ConsistentRead": true])
        let stateKeys = Set((scanned["Items"]?.arrayValue ?? []).compactMap { DynamoDBValue.text($0["state_key"]) })
        for target in fleet.targets {
            #expect(stateKeys.contains("node|http://\(target)/metrics/node_exporter_cpu_utilization"), "\(stateKeys.sorted())")
            #expect(stateKeys.contains("node|http://\(target)/metrics/node_exporter_network_traffic"), "\(stateKeys.sorted())")
        }

        // Another process, another data directory (no SQLite state): the cpu is the average since
        // the first execution's last scrape (k = 2 → 3), read from DynamoDB.
        let second = try Fixtures.temporaryDirectory("fleet-aws-2")
        defer { try? FileManager.default.removeItem(atPath: second) }
        try fleet.scrapeConfigs.write(toFile: second + "/config.yaml", atomically: true, encoding: .utf8)
        let two = try await Self.run(["run", "--execution-id", "fleet-2", "--scheduled-time", "2026-11-25T21:00:00Z"], moto: moto, dataDir: second)
        #expect(two.status == 0, "\(two.stderr)")
        let cpuTwo = try #require(try await Self.batches(moto).first { $0.key.hasSuffix("fleet-2_cpu_utilization.jsonl.gz") }?.value)
        for index in 0..<3 {
            let value = try #require(cpuTwo.first { $0["host"]?.stringValue == "fleet-\(index)" }?["value"]?.doubleValue)
            #expect(abs(value - LoopbackFleetProcess.cpu(index: index, from: 2)) < 0.001, "fleet-\(index): \(value), state kept")
            #expect(abs(value - LoopbackFleetProcess.cpu(index: index, from: 3)) > 0.1, "not a fresh sampling window")
        }
    }

    @Test func theDeployedDataCollectorReadsItsScrapeConfigsFromS3AndScrapesOneShardPerInvocation() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let fleet = try await LoopbackFleetProcess(count: 3)
        defer { fleet.stop() }
        let services = AWSServices(client: moto.client)
        try await services.createResources()
        try await services.dynamoDB.createTable(table: Self.stateTable, partitionKey: "state_key")
        try await services.s3.createBucket(bucket: "code-bucket")
        try await services.s3.putObject(bucket: "code-bucket", key: "config/scrape-configs-1.yaml", body: Array(fleet.scrapeConfigs.utf8))
        let payload = { (shard: Int) in
            #"{"metric":"cpu_utilization","execution_id":"lambda-fleet","scheduled_time":"2026-11-25T18:00:00Z","shard":\#(shard),"shards":2}"#
        }
        let posts = try LambdaFunctionTests.invoke(
            handler: "data-collector",
            events: [("plan", #"{"action":"plan","shard_size":"2"}"#), ("s-0", payload(0)), ("s-1", payload(1))],
            posts: 3,
            moto: moto,
            environment: [
                "SCRAPE_CONFIG_BUCKET": "code-bucket", "SCRAPE_CONFIG_KEY": "config/scrape-configs-1.yaml", "STATE_TABLE_NAME": Self.stateTable,
            ]
        )
        #expect(posts.map(\.0).allSatisfy { $0.hasSuffix("/response") }, "\(posts)")
        let plan = try JSON(parsing: posts.first?.1 ?? "")
        #expect(plan == ["targets": 3, "shards": [["shard": 0, "shards": 2], ["shard": 1, "shards": 2]]])
        let stored = try await Self.batches(moto)
        #expect(
            Set(stored.keys) == [
                "raw-metrics/2026/11/25/20261125T180000Z_lambda-fleet.shard-0000_cpu_utilization.jsonl.gz",
                "raw-metrics/2026/11/25/20261125T180000Z_lambda-fleet.shard-0001_cpu_utilization.jsonl.gz",
            ]
        )
        let hosts = stored.values.map { Set($0.compactMap { $0["host"]?.stringValue }) }
        #expect(hosts.map(\.count).sorted() == [1, 2], "targets dealt round-robin over 2 shards")
        #expect(hosts.reduce(Set<String>()) { $0.union($1) } == ["fleet-0", "fleet-1", "fleet-2"], "each target in exactly one shard")
        let parsed = stored.keys.compactMap(ObjectKeys.parseRawBatch)
        #expect(parsed.count == 2 && parsed.allSatisfy { $0.executionID == "lambda-fleet" && $0.metric == .cpuUtilization })
        let state = try await services.dynamoDB.getItem(
            table: Self.stateTable,
            key: ["state_key": DynamoDBValue.string("node|http://\(fleet.targets[1])/metrics/node_exporter_cpu_utilization")],
            consistentRead: true
        )
        #expect(state != nil, "the target's counters are kept in the state table")
    }

    @Test func theEmbeddedRunShardsTheFleetWithTheSameDefinition() async throws {
        let fleet = try await LoopbackFleetProcess(count: 3)
        defer { fleet.stop() }
        let dataDir = try Fixtures.temporaryDirectory("fleet-shards")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        try ("collection:\n  shard_size: 2\n" + fleet.scrapeConfigs).write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)
        let run = try await CommandRunner.infraMonitor(["run", "--data-dir", dataDir, "--execution-id", "sharded-1"])
        #expect(run.status == 0, "\(run.stderr)")
        let hosts = try await CommandRunner.infraMonitor([
            "query", "--format", "csv", "SELECT metric, COUNT(DISTINCT host) FROM metrics GROUP BY metric ORDER BY metric", "--data-dir", dataDir,
        ])
        #expect(hosts.stdout.contains("cpu_utilization,3"), "\(hosts.stdout)")
        #expect(hosts.stdout.contains("memory_usage,3"), "\(hosts.stdout)")
        let raw = try FileManager.default.subpathsOfDirectory(atPath: dataDir).filter { $0.contains("sharded-1.shard-") }
        #expect(raw.count == 8, "4 metrics × 2 shards: \(raw)")
        let outbox = try await CommandRunner.infraMonitor(["notifications", "--format", "json", "--data-dir", dataDir])
        let message = try JSON(parsing: String(outbox.stdout.split(separator: "\n").first ?? ""))["message"]
        #expect(message?["status"] == "SUCCEEDED", "\(outbox.stdout)")
        #expect(message?["samples"]?["memory_usage"] == 3, "the shards' samples are summed: \(outbox.stdout)")
        #expect(message?["objects"]?.arrayValue?.count == 8, "every shard's batch is listed: \(outbox.stdout)")
    }
}

/// Issue 14 on AWS through moto: the log-processor evaluates the deployed fan-out alarms after
/// processing, keeps each instance's state in DynamoDB and publishes transitions only.
@Suite(.serialized) struct FanOutAlarmsOnAWSTests {
    @Test func theLogProcessorNotifiesEachInstancesTransitionOnceAndKeepsItsState() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let services = AWSServices(client: moto.client)
        let topic = try await services.createResources()
        try await services.dynamoDB.createTable(table: "InfraMonitorAlarmState", partitionKey: "alarm_key", sortKey: "entry")
        try await services.s3.createBucket(bucket: "code-bucket")
        let alarms: JSON = [
            [
                "AlarmName": "disk-filling", "MetricName": "disk_usage", "Dimensions": [["Name": "mountpoint", "Value": "/"]],
                "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 90,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            ]
        ]
        try await services.s3.putObject(bucket: "code-bucket", key: "config/alarms-1.json", body: Array(alarms.text.utf8))
        let queue = try await Self.subscribeQueue(moto, topic: topic)
        let time = Timestamp.now().adding(seconds: -20).iso8601Milliseconds
        let line = { (host: String, value: Double) in
            #"{"metric":"disk_usage","host":"\#(host)","timestamp":"\#(time)","value":\#(value),"unit":"Percent","labels":{"mountpoint":"/"}}"#
        }
        let key = "raw-metrics/2026/11/25/20261125T180000Z_alarms-1_disk_usage.jsonl"
        try await services.s3.putObject(bucket: ObjectKeys.bucket, key: key, body: Array((line("web-1", 95) + "\n" + line("web-2", 50) + "\n").utf8))
        let event: JSON = [
            "Records": [
                ["eventName": "ObjectCreated:Put", "s3": ["bucket": ["name": .string(ObjectKeys.bucket)], "object": ["key": .string(key)]]]
            ]
        ]
        let environment = [
            "ALARMS_BUCKET": "code-bucket", "ALARMS_KEY": "config/alarms-1.json", "ALARM_STATE_TABLE_NAME": "InfraMonitorAlarmState",
            "ALARM_TOPIC_ARN": topic,
        ]
        let first = try LambdaFunctionTests.invoke(
            handler: "log-processor",
            events: [("a-1", event.text)],
            posts: 1,
            moto: moto,
            environment: environment
        )
        let response = try JSON(parsing: first.first?.1 ?? "")
        #expect(first.first?.0.hasSuffix("/response") == true, "\(first)")
        let transitions = Set(
            (response["alarm_transitions"]?.arrayValue ?? []).map { "\($0["instance"]?.stringValue ?? "") \($0["new"]?.stringValue ?? "")" }
        )
        #expect(
            transitions == [#"disk-filling{host="web-1",mountpoint="/"} ALARM"#, #"disk-filling{host="web-2",mountpoint="/"} OK"#],
            "\(response)"
        )
        // A new sandbox (another process) processes the same batch again: the states are read back
        // from DynamoDB, nothing changes, nothing is notified.
        let second = try LambdaFunctionTests.invoke(
            handler: "log-processor",
            events: [("a-2", event.text)],
            posts: 1,
            moto: moto,
            environment: environment
        )
        #expect(try JSON(parsing: second.first?.1 ?? "")["alarm_transitions"] == [], "\(second)")
        let subjects = try await Self.receive(moto, queue: queue).compactMap { $0["Subject"]?.stringValue }.sorted()
        #expect(subjects == [#"InfraMonitor: ALARM: "disk-filling" host=web-1"#, #"InfraMonitor: OK: "disk-filling" host=web-2"#], "\(subjects)")
        let store = try await services.dynamoDB.queryAll(
            DynamoDBQuery(
                table: "InfraMonitorAlarmState",
                keyConditionExpression: "alarm_key = :k",
                expressionAttributeValues: [":k": DynamoDBValue.string("state")]
            )
        )
        #expect(store.count == 2)
    }

    /// The test credentials for boto3, which refuses the empty `AWS_PROFILE` the command line is given.
    static var boto3Environment: [String: String] { MotoServer.environment.filter { $0.key != "AWS_PROFILE" } }

    /// An SQS queue subscribed (raw delivery off) to `topic`, through boto3; returns its URL.
    static func subscribeQueue(_ moto: MotoServer, topic: String) async throws -> String {
        let script = #"""
            import json, sys, boto3
            sqs = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="eu-west-1")
            sns = boto3.client("sns", endpoint_url=sys.argv[1], region_name="eu-west-1")
            url = sqs.create_queue(QueueName="alarms")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=sys.argv[2], Protocol="sqs", Endpoint=arn)
            print(url)
            """#
        let result = try await CommandRunner.run("/usr/bin/env", ["python3", "-c", script, moto.endpoint, topic], environment: Self.boto3Environment)
        guard result.status == 0 else { throw TestSupportError("subscribe: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every SNS envelope in `queue`.
    static func receive(_ moto: MotoServer, queue: String) async throws -> [JSON] {
        let script = #"""
            import json, sys, boto3
            sqs = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="eu-west-1")
            out = []
            for _ in range(5):
                got = sqs.receive_message(QueueUrl=sys.argv[2], MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
                out += [json.loads(m["Body"]) for m in got]
            print(json.dumps(out))
            """#
        let result = try await CommandRunner.run("/usr/bin/env", ["python3", "-c", script, moto.endpoint, queue], environment: Self.boto3Environment)
        guard result.status == 0 else { throw TestSupportError("receive: \(result.stderr)") }
        return try JSON(parsing: result.stdout).arrayValue ?? []
    }
}
