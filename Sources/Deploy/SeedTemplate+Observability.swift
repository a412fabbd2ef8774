import InfraJSON

extension SeedTemplate {
    /// The `InfraMonitoring` dashboard and the alarms that notify the topic.
    func observabilityResources() -> [String: Resource] {
        [
            ID.dashboard: Resource(
                "AWS::CloudWatch::Dashboard",
                ["DashboardName": .string(SeedNames.dashboard), "DashboardBody": .sub(Self.dashboardBody.text)]
            ),
            ID.failedAlarm: Self.stateMachineAlarm(
                name: "InfraMonitoring-PipelineFailed",
                metric: "ExecutionsFailed",
                description: "An execution of InfraMonitoring-Pipeline-Orch failed"
            ),
            ID.timedOutAlarm: Self.stateMachineAlarm(
                name: "InfraMonitoring-PipelineTimedOut",
                metric: "ExecutionsTimedOut",
                description: "An execution of InfraMonitoring-Pipeline-Orch timed out"
            ),
            ID.processorErrorsAlarm: Resource(
                "AWS::CloudWatch::Alarm",
                [
                    "AlarmName": "InfraMonitoring-LogProcessorErrors",
                    "AlarmDescription": "The log-processor failed on a raw batch; `infra-monitor replay` reprocesses it",
                    "Namespace": "AWS/Lambda",
                    "MetricName": "Errors",
                    "Dimensions": [["Name": "FunctionName", "Value": .ref(ID.processor)]],
                    "Statistic": "Sum",
                    "Period": 300,
                    "EvaluationPeriods": 1,
                    "Threshold": 1,
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                    "TreatMissingData": "notBreaching",
                    "AlarmActions": [.ref(ID.topic)],
                ]
            ),
        ]
    }

    private static func stateMachineAlarm(name: String, metric: String, description: String) -> Resource {
        Resource(
            "AWS::CloudWatch::Alarm",
            [
                "AlarmName": .string(name),
                "AlarmDescription": .string(description),
                "Namespace": "AWS/States",
                "MetricName": .string(metric),
                "Dimensions": [["Name": "StateMachineArn", "Value": .ref(ID.stateMachine)]],
                "Statistic": "Sum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": [.ref(ID.topic)],
            ]
        )
    }

    /// The label dimensions the collectors put on each metric, besides `host`
    /// (`Sources/Collectors`: disk by mount point, network by device and direction).
    public static let labelDimensions: [String: [String]] = [
        "cpu_utilization": [],
        "memory_usage": [],
        "disk_usage": ["mountpoint"],
        "network_traffic": ["device", "direction"],
    ]

    /// The SEARCH expressions of `metric`'s widget: one over the per-host schema
    /// `{InfraMonitoring,host,<labels>}` and one over the fleet schema `{InfraMonitoring,<labels>}`.
    /// A schema in braces matches only metrics with exactly those dimensions
    /// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html),
    /// so each must name every dimension the publisher sends.
    public static func searchExpressions(metric: String) -> [String] {
        let labels = labelDimensions[metric] ?? []
        return [["host"] + labels, labels].map { dimensions in
            let schema = ([SeedNames.namespace] + dimensions).joined(separator: ",")
            return "SEARCH('{\(schema)} MetricName=\"\(metric)\"', 'Average', 300)"
        }
    }

    /// A widget per metric (SEARCH expressions over the per-host and the fleet dimensions, so
    /// every published series shows whichever mode publishes), then the pipeline's executions.
    /// `${AWS::Region}` is filled by `Fn::Sub`.
    static var dashboardBody: JSON {
        var widgets: [JSON] = []
        for (index, metric) in SeedNames.metrics.enumerated() {
            let expressions = searchExpressions(metric: metric).enumerated().map { position, search -> JSON in
                [["expression": .string(search), "id": .string("e\(position + 1)")]]
            }
            widgets.append([
                "type": "metric",
                "x": .number(Double(index % 2 * 12)),
                "y": .number(Double(index / 2 * 6)),
                "width": 12,
                "height": 6,
                "properties": [
                    "title": .string(metric),
                    "region": "${AWS::Region}",
                    "view": "timeSeries",
                    "period": 300,
                    "stat": "Average",
                    "metrics": .array(expressions),
                ],
            ])
        }
        let stateMachineArn = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:\(SeedNames.stateMachine)"
        widgets.append([
            "type": "metric",
            "x": 0,
            "y": 12,
            "width": 24,
            "height": 6,
            "properties": [
                "title": "Pipeline executions",
                "region": "${AWS::Region}",
                "view": "timeSeries",
                "period": 3600,
                "stat": "Sum",
                "metrics": [
                    [
                        "AWS/States", "ExecutionsSucceeded", "StateMachineArn",
                        .string(stateMachineArn),
                    ],
                    [
                        "AWS/States", "ExecutionsFailed", "StateMachineArn",
                        .string(stateMachineArn),
                    ],
                ],
            ],
        ])
        return ["widgets": .array(widgets)]
    }
}
