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

    /// A widget per metric (a SEARCH over the namespace, so per-host and fleet dimensions both
    /// show), then the pipeline's executions. `${AWS::Region}` is filled by `Fn::Sub`.
    static var dashboardBody: JSON {
        var widgets: [JSON] = []
        for (index, metric) in SeedNames.metrics.enumerated() {
            let search = "SEARCH('{\(SeedNames.namespace)} MetricName=\"\(metric)\"', 'Average', 300)"
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
                    "metrics": [[["expression": .string(search), "id": "e1"]]],
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
