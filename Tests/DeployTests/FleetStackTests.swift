import AWSClients
import Deploy
import Foundation
import InfraJSON
import InfraMonitorCore
import TestSupport
import Testing

/// The template with a config's fleet and alarms.
func fleetTemplate(_ alarms: [JSON] = FleetStackTests.alarms, dimensions: MetricDimensions = .perHost) throws -> SeedTemplate {
    let text = try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8)
    var seed = SeedTemplate(architecture: .x86_64, definitionText: text)
    seed.alarms = alarms
    seed.dimensions = dimensions
    return seed
}

/// Issue 13 and 14 on AWS: where the scrape configs live, the conditional grants and VPC, the
/// shard size, and the alarms that become `AWS::CloudWatch::Alarm` resources.
@Suite(.serialized) struct FleetStackTests {
    static let alarms: [JSON] = [
        [
            "AlarmName": "web-1 root disk", "MetricName": "disk_usage", "Namespace": "InfraMonitoring",
            "Dimensions": [["Name": "host", "Value": "web-1"], ["Name": "mountpoint", "Value": "/"]], "Statistic": "Maximum",
            "Period": 10800, "EvaluationPeriods": 3, "DatapointsToAlarm": 2, "Threshold": 90,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "missing",
        ],
        [
            "AlarmName": "cpu-web-1", "MetricName": "cpu_utilization", "Namespace": "InfraMonitoring",
            "Dimensions": [["Name": "host", "Value": "web-1"]], "Statistic": "Average", "Period": 300, "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1, "Threshold": 95, "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "breaching",
        ],
        [
            "AlarmName": "disk-filling", "MetricName": "disk_usage", "Namespace": "InfraMonitoring",
            "Dimensions": [["Name": "mountpoint", "Value": "/"]], "Statistic": "Maximum", "Period": 10800, "EvaluationPeriods": 3,
            "DatapointsToAlarm": 2, "Threshold": 90, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "missing",
        ],
    ]

    static func collectorStatements(_ template: JSON) -> [JSON] {
        template["Resources"]?["DataCollectorRole"]?["Properties"]?["Policies"]?[0]?["PolicyDocument"]?["Statement"]?.arrayValue ?? []
    }

    @Test func collectorGetsEachFleetGrantOnlyUnderItsCondition() throws {
        let template = try JSON(parsing: try fleetTemplate().build().rendered(.json))
        let conditional = Self.collectorStatements(template).compactMap { $0["Fn::If"]?.arrayValue }
        #expect(conditional.map { $0[0].stringValue ?? "" }.sorted() == ["HasScrapeConfigs", "InVPC", "UsesEC2Discovery"])
        for branches in conditional { #expect(branches[2] == ["Ref": "AWS::NoValue"]) }
        let ec2 = try #require(conditional.first { $0[0] == "UsesEC2Discovery" })
        #expect(ec2[1] == ["Effect": "Allow", "Action": ["ec2:DescribeInstances"], "Resource": "*"])
        let vpc = try #require(conditional.first { $0[0] == "InVPC" })
        #expect(
            Set(vpc[1]["Action"]?.arrayValue?.compactMap(\.stringValue) ?? []) == [
                "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
            ]
        )
        let object = try #require(conditional.first { $0[0] == "HasScrapeConfigs" })
        #expect(object[1]["Action"] == ["s3:GetObject"])
        #expect(object[1]["Resource"]?[0]?["Fn::Sub"] == "arn:${AWS::Partition}:s3:::${CodeBucket}/${ScrapeConfigKey}")
        #expect(IAMPolicyCheck.findings(in: template).isEmpty, "\(IAMPolicyCheck.findings(in: template))")

        let collector = try #require(template["Resources"]?["DataCollectorFunction"]?["Properties"])
        #expect(collector["VpcConfig"]?["Fn::If"]?[0] == "InVPC")
        #expect(collector["VpcConfig"]?["Fn::If"]?[1]?["SubnetIds"] == ["Fn::Split": [",", ["Ref": "SubnetIds"]]])
        let variables = try #require(collector["Environment"]?["Variables"])
        #expect(variables["SCRAPE_CONFIG_KEY"] == ["Ref": "ScrapeConfigKey"])
        #expect(variables["SHARD_SIZE"] == ["Ref": "ShardSize"])
        let processor = try #require(template["Resources"]?["LogProcessorFunction"]?["Properties"])
        #expect(processor["VpcConfig"] == nil)
        #expect(processor["Environment"]?["Variables"]?["SCRAPE_CONFIG_KEY"] == nil)
        let machine = try #require(template["Resources"]?["PipelineStateMachine"]?["Properties"])
        #expect(machine["DefinitionSubstitutions"]?["ShardSize"] == ["Ref": "ShardSize"])
        #expect(template["Parameters"]?["ShardSize"]?["Default"] == "250")
    }

