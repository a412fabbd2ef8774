import Deploy
import Foundation
import InfraJSON
import TestSupport
import Testing

/// The seed template as JSON, built from the project's definition.
func seedTemplateJSON(architecture: LambdaArchitecture = .x86_64) throws -> JSON {
    let text = try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8)
    let rendered = try SeedTemplate(architecture: architecture, definitionText: text).build().rendered(.json)
    return try JSON(parsing: rendered)
}

/// The resource of `type` whose property `key` is `name`.
func resource(_ template: JSON, type: String, named name: String, key: String) -> JSON? {
    template["Resources"]?.objectValue?.values.first {
        $0["Type"]?.stringValue == type && $0["Properties"]?[key]?.stringValue == name
    }
}

@Suite struct TemplateTests {
    @Test(
        arguments: [
            ("AWS::DynamoDB::Table", "TableName", "InfraMetrics"),
            ("AWS::Lambda::Function", "FunctionName", "data-collector"),
            ("AWS::Lambda::Function", "FunctionName", "log-processor"),
            ("AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/data-collector"),
            ("AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/log-processor"),
            ("AWS::StepFunctions::StateMachine", "StateMachineName", "InfraMonitoring-Pipeline-Orch"),
            ("AWS::SNS::Topic", "TopicName", "InfraMonitoring-Alarms"),
            ("AWS::CloudWatch::Dashboard", "DashboardName", "InfraMonitoring"),
            ("AWS::Athena::WorkGroup", "Name", "InfraMonitoring"),
        ]
    )
    func everyNamedResourceIsThere(type: String, key: String, name: String) throws {
        let template = try seedTemplateJSON()
        #expect(resource(template, type: type, named: name, key: key) != nil, "no \(type) with \(key) \(name)")
    }

