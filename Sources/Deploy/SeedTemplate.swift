import Foundation
public import InfraJSON
public import InfraMonitorCore

/// The CloudFormation template of the seed's architecture (docs/design.md, "Architecture"): every resource with its
/// exact name, parameterized where an operator chooses.
public struct SeedTemplate: Sendable {
    /// The Lambda architecture the package was built for: `x86_64` or `arm64`.
    public var architecture: LambdaArchitecture
    /// The state-machine definition text (`pipeline/state-machine.asl.json`), with its `${…}` placeholders.
    public var definitionText: String

    /// The first year the Athena table projects partitions for: the year of the first deploy, so
    /// an unfiltered query projects the years since then, not every year since 2024.
    public var projectionStartYear: Int

    /// The config's `alarms:` (each a `PutMetricAlarm` field set, validated by the `Alarms`
    /// module): those that pin every dimension become `AWS::CloudWatch::Alarm` resources.
    public var alarms: [JSON] = []
    /// The dimensions the publisher sends, which an alarm on its metric must match.
    public var dimensions: MetricDimensions = .perHost

    /// A template for `architecture` running `definitionText`; partitions are projected from
    /// `projectionStartYear` (the current UTC year by default) up to the present.
    public init(architecture: LambdaArchitecture = .host, definitionText: String, projectionStartYear: Int? = nil) {
        self.architecture = architecture
        self.definitionText = definitionText
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        self.projectionStartYear = projectionStartYear ?? calendar.component(.year, from: Date())
    }

    /// Logical IDs of the resources, so references are written once.
    enum ID {
        static let bucket = "DataBucket"
        static let bucketPermission = "LogProcessorBucketPermission"
        static let table = "MetricsTable"
        static let collector = "DataCollectorFunction"
        static let processor = "LogProcessorFunction"
        static let collectorRole = "DataCollectorRole"
        static let processorRole = "LogProcessorRole"
        static let collectorLogs = "DataCollectorLogGroup"
        static let processorLogs = "LogProcessorLogGroup"
        static let stateMachine = "PipelineStateMachine"
        static let stateMachineRole = "PipelineStateMachineRole"
        static let stateMachineLogs = "PipelineStateMachineLogGroup"
        static let rule = "ScheduleRule"
        static let ruleRole = "ScheduleRuleRole"
        static let topic = "AlarmTopic"
        static let glueDatabase = "GlueDatabase"
        static let glueTable = "GlueMetricsTable"
        static let workGroup = "AthenaWorkGroup"
        static let dashboard = "Dashboard"
        static let failedAlarm = "PipelineFailedAlarm"
        static let timedOutAlarm = "PipelineTimedOutAlarm"
        static let processorErrorsAlarm = "LogProcessorErrorsAlarm"
        static let stateTable = "CollectorStateTable"
    }

    /// Parameter names.
    enum Param {
        static let email = "AlertEmail"
        static let schedule = "ScheduleExpression"
        static let retention = "LogRetentionDays"
        static let suffix = "BucketNameSuffix"
        static let codeBucket = "CodeBucket"
        static let codeKey = "CodeKey"
        static let bucketExists = "DataBucketExists"
        static let dimensions = "CloudWatchDimensions"
    }

    /// The condition that is true when an operator set `BucketNameSuffix`.
    static let hasSuffix = "HasBucketNameSuffix"
    /// The condition that is true when the stack creates the data bucket (`DataBucketExists` is
    /// `false`); `deploy apply` sets `true` when a bucket kept by an earlier stack is adopted.
    static let createsBucket = "CreatesDataBucket"

    /// The data bucket's name: `infra-monitoring-pipeline-data`, or with `-<suffix>` when the name is taken.
    /// Built from parameters only, never from the bucket resource, which breaks the
    /// bucket → notification → permission → bucket dependency cycle.
    static let bucketName = TemplateValue.ifCondition(
        hasSuffix,
        .sub("\(SeedNames.bucket)-${\(Param.suffix)}"),
        .string(SeedNames.bucket)
    )

    /// `arn:<partition>:s3:::<bucket><path>`.
    static func bucketArn(_ path: String = "") -> TemplateValue {
        .subWith("arn:${AWS::Partition}:s3:::${Name}" + path, ["Name": bucketName])
    }

    /// The ARN of a log group this stack creates, for `logs:` statements (streams live under `:*`).
    static func logGroupArn(_ name: String) -> TemplateValue {
        .sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:\(name):*")
    }