    @Test func alarmsThatPinEveryDimensionBecomeCloudWatchAlarmsOnTheTopic() throws {
        let seed = try fleetTemplate()
        let template = try JSON(parsing: try seed.build().rendered(.json))
        let alarms = (template["Resources"]?.objectValue ?? [:]).filter { $0.key.hasPrefix("MetricAlarm") }.map(\.value)
        #expect(alarms.count == 2, "the fan-out disk-filling has no resource")
        #expect(seed.fanOutAlarms == ["disk-filling"])
        let disk = try #require(alarms.first { $0["Properties"]?["AlarmName"] == "web-1 root disk" }?["Properties"])
        #expect(disk["Dimensions"] == [["Name": "host", "Value": "web-1"], ["Name": "mountpoint", "Value": "/"]])
        #expect(disk["Statistic"] == "Maximum")
        #expect(disk["Period"] == 10800)
        #expect(disk["DatapointsToAlarm"] == 2)
        #expect(disk["Threshold"] == 90)
        for actions in ["AlarmActions", "OKActions", "InsufficientDataActions"] {
            #expect(disk[actions] == [["Ref": "AlarmTopic"]], "\(actions)")
        }
        // In the fleet mode the publisher sends no host: the same alarms fan out there, and an
        // alarm on the mount point alone is the single series.
        let fleet = try fleetTemplate(dimensions: .fleet)
        #expect(fleet.fanOutAlarms == ["web-1 root disk", "cpu-web-1"])
        #expect(try fleetTemplate([Self.alarms[2]], dimensions: .fleet).fanOutAlarms.isEmpty)
    }

    @Test(arguments: Template.Format.allCases)
    func cfnLintReportsNothingWithAlarms(format: Template.Format) async throws {
        let cfnLint = try #require(LintAndPolicyTests.cfnLint, "cfn-lint is not installed: pip install cfn-lint")
        let folder = try Fixtures.temporaryDirectory("fleet-lint")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/template." + format.rawValue
        try fleetTemplate().build().rendered(format).write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.run(cfnLint, ["--regions", "eu-west-1", "--", path])
        #expect(result.status == 0, "cfn-lint: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "cfn-lint: \(result.stdout)")
    }

    @Test func scrapeConfigsAreTheConfigsOnlyUnderAContentAddressedKey() throws {
        let config = """
            host: here
            notifications:
              webhook_url: https://hooks.example.com/secret-token
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ["127.0.0.1:9100"]
            """
        let document = try #require(try ScrapeConfigDeployment.document(configText: config))
        #expect(document.contains("job_name: node"))
        #expect(!document.contains("secret-token"), "only scrape_configs leave the machine")
        #expect(ScrapeConfigDeployment.key(for: document).hasPrefix("config/scrape-configs-"))
        #expect(ScrapeConfigDeployment.key(for: document) != ScrapeConfigDeployment.key(for: document + "# changed\n"))
        #expect(try ScrapeConfigDeployment.document(configText: "host: here\n") == nil)
        #expect(throws: DeployError.self) { try FleetDeployment(subnetIDs: ["subnet-0a"]).validate() }
        #expect(throws: DeployError.self) { try FleetDeployment(shardSize: 0).validate() }
    }

