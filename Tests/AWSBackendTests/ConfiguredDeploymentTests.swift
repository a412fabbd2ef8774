import AWSBackend
import AWSClients
import Foundation
import InfraJSON
import InfraMonitorCore
import TestSupport
import Testing

/// The `aws:` section of the config reaches every `--backend aws` command; a flag overrides it.
@Suite(.serialized) struct ConfiguredDeploymentTests {
    static let scheduled = "2026-11-25T18:00:00Z"

    static func cli(_ arguments: [String], dataDir: String) async throws -> ProcessResult {
        try await CommandRunner.infraMonitor(arguments + ["--backend", "aws", "--data-dir", dataDir], environment: MotoServer.environment)
    }

    static func client(_ moto: MotoServer, region: String) -> AWSClient {
        AWSClient(
            configuration: AWSClientConfiguration(
                region: region,
                credentialProvider: StaticCredentialProvider(AWSCredentials(accessKeyID: "test", secretAccessKey: "test")),
                endpointURL: URL(string: moto.endpoint)!
            )
        )
    }

    @Test func theConfiguredRegionEndpointAndBucketAreUsedByEveryCommandAndTheFlagOverridesThem() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let dataDir = try Fixtures.temporaryDirectory("aws-config")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        try """
        host: cfg-host
        aws:
          region: us-west-2
          endpoint_url: \(moto.endpoint)
          bucket: infra-monitoring-pipeline-data-test1
        """.write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)

        let run = try await Self.cli(["run", "--create-resources", "--execution-id", "cfg-1", "--scheduled-time", Self.scheduled], dataDir: dataDir)
        #expect(run.status == 0, "stderr: \(run.stderr)")

        let west = AWSServices(client: Self.client(moto, region: "us-west-2"), bucket: "infra-monitoring-pipeline-data-test1")
        let keys = try await west.s3.listAllObjects(bucket: west.bucket, prefix: ObjectKeys.rawPrefix).map(\.key)
        #expect(keys.count == 4, "the batches are in the configured bucket")
        let records = try await west.metricTable.records(metricID: nil, from: nil, to: nil, limit: nil)
        #expect(!records.isEmpty, "the records are in the configured region's table")
        let euWest = AWSServices(client: Self.client(moto, region: "eu-west-1"))
        await #expect(throws: AWSError.self, "nothing was created in the environment's region") {
            _ = try await euWest.dynamoDB.describeTable(table: DynamoDBMetricTable.tableName)
        }

        let memory = try #require(records.first { $0.metric == "memory_usage" })
        let recordsCommand = try await Self.cli(["records", "--metric-id", memory.metricID, "--format", "json"], dataDir: dataDir)
        #expect(recordsCommand.stdout == memory.jsonLine + "\n", "stderr: \(recordsCommand.stderr)")

        let collect = try await Self.cli(["collect", "--metric", "memory_usage"], dataDir: dataDir)
        #expect(collect.status == 0, "stderr: \(collect.stderr)")
        #expect(try await west.s3.listAllObjects(bucket: west.bucket, prefix: ObjectKeys.rawPrefix).count == 5)

        let process = try await Self.cli(["process", keys[0]], dataDir: dataDir)
        #expect(process.status == 0, "stderr: \(process.stderr)")
        let replay = try await Self.cli(["replay"], dataDir: dataDir)
        #expect(replay.status == 0, "stderr: \(replay.stderr)")
        #expect(replay.stdout.contains("replayed 5 batch(es)"))

        let executions = try await Self.cli(["executions", "list"], dataDir: dataDir)
        #expect(executions.status == 0, "stderr: \(executions.stderr)")
        #expect(executions.stdout.contains("cfg-1"))

        try await moto.stageAthenaResult(region: "us-west-2")
        let query = try await Self.cli(
            ["query", "--format", "csv", "SELECT metric, count(*) AS samples FROM metrics GROUP BY metric"],
            dataDir: dataDir
        )
        #expect(query.status == 0, "stderr: \(query.stderr)")
        #expect(query.stdout.contains("cpu_utilization,4"), "the staged result of the configured region: \(query.stdout)")

        let overridden = try await Self.cli(["records", "--metric-id", memory.metricID, "--region", "eu-west-1"], dataDir: dataDir)
        #expect(overridden.status == 1, "the flag's region has no table: stdout \(overridden.stdout)")
        #expect(overridden.stderr.contains("ResourceNotFound"), "stderr: \(overridden.stderr)")
    }
}
