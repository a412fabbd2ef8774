import Foundation
import InfraJSON
import TestSupport
import Testing

@Suite(.serialized) struct DeployCLITests {
    @Test func templateCommandPrintsBothFormats() async throws {
        let json = try await CommandRunner.infraMonitor(["deploy", "template", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let template = try JSON(parsing: json.stdout)
        #expect(template["Resources"]?["PipelineStateMachine"] != nil)
        let yaml = try await CommandRunner.infraMonitor(["deploy", "template", "--format", "yaml"])
        #expect(yaml.status == 0, "\(yaml.stderr)")
        #expect(yaml.stdout.contains("InfraMonitoring-Pipeline-Orch"))
    }

    @Test func costCommandReproducesTheSeed() async throws {
        let result = try await CommandRunner.infraMonitor(["deploy", "cost"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("240 executions"))
        #expect(result.stdout.contains("960 raw batch files"))
        #expect(result.stdout.contains("Prices:"))
        let bad = try await CommandRunner.infraMonitor(["deploy", "cost", "--schedule", "every 3 hours"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("rate(") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }

    @Test func lifecycleApplyOnTheDataDirectory() async throws {
        let dataDir = try Fixtures.temporaryDirectory("lifecycle-cli")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let old = dataDir + "/objects/infra-monitoring-pipeline-data/raw-metrics/2026/01/01/old.jsonl.gz"
        try FileManager.default.createDirectory(atPath: (old as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: old))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-100 * 86_400)], ofItemAtPath: old)
        let dry = try await CommandRunner.infraMonitor(["lifecycle", "apply", "--dry-run", "--data-dir", dataDir])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would delete raw-metrics/2026/01/01/old.jsonl.gz"))
        #expect(FileManager.default.fileExists(atPath: old))
        let real = try await CommandRunner.infraMonitor(["lifecycle", "apply", "--data-dir", dataDir])
        #expect(real.status == 0, "\(real.stderr)")
        #expect(real.stdout.contains("deleted raw-metrics/2026/01/01/old.jsonl.gz"))
        #expect(!FileManager.default.fileExists(atPath: old))
    }

    @Test func applyCreatesEveryResourceThenNoOpThenDestroy() async throws {
        let server = try await MotoServer()
        defer { server.stop() }
        let folder = try Fixtures.temporaryDirectory("deploy-apply")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = try fakePackage(in: folder)
        let package = try await CommandRunner.infraMonitor(["deploy", "package", "--binary", binary, "--output", folder + "/lambda.zip"])
        #expect(package.status == 0, "\(package.stderr)")
        let apply = ["deploy", "apply", "--endpoint-url", server.endpoint, "--alert-email", "ops@example.com", "--package", folder + "/lambda.zip"]

        let first = try await CommandRunner.infraMonitor(apply, environment: server.environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("created stack infra-monitor"))
        #expect(first.stderr.contains("CREATE_COMPLETE"))
        let created = try await checkStack(server)
        #expect(created["status"] == "CREATE_COMPLETE")
        let missing = Set(created["missing"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(missing.isSubset(of: motoSkips), "missing after apply: \(missing.subtracting(motoSkips).sorted())")
        #expect((created["found"]?.arrayValue?.count ?? 0) >= 11, "\(created)")

        let second = try await CommandRunner.infraMonitor(apply, environment: server.environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("unchanged"), "\(second.stdout) \(second.stderr)")

        let destroy = ["deploy", "destroy", "--endpoint-url", server.endpoint]
        let destroyed = try await CommandRunner.infraMonitor(destroy, environment: server.environment)
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(destroyed.stderr.contains("kept the data bucket"))
        let after = try await checkStack(server)
        #expect(after["status"] == "GONE" || after["status"] == "DELETE_COMPLETE")
        // The bucket is `DeletionPolicy: RetainExceptOnCreate`: CloudFormation keeps it when a stack
        // that was created deletes it ("RetainExceptOnCreate ... retains resources when the stack is
        // deleted", CloudFormation User Guide, DeletionPolicy attribute). moto 5.2.1 does not implement
        // the policy and deletes the bucket, so only the table's deletion is checked here; the policy
        // itself is checked in TemplateTests.
        #expect(after["found"]?.arrayValue?.contains("dynamodb InfraMetrics") == false)

        let deleteData = try await CommandRunner.infraMonitor(destroy + ["--delete-data"], environment: server.environment)
        #expect(deleteData.status == 0, "\(deleteData.stderr)")
        let gone = try await checkStack(server)
        #expect(gone["found"]?.arrayValue?.contains("s3 infra-monitoring-pipeline-data") == false)
    }
}