    @Test func bucketIsPrivateEncryptedWithLifecycleAndNotification() throws {
        let template = try seedTemplateJSON()
        let bucket = try #require(template["Resources"]?["DataBucket"])
        #expect(bucket["DeletionPolicy"] == "RetainExceptOnCreate")
        #expect(bucket["UpdateReplacePolicy"] == "Retain")
        #expect(bucket["Condition"] == "CreatesDataBucket")
        #expect(template["Parameters"]?["DataBucketExists"]?["AllowedValues"] == ["false", "true"])
        #expect(template["Outputs"]?["DataBucketName"]?["Value"]?["Fn::If"] != nil, "the name, not a Ref to a conditional bucket")
        let properties = try #require(bucket["Properties"])
        #expect(properties["BucketName"]?["Fn::If"]?[2] == "infra-monitoring-pipeline-data")
        #expect(properties["BucketName"]?["Fn::If"]?[1]?["Fn::Sub"] == "infra-monitoring-pipeline-data-${BucketNameSuffix}")
        let block = try #require(properties["PublicAccessBlockConfiguration"]?.objectValue)
        #expect(block.count == 4 && block.values.allSatisfy { $0 == true })
        #expect(
            properties["BucketEncryption"]?["ServerSideEncryptionConfiguration"]?[0]?["ServerSideEncryptionByDefault"]?["SSEAlgorithm"]
                == "AES256"
        )
        let rule = try #require(properties["LifecycleConfiguration"]?["Rules"]?[0])
        #expect(rule["Prefix"] == "raw-metrics/")
        #expect(rule["Transitions"]?[0]?["StorageClass"] == "STANDARD_IA")
        #expect(rule["Transitions"]?[0]?["TransitionInDays"] == 30)
        #expect(rule["ExpirationInDays"] == 90)
        let notification = try #require(properties["NotificationConfiguration"]?["LambdaConfigurations"]?[0])
        #expect(notification["Function"]?["Fn::GetAtt"] == ["LogProcessorFunction", "Arn"])
        #expect(notification["Filter"]?["S3Key"]?["Rules"]?[0]?["Value"] == "raw-metrics/")
        #expect(bucket["DependsOn"] == ["LogProcessorBucketPermission"])
        let permission = try #require(template["Resources"]?["LogProcessorBucketPermission"]?["Properties"])
        #expect(permission["SourceAccount"]?["Ref"] == "AWS::AccountId")
        #expect(permission["SourceArn"]?["Fn::Sub"]?[0] == "arn:${AWS::Partition}:s3:::${Name}")
    }

    @Test func collectorStateTableIsLeastPrivilegeAndEveryNameIsAnOutput() throws {
        let template = try seedTemplateJSON()
        let table = try #require(resource(template, type: "AWS::DynamoDB::Table", named: "InfraMonitorCollectorState", key: "TableName"))
        #expect(table["Properties"]?["KeySchema"] == [["AttributeName": "state_key", "KeyType": "HASH"]])
        #expect(table["Properties"]?["BillingMode"] == "PAY_PER_REQUEST")
        let collectorRole = try #require(template["Resources"]?["DataCollectorRole"])
        let statements = collectorRole["Properties"]?["Policies"]?[0]?["PolicyDocument"]?["Statement"]?.arrayValue ?? []
        let dynamo = statements.filter { $0["Action"]?.arrayValue?.contains { $0.stringValue?.hasPrefix("dynamodb:") == true } == true }
        #expect(dynamo.count == 1)
        #expect(dynamo.first?["Action"] == ["dynamodb:GetItem", "dynamodb:PutItem"])
        #expect(dynamo.first?["Resource"] == [["Fn::GetAtt": ["CollectorStateTable", "Arn"]]], "the state table only, not InfraMetrics")
        let processorRole = try #require(template["Resources"]?["LogProcessorRole"])
        let processorDynamo = (processorRole["Properties"]?["Policies"]?[0]?["PolicyDocument"]?["Statement"]?.arrayValue ?? [])
            .filter { $0["Action"]?.arrayValue?.contains { $0.stringValue?.hasPrefix("dynamodb:") == true } == true }
        #expect(processorDynamo.first?["Action"] == ["dynamodb:BatchWriteItem"], "the processor writes in batches only")
        let collector = try #require(resource(template, type: "AWS::Lambda::Function", named: "data-collector", key: "FunctionName"))
        #expect(collector["Properties"]?["Environment"]?["Variables"]?["STATE_TABLE_NAME"] == "InfraMonitorCollectorState")
        let outputs = Set(template["Outputs"]?.objectValue?.keys.map { $0 } ?? [])
        for name in [
            "DataBucketName", "MetricsTableName", "CollectorStateTableName", "AlarmTopicArn", "AthenaWorkGroupName", "StateMachineArn",
            "LogProcessorFunctionArn", "GlueDatabaseName",
        ] {
            #expect(outputs.contains(name), "no output \(name)")
        }
    }

    @Test func definitionRetriesOnlyLambdaServiceErrorsAndNormalizesItsInput() throws {
        let text = try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8)
        let definition = try JSON(parsing: text)
        #expect(definition["StartAt"] == "CheckInput")
        // Every lambda:invoke task: the shard plan and each metric's task inside its Map over the shards.
        var tasks = [definition["States"]?["PlanShards"] ?? .null]
        for branch in definition["States"]?["CollectMetrics"]?["Branches"]?.arrayValue ?? [] {
            for map in branch["States"]?.objectValue?.values.map({ $0 }) ?? [] {
                #expect(map["Type"] == "Map")
                tasks += map["ItemProcessor"]?["States"]?.objectValue?.values.map { $0 } ?? []
            }
        }
        #expect(tasks.count == 5)
        for state in tasks {
            let retry = state["Retry"]?.arrayValue ?? []
            #expect(retry.count == 1)
            #expect(
                retry.first?["ErrorEquals"] == [
                    "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException",
                ]
            )
            #expect(retry.first?["JitterStrategy"] == "FULL")
        }
        #expect(definition["States"]?["UseStartTime"]?["Parameters"]?["time.$"] == "$$.Execution.StartTime")
    }

    @Test func projectionStartsAtTheDeployYear() throws {
        let text = try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8)
        let rendered = try SeedTemplate(architecture: .x86_64, definitionText: text, projectionStartYear: 2026).build().rendered(.json)
        let parameters = try JSON(parsing: rendered)["Resources"]?["GlueMetricsTable"]?["Properties"]?["TableInput"]?["Parameters"]
        #expect(parameters?["projection.year.type"] == "date")
        #expect(parameters?["projection.year.range"] == "2026,NOW")
        #expect(parameters?["projection.year.format"] == "yyyy")
    }

    @Test func tableIsOnDemandWithKeysTTLAndRecovery() throws {
        let table = try #require(try seedTemplateJSON()["Resources"]?["MetricsTable"]?["Properties"])
        #expect(table["BillingMode"] == "PAY_PER_REQUEST")
        #expect(table["KeySchema"] == [["AttributeName": "metric_id", "KeyType": "HASH"], ["AttributeName": "timestamp", "KeyType": "RANGE"]])
        #expect(table["AttributeDefinitions"]?[0]?["AttributeType"] == "S")
        #expect(table["TimeToLiveSpecification"] == ["AttributeName": "expires_at", "Enabled": true])
        #expect(table["PointInTimeRecoverySpecification"]?["PointInTimeRecoveryEnabled"] == true)
    }

    @Test(arguments: [LambdaArchitecture.x86_64, .arm64])
    func functionsRunTheSwiftPackageOnTheCustomRuntime(architecture: LambdaArchitecture) throws {
        let template = try seedTemplateJSON(architecture: architecture)
        for name in ["data-collector", "log-processor"] {
            let function = try #require(resource(template, type: "AWS::Lambda::Function", named: name, key: "FunctionName")?["Properties"])
            #expect(function["Runtime"] == "provided.al2023")
            #expect(function["Handler"] == .string(name))
            #expect(function["MemorySize"] == 128)
            #expect(function["Timeout"] == 30)
            #expect(function["Architectures"] == [.string(architecture.rawValue)])
            #expect(function["Code"] == ["S3Bucket": ["Ref": "CodeBucket"], "S3Key": ["Ref": "CodeKey"]])
            #expect(function["Environment"]?["Variables"]?["TABLE_NAME"] == "InfraMetrics")
            #expect(function["Environment"]?["Variables"]?["BUCKET_NAME"]?["Fn::If"] != nil)
        }
        let group = try #require(resource(template, type: "AWS::Logs::LogGroup", named: "/aws/lambda/data-collector", key: "LogGroupName"))
        #expect(group["Properties"]?["RetentionInDays"]?["Ref"] == "LogRetentionDays")
    }

    @Test func stateMachineIsTheProjectDefinitionWithSubstitutionsAndLogging() throws {
        let template = try seedTemplateJSON()
        let machine = try #require(template["Resources"]?["PipelineStateMachine"]?["Properties"])
        #expect(machine["StateMachineType"] == "STANDARD")
        let definitionText = try #require(machine["DefinitionString"]?.stringValue)
        let file = try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8)
        #expect(try JSON(parsing: definitionText) == JSON(parsing: file))
        #expect(machine["DefinitionSubstitutions"]?["DataCollectorFunctionArn"]?["Fn::GetAtt"] == ["DataCollectorFunction", "Arn"])
        #expect(machine["DefinitionSubstitutions"]?["AlarmTopicArn"]?["Ref"] == "AlarmTopic")
        #expect(machine["LoggingConfiguration"]?["Destinations"]?[0]?["CloudWatchLogsLogGroup"] != nil)
        let rule = try #require(template["Resources"]?["ScheduleRule"]?["Properties"])
        #expect(rule["ScheduleExpression"]?["Ref"] == "ScheduleExpression")
        #expect(template["Parameters"]?["ScheduleExpression"]?["Default"] == "rate(3 hours)")
        #expect(rule["Targets"]?[0]?["Arn"]?["Ref"] == "PipelineStateMachine")
        let alarm = try #require(template["Resources"]?["PipelineFailedAlarm"]?["Properties"])
        #expect(alarm["Namespace"] == "AWS/States")
        #expect(alarm["MetricName"] == "ExecutionsFailed")
        #expect(alarm["AlarmActions"] == [["Ref": "AlarmTopic"]])
    }

    @Test func glueTableReadsRawMetricsWithPartitionProjection() throws {
        let template = try seedTemplateJSON()
        #expect(template["Resources"]?["GlueDatabase"]?["Properties"]?["DatabaseInput"]?["Name"] == "infra_monitoring")
        let input = try #require(template["Resources"]?["GlueMetricsTable"]?["Properties"]?["TableInput"])
        #expect(input["Name"] == "metrics")
        let storage = try #require(input["StorageDescriptor"])
        #expect(storage["SerdeInfo"]?["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe")
        let columns = storage["Columns"]?.arrayValue?.compactMap { column -> String? in
            guard let name = column["Name"]?.stringValue, let type = column["Type"]?.stringValue else { return nil }
            return "\(name) \(type)"
        }
        #expect(columns == ["metric string", "host string", "timestamp string", "value double", "unit string", "labels map<string,string>"])
        #expect(input["PartitionKeys"]?.arrayValue?.compactMap { $0["Name"]?.stringValue } == ["year", "month", "day"])
        #expect(input["Parameters"]?["projection.enabled"] == "true")
        let location = try #require(input["Parameters"]?["storage.location.template"]?["Fn::Join"]?[1])
        #expect(location[0] == "s3://")
        #expect(location[2] == "/raw-metrics/${year}/${month}/${day}/")
    }

    @Test func dashboardHasAWidgetPerMetric() throws {
        let body = try #require(
            try seedTemplateJSON()["Resources"]?["Dashboard"]?["Properties"]?["DashboardBody"]?["Fn::Sub"]?.stringValue
        )
        let widgets = try #require(try JSON(parsing: body)["widgets"]?.arrayValue)
        for metric in SeedNames.metrics {
            #expect(widgets.contains { $0["properties"]?["title"] == .string(metric) }, "no widget for \(metric)")
            let widget = try #require(widgets.first { $0["properties"]?["title"] == .string(metric) })
            let expressions = widget["properties"]?["metrics"]?.arrayValue?.compactMap { $0[0]?["expression"]?.stringValue } ?? []
            #expect(expressions == SeedTemplate.searchExpressions(metric: metric))
        }
        // The per-host schema names host and every label the collectors put on the series.
        #expect(
            SeedTemplate.searchExpressions(metric: "network_traffic") == [
                #"SEARCH('{InfraMonitoring,host,device,direction} MetricName="network_traffic"', 'Average', 300)"#,
                #"SEARCH('{InfraMonitoring,device,direction} MetricName="network_traffic"', 'Average', 300)"#,
            ]
        )
        #expect(
            SeedTemplate.searchExpressions(metric: "cpu_utilization")[0]
                == #"SEARCH('{InfraMonitoring,host} MetricName="cpu_utilization"', 'Average', 300)"#
        )
    }

    @Test func unknownPlaceholderInTheDefinitionIsRefused() throws {
        let definition = #"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${SomethingElse}","End":true}}}"#
        #expect(throws: DeployError.self) { try SeedTemplate(definitionText: definition).build() }
    }

    @Test func yamlAndJSONCarryTheSameTemplate() throws {
        let text = try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8)
        let template = try SeedTemplate(architecture: .x86_64, definitionText: text).build()
        let yaml = try template.rendered(.yaml)
        #expect(yaml.contains("AWSTemplateFormatVersion: 2010-09-09") || yaml.contains("AWSTemplateFormatVersion: '2010-09-09'"))
        #expect(yaml.contains("Fn::GetAtt:"))
        #expect(yaml.contains("StateMachineName: InfraMonitoring-Pipeline-Orch"))
    }
}
