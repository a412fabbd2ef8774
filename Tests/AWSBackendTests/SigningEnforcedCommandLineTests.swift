import AWSBackend
import AWSClients
import Foundation
import InfraJSON
import InfraMonitorCore
import TestSupport
import Testing

/// `infra-monitor … --backend aws` end to end against a moto_server that verifies Signature V4
/// (issue 5). With `INITIAL_NO_AUTH_ACTION_COUNT=3` moto lets three actions through unsigned (the
/// test creates an IAM user, its allow-all policy and an access key with them); every later
/// request must be signed with that key and its secret, or moto refuses it.
@Suite(.serialized) struct SigningEnforcedCommandLineTests {
    static let iam = AWSService(signingName: "iam", endpointPrefix: "iam", serviceProtocol: .query(version: "2010-05-08"))
    static let scheduled = "2026-11-25T18:00:00Z"

    /// The user's key, made with the three free actions.
    struct Key {
        var accessKey: String
        var secret: String
    }

    /// Creates the user `pipeline` with an allow-all policy and returns its new access key.
    static func makeUser(_ moto: MotoServer) async throws -> Key {
        let admin = moto.client(accessKey: "AKIDFREEACTIONS", secret: "unchecked")
        _ = try await admin.query(iam, action: "CreateUser", parameters: [("UserName", "pipeline")])
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try await admin.query(
            iam,
            action: "PutUserPolicy",
            parameters: [("UserName", "pipeline"), ("PolicyName", "all"), ("PolicyDocument", policy)]
        )
        let created = try await admin.query(iam, action: "CreateAccessKey", parameters: [("UserName", "pipeline")])
        let access = try #require(created.string("CreateAccessKeyResult", "AccessKey", "AccessKeyId"))
        let secret = try #require(created.string("CreateAccessKeyResult", "AccessKey", "SecretAccessKey"))
        return Key(accessKey: access, secret: secret)
    }

    /// Runs the built `infra-monitor` against `moto` with the key in `AWS_ACCESS_KEY_ID` and
    /// `secret` in `AWS_SECRET_ACCESS_KEY`.
    static func run(_ arguments: [String], moto: MotoServer, dataDir: String, key: Key, secret: String) async throws -> ProcessResult {
        var environment = MotoServer.environment
        environment["AWS_ACCESS_KEY_ID"] = key.accessKey
        environment["AWS_SECRET_ACCESS_KEY"] = secret
        return try await CommandRunner.infraMonitor(
            arguments + ["--backend", "aws", "--endpoint-url", moto.endpoint, "--data-dir", dataDir],
            environment: environment
        )
    }

