extension SeedTemplate {
    /// The two functions, their roles and their log groups.
    func computeResources() -> [String: Resource] {
        let tableArn = TemplateValue.getAtt(ID.table, "Arn")
        // The data-collector writes raw batches and reads and writes its counter state; it never
        // touches InfraMetrics, which only the log-processor writes.
        let collectorStatements: [TemplateValue] =
            [
                Self.statement(["s3:PutObject"], [Self.bucketArn("/" + SeedNames.rawPrefix + "*")]),
                Self.statement(["dynamodb:GetItem", "dynamodb:PutItem"], [.getAtt(ID.stateTable, "Arn")]),
                Self.statement(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [Self.logGroupArn(SeedNames.logGroup(SeedNames.dataCollector))]
                ),
            ] + Self.fleetCollectorStatements
        let processorStatements: [TemplateValue] =
            [
                Self.statement(["s3:GetObject"], [Self.bucketArn("/" + SeedNames.rawPrefix + "*")]),
                Self.statement(["s3:PutObject"], [Self.bucketArn("/" + SeedNames.quarantinePrefix + "*")]),
                Self.statement(["dynamodb:BatchWriteItem"], [tableArn]),
                Self.metricDataStatement,
                Self.statement(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [Self.logGroupArn(SeedNames.logGroup(SeedNames.logProcessor))]
                ),
            ] + Self.alarmProcessorStatements
        return [
            ID.collectorLogs: logGroup(SeedNames.logGroup(SeedNames.dataCollector)),
            ID.processorLogs: logGroup(SeedNames.logGroup(SeedNames.logProcessor)),
            ID.collectorRole: Self.role(service: "lambda.amazonaws.com", policyName: "data-collector", collectorStatements),
            ID.processorRole: Self.role(service: "lambda.amazonaws.com", policyName: "log-processor", processorStatements),
            ID.collector: function(SeedNames.dataCollector, role: ID.collectorRole, logGroup: ID.collectorLogs, fleet: true),
            ID.processor: function(SeedNames.logProcessor, role: ID.processorRole, logGroup: ID.processorLogs, alarms: true),
        ]
    }

    /// `cloudwatch:PutMetricData` has no resource-level ARN: AWS requires `"Resource": "*"`, so the
    /// statement is narrowed by the `cloudwatch:namespace` condition key to `InfraMonitoring`.
    static let metricDataStatement: TemplateValue = [
        "Effect": "Allow",
        "Action": ["cloudwatch:PutMetricData"],
        "Resource": "*",
        "Condition": ["StringEquals": ["cloudwatch:namespace": .string(SeedNames.namespace)]],
    ]

    /// An `Allow` statement.
    static func statement(_ actions: [String], _ resources: [TemplateValue]) -> TemplateValue {
        ["Effect": "Allow", "Action": .list(actions.map { .string($0) }), "Resource": .list(resources)]
    }

    /// A role that `service` assumes, from this account only, with one inline policy.
    static func role(service: String, policyName: String, _ statements: [TemplateValue]) -> Resource {
        Resource(
            "AWS::IAM::Role",
            [
                "AssumeRolePolicyDocument": [
                    "Version": "2012-10-17",
                    "Statement": [
                        [
                            "Effect": "Allow",
                            "Principal": ["Service": .string(service)],
                            "Action": "sts:AssumeRole",
                            "Condition": ["StringEquals": ["aws:SourceAccount": .ref("AWS::AccountId")]],
                        ]
                    ],
                ],
                "Policies": [
                    [
                        "PolicyName": .string(policyName),
                        "PolicyDocument": ["Version": "2012-10-17", "Statement": .list(statements)],
                    ]
                ],
            ]
        )
    }

    private func logGroup(_ name: String) -> Resource {
        Resource(
            "AWS::Logs::LogGroup",
            ["LogGroupName": .string(name), "RetentionInDays": .ref(Param.retention)],
            deletionPolicy: "Delete"
        )
    }

    /// A function of the Swift executable on `provided.al2023`; the handler name picks the code path.
    /// The `Ref` to its log group orders the log group first.
    /// With `fleet`, the function gets the scrape configs' location, the shard size and the
    /// optional `VpcConfig`.
    /// With `alarms`, it gets where the fan-out alarms, their states and the topic are.
    private func function(_ name: String, role: String, logGroup: String, fleet: Bool = false, alarms: Bool = false) -> Resource {
        var variables: [String: TemplateValue] = [
            "BUCKET_NAME": Self.bucketName, "TABLE_NAME": .string(SeedNames.table), "STATE_TABLE_NAME": .string(SeedNames.stateTable),
            "CLOUDWATCH_DIMENSIONS": .ref(Param.dimensions),
        ]
        if fleet { variables.merge(Self.fleetEnvironment) { first, _ in first } }
        if alarms { variables.merge(Self.alarmEnvironment) { first, _ in first } }
        var resource = Resource(
            "AWS::Lambda::Function",
            [
                "FunctionName": .string(name),
                "Description": .string("InfraMonitor \(name) (Swift, custom runtime)"),
                "Runtime": "provided.al2023",
                "Handler": .string(name),
                "MemorySize": 128,
                "Timeout": 30,
                "Architectures": [.string(architecture.rawValue)],
                "Code": ["S3Bucket": .ref(Param.codeBucket), "S3Key": .ref(Param.codeKey)],
                "Role": .getAtt(role, "Arn"),
                "LoggingConfig": ["LogGroup": .ref(logGroup), "LogFormat": "Text"],
                "Environment": ["Variables": .object(variables)],
            ]
        )
        if fleet { resource.properties["VpcConfig"] = Self.collectorVPCConfig }
        return resource
    }
}
