import Foundation
import InfraJSON
import TestSupport

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
    check("dynamodb InfraMonitorCollectorState", lambda: c("dynamodb").describe_table(TableName="InfraMonitorCollectorState")["Table"]["KeySchema"][0]["AttributeName"] == "state_key")
    try:
        targets = [n["LambdaFunctionArn"] for n in c("s3").get_bucket_notification_configuration(Bucket="infra-monitoring-pipeline-data").get("LambdaFunctionConfigurations", [])]
    except Exception as error:
        targets = []
        out["notifies_error"] = type(error).__name__ + ": " + str(error)
    out["notifies"] = targets
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
let motoSkips: Set<String> = [
    "glue infra_monitoring (EntityNotFoundException)", "glue metrics (EntityNotFoundException)",
    "athena InfraMonitoring (InvalidRequestException)", "cloudwatch alarm InfraMonitoring-PipelineFailed",
]

/// Runs the boto3 check against `server`.
func checkStack(_ server: MotoServer) async throws -> JSON {
    let result = try await CommandRunner.run(
        "/usr/bin/env",
        ["python3", "-c", checkScript, server.endpoint, "infra-monitor"],
        environment: server.environment
    )
    guard result.status == 0 else { throw TestSupportError("boto3 check failed: \(result.stderr)") }
    return try JSON(parsing: result.stdout)
}

/// A fake Lambda executable zipped as the package, in `folder`.
func fakePackage(in folder: String) throws -> String {
    let binary = folder + "/infra-monitor-lambda"
    try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: binary))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
    return binary
}
