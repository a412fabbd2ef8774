import Foundation
import InfraJSON
import TestSupport
import Testing

/// boto3 checks that every named resource of the stack exists; prints one JSON object.
private let checkScript = #"""
    import json, sys, boto3
    endpoint, stack = sys.argv[1], sys.argv[2]
    c = lambda name: boto3.client(name, endpoint_url=endpoint, region_name="eu-west-1")
    found, missing = [], []
    def check(name, fn):
        try:
            ok = fn()
        except Exception as error:
            ok = False
            name += " (" + type(error).__name__ + ")"
        (found if ok else missing).append(name)
    out = {}
    try:
        out["status"] = c("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    except Exception as error:
        out["status"] = "GONE"
    check("s3 infra-monitoring-pipeline-data", lambda: c("s3").head_bucket(Bucket="infra-monitoring-pipeline-data") is not None)
    check("dynamodb InfraMetrics", lambda: c("dynamodb").describe_table(TableName="InfraMetrics")["Table"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST")
    for fn in ["data-collector", "log-processor"]:
        check("lambda " + fn, lambda fn=fn: c("lambda").get_function(FunctionName=fn)["Configuration"]["Runtime"] == "provided.al2023")
        check("logs /aws/lambda/" + fn, lambda fn=fn: any(g["logGroupName"] == "/aws/lambda/" + fn for g in c("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/" + fn)["logGroups"]))
    check("states InfraMonitoring-Pipeline-Orch", lambda: any(m["name"] == "InfraMonitoring-Pipeline-Orch" for m in c("stepfunctions").list_state_machines()["stateMachines"]))
    check("events InfraMonitoring-Schedule", lambda: c("events").describe_rule(Name="InfraMonitoring-Schedule")["ScheduleExpression"] == "rate(3 hours)")
    check("sns InfraMonitoring-Alarms", lambda: any(t["TopicArn"].endswith(":InfraMonitoring-Alarms") for t in c("sns").list_topics()["Topics"]))
    check("sns email subscription", lambda: any(s["Protocol"] == "email" and s["Endpoint"] == "ops@example.com" for s in c("sns").list_subscriptions()["Subscriptions"]))
    check("glue infra_monitoring", lambda: c("glue").get_database(Name="infra_monitoring") is not None)
    check("glue metrics", lambda: c("glue").get_table(DatabaseName="infra_monitoring", Name="metrics")["Table"]["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe")
    check("athena InfraMonitoring", lambda: c("athena").get_work_group(WorkGroup="InfraMonitoring") is not None)
    check("cloudwatch dashboard InfraMonitoring", lambda: c("cloudwatch").get_dashboard(DashboardName="InfraMonitoring") is not None)
    check("cloudwatch alarm InfraMonitoring-PipelineFailed", lambda: len(c("cloudwatch").describe_alarms(AlarmNames=["InfraMonitoring-PipelineFailed"])["MetricAlarms"]) == 1)
    out["found"], out["missing"] = found, missing
    print(json.dumps(out))
    """#

/// Resource types moto's CloudFormation does not implement (it skips them with a warning): they
/// are checked in the template tests and by cfn-lint, not here.
private let motoSkips: Set<String> = [
    "glue infra_monitoring (EntityNotFoundException)", "glue metrics (EntityNotFoundException)",
    "athena InfraMonitoring (InvalidRequestException)", "cloudwatch alarm InfraMonitoring-PipelineFailed",
]

/// Runs the boto3 check against `server`.
private func checkStack(_ server: MotoServer) throws -> JSON {
    let result = try CommandRunner.run(
        "/usr/bin/env",
        ["python3", "-c", checkScript, server.endpoint, "infra-monitor"],
        environment: server.environment
    )
    guard result.status == 0 else { throw TestSupportError("boto3 check failed: \(result.stderr)") }
    return try JSON(parsing: result.stdout)
}

@Suite(.serialized) struct DeployCLITests {
    @Test func templateCommandPrintsBothFormats() throws {
        let json = try CommandRunner.infraMonitor(["deploy", "template", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let template = try JSON(parsing: json.stdout)
        #expect(template["Resources"]?["PipelineStateMachine"] != nil)
        let yaml = try CommandRunner.infraMonitor(["deploy", "template", "--format", "yaml"])
        #expect(yaml.status == 0, "\(yaml.stderr)")
        #expect(yaml.stdout.contains("InfraMonitoring-Pipeline-Orch"))
    }

    @Test func costCommandReproducesTheSeed() throws {
        let result = try CommandRunner.infraMonitor(["deploy", "cost"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("240 executions"))
        #expect(result.stdout.contains("960 raw batch files"))
        #expect(result.stdout.contains("Prices:"))
        let bad = try CommandRunner.infraMonitor(["deploy", "cost", "--schedule", "every 3 hours"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("rate(") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }

    @Test func lifecycleApplyOnTheDataDirectory() throws {
        let dataDir = try Fixtures.temporaryDirectory("lifecycle-cli")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let old = dataDir + "/objects/infra-monitoring-pipeline-data/raw-metrics/2026/01/01/old.jsonl.gz"
        try FileManager.default.createDirectory(atPath: (old as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: old))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-100 * 86_400)], ofItemAtPath: old)
        let dry = try CommandRunner.infraMonitor(["lifecycle", "apply", "--dry-run", "--data-dir", dataDir])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would delete raw-metrics/2026/01/01/old.jsonl.gz"))
        #expect(FileManager.default.fileExists(atPath: old))
        let real = try CommandRunner.infraMonitor(["lifecycle", "apply", "--data-dir", dataDir])
        #expect(real.status == 0, "\(real.stderr)")
        #expect(real.stdout.contains("deleted raw-metrics/2026/01/01/old.jsonl.gz"))
        #expect(!FileManager.default.fileExists(atPath: old))
    }

    @Test func applyCreatesEveryResourceThenNoOpThenDestroy() throws {
        let server = try MotoServer()
        defer { server.stop() }
        let folder = try Fixtures.temporaryDirectory("deploy-apply")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = folder + "/infra-monitor-lambda"
        try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: binary))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
        let package = try CommandRunner.infraMonitor(["deploy", "package", "--binary", binary, "--output", folder + "/lambda.zip"])
        #expect(package.status == 0, "\(package.stderr)")
        let apply = ["deploy", "apply", "--endpoint-url", server.endpoint, "--alert-email", "ops@example.com", "--package", folder + "/lambda.zip"]

        let first = try CommandRunner.infraMonitor(apply, environment: server.environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("created stack infra-monitor"))
        #expect(first.stderr.contains("CREATE_COMPLETE"))
        let created = try checkStack(server)
        #expect(created["status"] == "CREATE_COMPLETE")
        let missing = Set(created["missing"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(missing.isSubset(of: motoSkips), "missing after apply: \(missing.subtracting(motoSkips).sorted())")
        #expect((created["found"]?.arrayValue?.count ?? 0) >= 11, "\(created)")

        let second = try CommandRunner.infraMonitor(apply, environment: server.environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("unchanged"), "\(second.stdout) \(second.stderr)")

        let destroy = ["deploy", "destroy", "--endpoint-url", server.endpoint]
        let destroyed = try CommandRunner.infraMonitor(destroy, environment: server.environment)
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(destroyed.stderr.contains("kept the data bucket"))
        let after = try checkStack(server)
        #expect(after["status"] == "GONE" || after["status"] == "DELETE_COMPLETE")
        #expect(after["found"]?.arrayValue?.contains("s3 infra-monitoring-pipeline-data") == true)
        #expect(after["found"]?.arrayValue?.contains("dynamodb InfraMetrics") == false)

        let deleteData = try CommandRunner.infraMonitor(destroy + ["--delete-data"], environment: server.environment)
        #expect(deleteData.status == 0, "\(deleteData.stderr)")
        let gone = try checkStack(server)
        #expect(gone["found"]?.arrayValue?.contains("s3 infra-monitoring-pipeline-data") == false)
    }
}
