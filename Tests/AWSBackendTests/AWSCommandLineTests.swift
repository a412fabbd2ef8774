import AWSBackend
import AWSClients
import Foundation
import InfraJSON
import InfraMonitorCore
import TestSupport
import Testing

/// `infra-monitor … --backend aws` end to end against moto_server. The tests create the
/// resources with `run --create-resources` (or the clients) and check them with the clients.
@Suite(.serialized) struct AWSCommandLineTests {
    static let scheduled = "2026-11-25T18:00:00Z"

    static func keys(execution: String) -> Set<String> {
        Set(
            Metric.allCases.map {
                ObjectKeys.rawBatch(scheduledAt: Timestamp.parseRFC3339(scheduled)!, executionID: execution, metric: $0.rawValue)
            }
        )
    }

    static func run(_ arguments: [String], endpoint: String, dataDir: String) async throws -> ProcessResult {
        try await CommandRunner.infraMonitor(
            arguments + ["--backend", "aws", "--endpoint-url", endpoint, "--data-dir", dataDir],
            environment: MotoServer.environment
        )
    }

    @Test func runStoresBatchesRecordsNotificationMetricDataAndLogEvents() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let dataDir = try Fixtures.temporaryDirectory("aws-run")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }

        let result = try await Self.run(
            ["run", "--create-resources", "--execution-id", "e2e-1", "--scheduled-time", Self.scheduled],
            endpoint: moto.endpoint,
            dataDir: dataDir
        )
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("execution e2e-1 SUCCEEDED"))

        let services = AWSServices(client: moto.client)
        let stored = try await services.s3.listAllObjects(bucket: ObjectKeys.bucket, prefix: ObjectKeys.rawPrefix).map(\.key)
        #expect(Set(stored) == Self.keys(execution: "e2e-1"))

        let records = try await DynamoDBMetricTable(dynamoDB: services.dynamoDB).records(metricID: nil, from: nil, to: nil, limit: nil)
        #expect(records.contains { $0.metric == "memory_usage" && $0.count == 1 })
        #expect(records.allSatisfy { Self.keys(execution: "e2e-1").contains($0.source) })
        let one = try #require(records.first { $0.metric == "memory_usage" })
        let cli = try await Self.run(["records", "--metric-id", one.metricID, "--format", "json"], endpoint: moto.endpoint, dataDir: dataDir)
        #expect(cli.status == 0, "stderr: \(cli.stderr)")
        #expect(cli.stdout == one.jsonLine + "\n")

        try await PipelineSideEffects.expect(in: moto, services: services, records: records, executionID: "e2e-1")
    }

    @Test func queryReturnsAthenaResults() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let dataDir = try Fixtures.temporaryDirectory("aws-query")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        try await moto.stageAthenaResult()
        // The stack's workgroup, which queries run in (as `deploy apply` creates it).
        _ = try await moto.client.json(.athena, operation: "CreateWorkGroup", input: ["Name": .string(AthenaMetricsQuery.workGroupName)])
        let result = try await Self.run(
            ["query", "--format", "csv", "SELECT metric, count(*) AS samples FROM metrics GROUP BY metric ORDER BY metric"],
            endpoint: moto.endpoint,
            dataDir: dataDir
        )
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "metric,samples\r\ncpu_utilization,4\r\nmemory_usage,4\r\n")

        let refused = try await Self.run(["query", "DROP TABLE metrics"], endpoint: moto.endpoint, dataDir: dataDir)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("only reads"))
    }

    @Test func remoteRunStartsTheStateMachineFromTheDefinitionAndDescribesIt() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let dataDir = try Fixtures.temporaryDirectory("aws-remote")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let arn = try await moto.createPipelineStateMachine(stepFunctions: StepFunctionsClient(client: moto.client))
        #expect(arn.hasSuffix(":stateMachine:InfraMonitoring-Pipeline-Orch"))

        let run = try await Self.run(
            ["run", "--remote", "--execution-id", "remote-1", "--scheduled-time", Self.scheduled],
            endpoint: moto.endpoint,
            dataDir: dataDir
        )
        #expect(run.stderr.contains(":execution:InfraMonitoring-Pipeline-Orch:remote-1"), "stderr: \(run.stderr)")
        let line = run.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(line.hasPrefix("execution remote-1 SUCCEEDED") || line.hasPrefix("execution remote-1 FAILED"), "stdout: \(run.stdout)")
        #expect(run.status == (line.contains("SUCCEEDED") ? 0 : 1))

        let show = try await Self.run(["executions", "show", "remote-1"], endpoint: moto.endpoint, dataDir: dataDir)
        #expect(show.status == 0, "stderr: \(show.stderr)")
        #expect(show.stdout.contains("execution  remote-1"))
        // The first lambda:invoke is PlanShards; moto's function may fail it, and the execution then
        // goes from there to NotifyFailure without entering CollectMetrics.
        #expect(show.stdout.contains("PlanShards"), "\(show.stdout)")

        let list = try await Self.run(["executions", "list"], endpoint: moto.endpoint, dataDir: dataDir)
        #expect(list.status == 0, "stderr: \(list.stderr)")
        #expect(list.stdout.contains("remote-1"))
    }

    @Test func batchesOfARunWithTheEndpointDownAreSpooledAndUploadedByTheNextRunWithTheirKeys() async throws {
        let dataDir = try Fixtures.temporaryDirectory("aws-spool")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let closedPort = try await CommandRunner.freePort()
        let down = try await Self.run(
            ["run", "--execution-id", "spooled-1", "--scheduled-time", Self.scheduled],
            endpoint: "http://127.0.0.1:\(closedPort)",
            dataDir: dataDir
        )
        #expect(down.status == 1)
        #expect(down.stderr.contains("kept in \(dataDir)/spool"), "stderr: \(down.stderr)")
        let spool = Spool(root: dataDir + "/spool")
        #expect(Set(try spool.pending()) == Self.keys(execution: "spooled-1"))
        var bodies: [String: [UInt8]] = [:]
        for key in try spool.pending() { bodies[key] = try spool.body(key: key) }
        let outbox = try await CommandRunner.infraMonitor(["notifications", "--format", "json", "--data-dir", dataDir])
        #expect(outbox.stdout.contains("InfraMonitor: Pipeline Failure"), "the failure notification goes to the local outbox")

        let moto = try await MotoServer()
        defer { moto.stop() }
        let up = try await Self.run(
            ["run", "--create-resources", "--execution-id", "after-1", "--scheduled-time", Self.scheduled],
            endpoint: moto.endpoint,
            dataDir: dataDir
        )
        #expect(up.status == 0, "stderr: \(up.stderr)")
        #expect(up.stderr.contains("uploaded 4 spooled batch(es)"))
        #expect(try spool.pending().isEmpty)
        let s3 = S3Client(client: moto.client)
        let stored = try await s3.listAllObjects(bucket: ObjectKeys.bucket, prefix: ObjectKeys.rawPrefix).map(\.key)
        #expect(Set(stored) == Self.keys(execution: "spooled-1").union(Self.keys(execution: "after-1")))
        for (key, body) in bodies {
            #expect(try await s3.getObject(bucket: ObjectKeys.bucket, key: key) == body, "\(key)")
        }
        let records = try await DynamoDBMetricTable(dynamoDB: DynamoDBClient(client: moto.client)).records(
            metricID: nil,
            from: nil,
            to: nil,
            limit: nil
        )
        #expect(
            Set(records.map(\.source)).isSuperset(of: Self.keys(execution: "spooled-1").filter { !$0.contains("network") && !$0.contains("disk") })
        )
    }
}
