import AWSClients
import Deploy
import Foundation
import InfraJSON
import TestSupport
import Testing

/// Collects progress lines.
private final class Lines: @unchecked Sendable {
    private var lines: [String] = []
    private let lock = NSLock()
    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}

@Suite(.serialized) struct StackDeployerTests {
    @Test func applyCreatesEveryResourceThenNoOpThenDestroyKeepsTheData() async throws {
        let server = try await MotoServer()
        defer { server.stop() }
        let folder = try Fixtures.temporaryDirectory("deployer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let package = folder + "/lambda.zip"
        try LambdaPackage.zip(binary: try fakePackage(in: folder), to: package)
        let definition = try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8)
        let template = try SeedTemplate(architecture: .x86_64, definitionText: definition).build().rendered(.json)
        let lines = Lines()
        var deployer = StackDeployer(
            region: "eu-west-1",
            endpointURL: URL(string: server.endpoint),
            environment: server.environment
        ) { lines.add($0) }
        deployer.pollInterval = .milliseconds(200)
        let parameters = ["AlertEmail": "ops@example.com"]

        let first = try await deployer.apply(template: template, parameters: parameters, packagePath: package, codeBucket: nil)
        #expect(first == .created)
        #expect(lines.text.contains("CREATE_COMPLETE"), "\(lines.text)")
        #expect(lines.text.contains("uploading"))
        let created = try await checkStack(server)
        #expect(created["status"] == "CREATE_COMPLETE")
        let missing = Set(created["missing"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(missing.isSubset(of: motoSkips), "missing after apply: \(missing.subtracting(motoSkips).sorted())")

        let second = try await deployer.apply(template: template, parameters: parameters, packagePath: package, codeBucket: nil)
        #expect(second == .unchanged)

        // moto 5.2 neither applies a CloudFormation bucket's NotificationConfiguration nor keeps a
        // PutBucketNotificationConfiguration sent by our client (it answers 200), so the target is
        // checked only where moto reports one; the request body is checked in notificationBody().
        let notifies = created["notifies"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(notifies.allSatisfy { $0.hasSuffix(":function:log-processor") }, "\(created)")

        #expect(try await deployer.destroy(deleteData: false))
        let after = try await checkStack(server)
        #expect(after["status"] == "GONE" || after["status"] == "DELETE_COMPLETE", "\(after)")
        #expect(after["found"]?.arrayValue?.contains("dynamodb InfraMetrics") == false, "\(after)")
        #expect(lines.text.contains("removed the data bucket's notification"), "\(lines.text)")

        // AWS keeps a RetainExceptOnCreate bucket when the stack is deleted; moto 5 deletes every
        // resource whose policy is not exactly "Retain". Stand in for AWS: the bucket is there,
        // with data, when the next apply runs.
        let s3 = S3Client(client: deployer.client)
        if !(try await s3.headBucket(bucket: "infra-monitoring-pipeline-data")) {
            try await s3.createBucket(bucket: "infra-monitoring-pipeline-data")
        }
        try await s3.putObject(bucket: "infra-monitoring-pipeline-data", key: "raw-metrics/2026/12/01/kept.jsonl.gz", body: [1, 2, 3])
        for round in 1...2 {
            let again = try await deployer.apply(template: template, parameters: parameters, packagePath: package, codeBucket: nil)
            #expect(again == .created, "apply after destroy, round \(round)")
            #expect(lines.text.contains("adopting the data bucket infra-monitoring-pipeline-data"), "\(lines.text)")
            let adopted = try await checkStack(server)
            #expect(adopted["status"] == "CREATE_COMPLETE", "\(adopted)")
            let targets = adopted["notifies"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(targets.allSatisfy { $0.hasSuffix(":function:log-processor") }, "the kept bucket notifies the new function: \(adopted)")
            #expect(lines.text.contains("now notifies arn:"), "\(lines.text)")
            #expect(try await s3.listAllObjects(bucket: "infra-monitoring-pipeline-data").map(\.key).contains("raw-metrics/2026/12/01/kept.jsonl.gz"))
            #expect(try await deployer.apply(template: template, parameters: parameters, packagePath: package, codeBucket: nil) == .unchanged)
            #expect(try await deployer.destroy(deleteData: false))
            let kept = try await checkStack(server)
            #expect(
                kept["found"]?.arrayValue?.contains("s3 infra-monitoring-pipeline-data") == true,
                "an adopted bucket is not the stack's to delete: \(kept)"
            )
            #expect(kept["notifies"]?.arrayValue?.isEmpty == true, "a kept bucket never notifies a deleted function: \(kept)")
        }

        #expect(try await deployer.destroy(deleteData: true) == false)
        let gone = try await checkStack(server)
        #expect(gone["found"]?.arrayValue?.contains("s3 infra-monitoring-pipeline-data") == false, "\(gone)")
    }

    @Test func notificationBody() {
        let body = StackDeployer.notificationXML(function: "arn:aws:lambda:eu-west-1:123456789012:function:log-processor")
        #expect(body.contains("<LambdaFunctionConfiguration><Id>raw-batches</Id>"))
        #expect(body.contains("<CloudFunction>arn:aws:lambda:eu-west-1:123456789012:function:log-processor</CloudFunction>"))
        #expect(body.contains("<Event>s3:ObjectCreated:*</Event>"))
        #expect(body.contains("<FilterRule><Name>prefix</Name><Value>raw-metrics/</Value></FilterRule>"))
        #expect(StackDeployer.notificationXML(function: nil) == #"<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#)
    }

    @Test func missingPackageIsAUsageError() async throws {
        let deployer = StackDeployer(
            region: "eu-west-1",
            endpointURL: URL(string: "http://127.0.0.1:9"),
            environment: ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"]
        ) { _ in }
        await #expect(throws: DeployError.self) {
            try await deployer.apply(template: "{}", parameters: [:], packagePath: "/nonexistent.zip", codeBucket: "b")
        }
    }
}