    @Test func applyUploadsTheScrapeConfigsAndKeepsTheFleetOnALaterApplyWithoutIt() async throws {
        let server = try await MotoServer()
        defer { server.stop() }
        let folder = try Fixtures.temporaryDirectory("fleet-deployer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let package = folder + "/lambda.zip"
        try LambdaPackage.zip(binary: try fakePackage(in: folder), to: package)
        let template = try fleetTemplate().build().rendered(.json)
        var deployer = StackDeployer(region: "eu-west-1", endpointURL: URL(string: server.endpoint), environment: server.environment) { _ in }
        deployer.pollInterval = .milliseconds(200)
        let document = "scrape_configs:\n- job_name: node\n  static_configs:\n  - targets: ['127.0.0.1:9100']\n"
        let fleet = FleetDeployment(
            scrapeConfigs: document,
            ec2Discovery: true,
            subnetIDs: ["subnet-0a1b2c3d"],
            securityGroupIDs: ["sg-0a1b2c3d"],
            shardSize: 100
        )
        let outcome = try await deployer.apply(
            template: template,
            parameters: ["AlertEmail": "ops@example.com"],
            packagePath: package,
            codeBucket: "code-bucket",
            fleet: fleet
        )
        #expect(outcome == .created)
        let key = ScrapeConfigDeployment.key(for: document)
        let client = AWSClient(
            configuration: .standard(region: "eu-west-1", endpointURL: URL(string: server.endpoint), environment: server.environment)
        )
        let stored = try await S3Client(client: client).getObject(bucket: "code-bucket", key: key)
        #expect(String(decoding: stored, as: UTF8.self) == document)
        let stack = try #require(try await CloudFormationClient(client: client).describeStack(name: "infra-monitor"))
        #expect(stack.parameters["ScrapeConfigKey"] == key)
        #expect(stack.parameters["EC2Discovery"] == "true")
        #expect(stack.parameters["SubnetIds"] == "subnet-0a1b2c3d")
        #expect(stack.parameters["ShardSize"] == "100")
        let function = try await Self.functionConfiguration(server)
        #expect(function["Environment"]?["Variables"]?["SCRAPE_CONFIG_KEY"]?.stringValue == key, "\(function)")
        #expect(function["Environment"]?["Variables"]?["SCRAPE_CONFIG_BUCKET"]?.stringValue == "code-bucket", "\(function)")
        // CloudFormation passes a Number parameter's Ref as text; moto passes the number.
        #expect(function["Environment"]?["Variables"]?["SHARD_SIZE"].map { $0.stringValue ?? $0.text } == "100", "\(function)")
        #expect(function["VpcConfig"]?["SubnetIds"] == ["subnet-0a1b2c3d"], "\(function)")
        #expect(function["VpcConfig"]?["SecurityGroupIds"] == ["sg-0a1b2c3d"], "\(function)")

        // An apply without the fleet (a new package, say) keeps what was deployed.
        try LambdaPackage.zip(binary: try fakePackage(in: folder), to: package)
        _ = try await deployer.apply(
            template: template,
            parameters: ["AlertEmail": "ops@example.com", "ScheduleExpression": "rate(1 hour)"],
            packagePath: package,
            codeBucket: "code-bucket"
        )
        let kept = try #require(try await CloudFormationClient(client: client).describeStack(name: "infra-monitor"))
        #expect(kept.parameters["ScrapeConfigKey"] == key)
        #expect(kept.parameters["SubnetIds"] == "subnet-0a1b2c3d")
        #expect(kept.parameters["ShardSize"] == "100")
    }

    /// moto 5.2's CloudFormation does not implement `AWS::CloudWatch::Alarm` (see `motoSkips`), so
    /// each generated alarm resource is created by `PutMetricAlarm` with exactly its properties
    /// (the topic's `Ref` resolved), and read back with `DescribeAlarms`.
    @Test func generatedAlarmsAreAcceptedByPutMetricAlarmAndReadBack() async throws {
        let server = try await MotoServer()
        defer { server.stop() }
        let template = try JSON(parsing: try fleetTemplate().build().rendered(.json))
        let alarms = (template["Resources"]?.objectValue ?? [:]).filter { $0.key.hasPrefix("MetricAlarm") }.map { $0.value["Properties"] ?? .null }
        let script = #"""
            import json, sys, boto3
            endpoint, alarms = sys.argv[1], json.loads(sys.argv[2])
            sns = boto3.client("sns", endpoint_url=endpoint, region_name="eu-west-1")
            cw = boto3.client("cloudwatch", endpoint_url=endpoint, region_name="eu-west-1")
            topic = sns.create_topic(Name="InfraMonitoring-Alarms")["TopicArn"]
            for alarm in alarms:
                for actions in ("AlarmActions", "OKActions", "InsufficientDataActions"):
                    alarm[actions] = [topic if a == {"Ref": "AlarmTopic"} else a for a in alarm[actions]]
                cw.put_metric_alarm(**alarm)
            found = cw.describe_alarms(AlarmNames=[a["AlarmName"] for a in alarms])["MetricAlarms"]
            cw.set_alarm_state(AlarmName=alarms[0]["AlarmName"], StateValue="ALARM", StateReason="test")
            after = cw.describe_alarms(AlarmNames=[alarms[0]["AlarmName"]])["MetricAlarms"][0]["StateValue"]
            print(json.dumps({"topic": topic, "after_set": after, "alarms": [{k: a.get(k) for k in ("AlarmName", "StateValue", "AlarmActions", "OKActions",
                "InsufficientDataActions", "Dimensions", "Threshold", "DatapointsToAlarm", "TreatMissingData")} for a in found]}))
            """#
        let result = try await CommandRunner.run(
            "/usr/bin/env",
            ["python3", "-c", script, server.endpoint, JSON.array(alarms).text],
            environment: server.environment
        )
        #expect(result.status == 0, "\(result.stderr)")
        let out = try JSON(parsing: result.stdout)
        let found = out["alarms"]?.arrayValue ?? []
        #expect(out["after_set"] == "ALARM", "a state set through the API reads back: \(result.stdout)")
        #expect(found.count == 2, "\(result.stdout)")
        for alarm in found {
            // AWS: "the alarm state is immediately set to INSUFFICIENT_DATA"; moto 5.2 starts it at OK
            // and never evaluates it, so only that a state is read back is checked here.
            #expect(["OK", "ALARM", "INSUFFICIENT_DATA"].contains(alarm["StateValue"]?.stringValue ?? ""), "\(alarm)")
            for actions in ["AlarmActions", "OKActions", "InsufficientDataActions"] {
                #expect(alarm[actions] == .array([out["topic"] ?? .null]), "\(actions): \(alarm)")
            }
        }
        #expect(found.contains { $0["AlarmName"] == "web-1 root disk" && $0["DatapointsToAlarm"] == 2 && $0["Threshold"] == 90 })
    }

    /// `GetFunctionConfiguration` of the data-collector, through boto3.
    static func functionConfiguration(_ server: MotoServer) async throws -> JSON {
        let script = #"""
            import json, sys, boto3
            c = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="eu-west-1")
            print(json.dumps(c.get_function_configuration(FunctionName="data-collector"), default=str))
            """#
        let result = try await CommandRunner.run("/usr/bin/env", ["python3", "-c", script, server.endpoint], environment: server.environment)
        guard result.status == 0 else { throw TestSupportError("get_function_configuration: \(result.stderr)") }
        return try JSON(parsing: result.stdout)
    }
}

@Suite struct ShardedCostTests {
    static func definition() throws -> JSON {
        try JSON(parsing: try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8))
    }

    @Test(arguments: [(1, 250, 1), (250, 250, 1), (251, 250, 2), (1_000, 250, 4), (1_000, 100, 10)])
    func shardsAreTheCeilingOfTargetsOverTheShardSize(hosts: Int, size: Int, shards: Int) {
        #expect(ShardedCost.shards(hosts: hosts, shardSize: size) == shards)
    }

    @Test func everyShardIsOneCollectionPerMetricAndOneTransitionMore() throws {
        let definition = try Self.definition()
        #expect(StateTransitions.collectionTasks(of: definition) == 4)
        #expect(StateTransitions.collectionTasks(of: definition, mapIterations: 4) == 16)
        #expect(StateTransitions.tasks(of: definition, resource: "arn:aws:states:::lambda:invoke", mapIterations: 4) == 17, "with the plan")
        let one = try StateTransitions.successPath(of: definition, mapIterations: 1)
        #expect(try StateTransitions.successPath(of: definition, mapIterations: 4) == one + 12)
        var assumptions = CostAssumptions()
        assumptions.hosts = 1_000
        let fleet = CostEstimate(
            assumptions: assumptions,
            transitionsPerExecution: try StateTransitions.successPath(of: definition, mapIterations: 4),
            collectorTasksPerExecution: StateTransitions.collectionTasks(of: definition, mapIterations: 4)
        )
        #expect(fleet.files == 240 * 16, "one batch per metric per shard")
    }
}

@Suite struct FleetDeployCLITests {
    @Test func costPricesTheShardsAndTheConfigsAlarms() async throws {
        let folder = try Fixtures.temporaryDirectory("fleet-cost")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
        alarms:
          - {AlarmName: cpu-web-1, MetricName: cpu_utilization, Dimensions: [{Name: host, Value: web-1}], Statistic: Average,
             Period: 300, EvaluationPeriods: 1, Threshold: 95, ComparisonOperator: GreaterThanThreshold}
          - {AlarmName: disk-filling, MetricName: disk_usage, Dimensions: [{Name: mountpoint, Value: /}], Statistic: Maximum,
             Period: 10800, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 90, ComparisonOperator: GreaterThanOrEqualToThreshold}

        """.write(toFile: folder + "/config.yaml", atomically: true, encoding: .utf8)
        let result = try await CommandRunner.infraMonitor([
            "deploy", "cost", "--hosts", "1000", "--shard-size", "250", "--config", folder + "/config.yaml",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("= 4 shard(s)"), "\(result.stdout)")
        #expect(result.stdout.contains("16 data-collector invocation(s)"), "\(result.stdout)")
        #expect(result.stdout.contains("3,840 raw batch files") || result.stdout.contains("3840 raw batch files"), "\(result.stdout)")
        #expect(result.stdout.contains("1 alarm(s) pinning every dimension"), "\(result.stdout)")
        #expect(result.stdout.contains("1 fan-out alarm(s) on 1 metric(s)"), "\(result.stdout)")
    }

    @Test func applyRefusesScrapeConfigsThatNameFilesOnThisMachine() async throws {
        let folder = try Fixtures.temporaryDirectory("fleet-apply-refused")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
        scrape_configs:
          - job_name: files
            file_sd_configs:
              - files: ["/etc/infra-monitor/targets/*.json"]

        """.write(toFile: folder + "/config.yaml", atomically: true, encoding: .utf8)
        let result = try await CommandRunner.infraMonitor([
            "deploy", "apply", "--alert-email", "ops@example.com", "--endpoint-url", "http://127.0.0.1:9", "--config", folder + "/config.yaml",
        ])
        #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("job \"files\" uses file_sd_configs"), "\(result.stderr)")
        #expect(result.stderr.contains("line 2"), "\(result.stderr)")
    }
}