    /// The whole template.
    public func build() throws -> Template {
        var template = Template(
            description: "InfraMonitor: scheduled metric collection, raw batches in S3, InfraMetrics in DynamoDB, "
                + "Athena over raw-metrics/, CloudWatch dashboard and alarms, SNS notifications (docs/design.md, Architecture)."
        )
        template.parameters = Self.parameters.merging(Self.fleetParameters) { first, _ in first }
            .merging(Self.alarmParameters) { first, _ in first }
        template.conditions = [
            Self.hasSuffix: .not(.equals(.ref(Param.suffix), "")),
            Self.createsBucket: .equals(.ref(Param.bucketExists), "false"),
        ].merging(Self.fleetConditions) { first, _ in first }.merging(Self.alarmConditions) { first, _ in first }
        for (id, resource) in storageResources() { template.resources[id] = resource }
        for (id, resource) in computeResources() { template.resources[id] = resource }
        for (id, resource) in try orchestrationResources() { template.resources[id] = resource }
        for (id, resource) in observabilityResources() { template.resources[id] = resource }
        for (id, resource) in metricAlarmResources() { template.resources[id] = resource }
        template.resources[Self.alarmStateTableID] = Self.alarmStateTable
        template.outputs = Self.outputs
        return template
    }

    static let parameters: [String: Parameter] = [
        Param.email: Parameter(
            description: "Email address that receives the Pipeline Success / Failure notifications (confirm the subscription mail).",
            allowedPattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
            constraintDescription: "an email address such as ops@example.com"
        ),
        Param.schedule: Parameter(
            description: "EventBridge schedule of the pipeline: rate(...) or cron(...).",
            defaultValue: "rate(3 hours)",
            allowedPattern: "^(rate|cron)\\(.+\\)$",
            constraintDescription: "rate(value unit) or cron(six fields)"
        ),
        Param.retention: Parameter(
            type: "Number",
            description: "Days the Lambda and state-machine log groups keep their events.",
            defaultValue: "30",
            allowedValues: [
                "1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180", "365", "400", "545", "731", "1096", "1827",
                "2192", "2557", "2922", "3288", "3653",
            ]
        ),
        Param.suffix: Parameter(
            description: "Suffix for the data bucket's name when infra-monitoring-pipeline-data is taken (empty: the exact name).",
            defaultValue: "",
            allowedPattern: "^[a-z0-9-]{0,20}$",
            constraintDescription: "up to 20 lower-case letters, digits or hyphens"
        ),
        Param.dimensions: Parameter(
            description: "How the log-processor names its custom metrics: per-host (host and labels) or fleet (statistic sets without host).",
            defaultValue: "per-host",
            allowedValues: ["per-host", "fleet"]
        ),
        Param.codeBucket: Parameter(
            description: "Bucket holding the Lambda package (deploy apply uploads it there)."
        ),
        Param.codeKey: Parameter(
            description: "Key of the Lambda package zip (bootstrap inside) in CodeBucket."
        ),
        Param.bucketExists: Parameter(
            description: "true when the data bucket already exists (kept by an earlier stack) and is adopted: "
                + "the stack then does not create it, and deploy apply points its notification at this stack's log-processor.",
            defaultValue: "false",
            allowedValues: ["false", "true"]
        ),
    ]

    /// The names every `--backend aws` command needs, read once from the stack
    /// (`DescribeStacks` → `Outputs`) instead of assuming the unsuffixed defaults.
    static let outputs: [String: TemplateOutput] = [
        "DataBucketName": TemplateOutput("The data bucket (suffixed when BucketNameSuffix is set).", bucketName),
        "MetricsTableName": TemplateOutput("The InfraMetrics table.", .ref(ID.table)),
        "CollectorStateTableName": TemplateOutput(
            "The data-collector's counter state (cpu and network averages since the previous collection).",
            .ref(ID.stateTable)
        ),
        "LogProcessorFunctionArn": TemplateOutput("The log-processor the data bucket notifies.", .getAtt(ID.processor, "Arn")),
        "DataCollectorFunctionArn": TemplateOutput("The data-collector.", .getAtt(ID.collector, "Arn")),
        "StateMachineArn": TemplateOutput("The pipeline's state machine.", .ref(ID.stateMachine)),
        "AlarmTopicArn": TemplateOutput("The notification topic.", .ref(ID.topic)),
        "AthenaWorkGroupName": TemplateOutput(
            "The Athena workgroup every query must run in (scan limit, encrypted results under athena-results/).",
            .ref(ID.workGroup)
        ),
        "GlueDatabaseName": TemplateOutput("The Glue database of the metrics table.", .ref(ID.glueDatabase)),
        "AlarmStateTableName": TemplateOutput(
            "The states and history of the fan-out alarm instances the log-processor evaluates.",
            .ref(alarmStateTableID)
        ),
        "DashboardURL": TemplateOutput(
            "The CloudWatch dashboard.",
            .sub("https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=\(SeedNames.dashboard)")
        ),
    ]
}