    /// The files under `directory` that contain `secret`.
    static func files(under directory: String, containing secret: String) throws -> [String] {
        let needle = Data(secret.utf8)
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var found: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if try Data(contentsOf: URL(fileURLWithPath: path)).range(of: needle) != nil { found.append(relative) }
        }
        return found
    }

    @Test func aSignedRunStoresEverythingAndAWrongSecretFailsWithOneClearLine() async throws {
        let moto = try await MotoServer(environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"])
        defer { moto.stop() }
        let dataDir = try Fixtures.temporaryDirectory("aws-signed")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let key = try await Self.makeUser(moto)
        var outputs: [ProcessResult] = []

        // The signed run, checked with correctly signed client calls.
        let run = try await Self.run(
            ["run", "--create-resources", "--execution-id", "signed-1", "--scheduled-time", Self.scheduled],
            moto: moto,
            dataDir: dataDir,
            key: key,
            secret: key.secret
        )
        outputs.append(run)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("execution signed-1 SUCCEEDED"))

        let services = AWSServices(client: moto.client(accessKey: key.accessKey, secret: key.secret))
        let expectedKeys = AWSCommandLineTests.keys(execution: "signed-1")
        // Not `prefix: ObjectKeys.rawPrefix`: moto checks a signature against the URL werkzeug
        // rebuilt, which turns the query's `prefix=raw-metrics%2F` back into `raw-metrics/`, so it
        // refuses any correctly signed ListObjectsV2 whose prefix holds a '/'. boto3 1.43 gets the
        // same SignatureDoesNotMatch for `list_objects_v2(Bucket=…, Prefix="raw-metrics/")` against
        // this moto (5.2) with signing enforced, and the pipeline itself never lists. So list the
        // whole bucket and select the raw batches here.
        let stored = try await services.s3.listAllObjects(bucket: ObjectKeys.bucket).map(\.key)
        #expect(Set(stored.filter { $0.hasPrefix(ObjectKeys.rawPrefix) }) == expectedKeys)
        for batch in expectedKeys {
            let body = try await services.s3.getObject(bucket: ObjectKeys.bucket, key: batch)
            #expect(body.starts(with: [0x1f, 0x8b]), "\(batch) is gzip")
        }

        let records = try await DynamoDBMetricTable(dynamoDB: services.dynamoDB).records(metricID: nil, from: nil, to: nil, limit: nil)
        #expect(records.contains { $0.metric == "memory_usage" && $0.count == 1 })
        #expect(records.allSatisfy { expectedKeys.contains($0.source) })
        let memory = try #require(records.first { $0.metric == "memory_usage" })
        let cli = try await Self.run(
            ["records", "--metric-id", memory.metricID, "--format", "json"],
            moto: moto,
            dataDir: dataDir,
            key: key,
            secret: key.secret
        )
        outputs.append(cli)
        #expect(cli.status == 0, "stderr: \(cli.stderr)")
        #expect(cli.stdout == memory.jsonLine + "\n")

        let logMessages = try await PipelineSideEffects.expect(in: moto, services: services, records: records, executionID: "signed-1")
        let points = try await Self.dataPoints(services.client, record: memory)
        #expect(points.count == 1)
        #expect(points.first?.count == 1)
        #expect(abs((points.first?.average ?? .nan) - memory.mean) < 1e-9)

        for (group, messages) in logMessages {
            #expect(!messages.contains { $0.contains(key.secret) }, "\(group.rawValue) holds the secret")
        }

        try await moto.stageAthenaResult()
        let query = try await Self.run(
            ["query", "--format", "csv", "SELECT metric, count(*) AS samples FROM metrics GROUP BY metric ORDER BY metric"],
            moto: moto,
            dataDir: dataDir,
            key: key,
            secret: key.secret
        )
        outputs.append(query)
        #expect(query.status == 0, "stderr: \(query.stderr)")
        #expect(query.stdout == "metric,samples\r\ncpu_utilization,4\r\nmemory_usage,4\r\n")

        _ = try await moto.createPipelineStateMachine(stepFunctions: services.stepFunctions)
        let remote = try await Self.run(
            ["run", "--remote", "--execution-id", "remote-1", "--scheduled-time", Self.scheduled],
            moto: moto,
            dataDir: dataDir,
            key: key,
            secret: key.secret
        )
        outputs.append(remote)
        #expect(remote.stderr.contains(":execution:InfraMonitoring-Pipeline-Orch:remote-1"), "stderr: \(remote.stderr)")
        let line = remote.stdout.split(separator: "\n").first.map(String.init) ?? ""
        // moto runs the definition but has no Lambda functions behind the ARNs, so the execution
        // may fail inside moto; what matters here is that every signed call was accepted.
        #expect(line.hasPrefix("execution remote-1 SUCCEEDED") || line.hasPrefix("execution remote-1 FAILED"), "stdout: \(remote.stdout)")
        #expect(remote.status == (line.contains("SUCCEEDED") ? 0 : 1))
        #expect(!remote.stderr.contains("SignatureDoesNotMatch"), "stderr: \(remote.stderr)")
        let show = try await Self.run(["executions", "show", "remote-1"], moto: moto, dataDir: dataDir, key: key, secret: key.secret)
        outputs.append(show)
        #expect(show.status == 0, "stderr: \(show.stderr)")
        #expect(show.stdout.contains("execution  remote-1"))
        // The states moto ran: the definition plans the shards first (moto has no Lambda behind
        // PlanShards, so it goes on to NotifyFailure).
        #expect(show.stdout.contains("PlanShards"))
        let list = try await Self.run(["executions", "list"], moto: moto, dataDir: dataDir, key: key, secret: key.secret)
        outputs.append(list)
        #expect(list.status == 0, "stderr: \(list.stderr)")
        #expect(list.stdout.contains("remote-1"))

        // The same binary with a wrong secret: one line naming the authentication failure and
        // what to check, exit 1, no success, nothing stored.
        let wrong = key.secret + "wrong"
        let sentBefore = try await moto.sentNotifications().count
        for arguments in [
            ["run", "--create-resources", "--execution-id", "signed-2", "--scheduled-time", Self.scheduled],
            ["records", "--format", "json"],
            ["query", "SELECT metric FROM metrics"],
            ["executions", "list"],
        ] {
            let refused = try await Self.run(arguments, moto: moto, dataDir: dataDir, key: key, secret: wrong)
            outputs.append(refused)
            let lines = refused.stderr.split(separator: "\n")
            #expect(refused.status == 1, "\(arguments[0]): stderr: \(refused.stderr)")
            #expect(lines.count == 1, "\(arguments[0]): stderr: \(refused.stderr)")
            #expect(refused.stderr.hasPrefix("infra-monitor: error: "), "\(arguments[0]): stderr: \(refused.stderr)")
            #expect(refused.stderr.contains("SignatureDoesNotMatch (HTTP 403): authentication failed"), "\(arguments[0]): \(refused.stderr)")
            #expect(refused.stderr.contains("check the access key, secret and region"), "\(arguments[0]): \(refused.stderr)")
            #expect(refused.stdout.isEmpty, "\(arguments[0]): stdout: \(refused.stdout)")
            #expect(!refused.stderr.contains("SUCCEEDED"))
        }
        let after = try await services.s3.listAllObjects(bucket: ObjectKeys.bucket).map(\.key)
        #expect(!after.contains { $0.contains("signed-2") }, "a refused run stored \(after)")
        #expect(try await moto.sentNotifications().count == sentBefore, "a refused run published a notification")

        // The secret is never printed nor written under the data directory.
        for output in outputs {
            #expect(!output.stdout.contains(key.secret) && !output.stderr.contains(key.secret))
        }
        #expect(try Self.files(under: dataDir, containing: key.secret).isEmpty)
    }

    /// The data points (sample count, average) CloudWatch holds for `record`'s series within
    /// ten minutes of its timestamp, from a signed GetMetricStatistics.
    static func dataPoints(_ client: AWSClient, record: MetricRecord) async throws -> [(count: Double, average: Double)] {
        let time = Date(timeIntervalSince1970: TimeInterval(record.timestamp.seconds))
        var parameters = [
            ("Namespace", CloudWatchMetricPublisher.namespace), ("MetricName", record.metric),
            ("StartTime", time.addingTimeInterval(-600).formatted(.iso8601)), ("EndTime", time.addingTimeInterval(600).formatted(.iso8601)),
            ("Period", "1200"), ("Statistics.member.1", "SampleCount"), ("Statistics.member.2", "Average"),
        ]
        let dimensions = [("host", record.host)] + record.labels.keys.sorted().map { ($0, record.labels[$0] ?? "") }
        for (offset, dimension) in dimensions.enumerated() {
            parameters.append(("Dimensions.member.\(offset + 1).Name", dimension.0))
            parameters.append(("Dimensions.member.\(offset + 1).Value", dimension.1))
        }
        let xml = try await client.query(.cloudWatch, action: "GetMetricStatistics", parameters: parameters)
        let members = xml.descendant("GetMetricStatisticsResult", "Datapoints")?.children ?? []
        return members.map { (Double($0.string("SampleCount") ?? "") ?? .nan, Double($0.string("Average") ?? "") ?? .nan) }
    }
}
