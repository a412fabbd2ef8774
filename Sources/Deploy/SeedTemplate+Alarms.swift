public import InfraJSON
public import InfraMonitorCore

extension SeedTemplate {
    /// The dimensions the publisher sends for `metric` in `mode`: `host` and the series' labels
    /// per host, the labels alone in the fleet mode.
    public static func publishedDimensions(metric: String, mode: MetricDimensions) -> Set<String>? {
        guard let labels = labelDimensions[metric] else { return nil }
        return Set(labels + (mode == .perHost ? ["host"] : []))
    }

    /// Whether `alarm` (the `PutMetricAlarm` fields of an `alarms:` entry) names every dimension
    /// of the series it watches, so that it is exactly one CloudWatch alarm; otherwise it fans out
    /// over hosts or labels (docs/alarms.md, "Fan-out").
    public static func pinsEveryDimension(_ alarm: JSON, mode: MetricDimensions) -> Bool {
        let namespace = alarm["Namespace"]?.stringValue ?? SeedNames.namespace
        guard namespace == SeedNames.namespace, let metric = alarm["MetricName"]?.stringValue,
            let published = publishedDimensions(metric: metric, mode: mode)
        else { return false }
        let names = (alarm["Dimensions"]?.arrayValue ?? []).compactMap { $0["Name"]?.stringValue }
        return Set(names) == published && names.count == published.count
    }

    /// One `AWS::CloudWatch::Alarm` per alarm that pins every dimension, on the metric the publisher
    /// sends, in the definition's own `PutMetricAlarm` fields, notifying the topic on every state
    /// (`AlarmActions`, `OKActions`, `InsufficientDataActions`), as the embedded engine notifies
    /// every transition
    /// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html).
    func metricAlarmResources() -> [String: Resource] {
        var resources: [String: Resource] = [:]
        for alarm in alarms where Self.pinsEveryDimension(alarm, mode: dimensions) {
            guard let name = alarm["AlarmName"]?.stringValue else { continue }
            var properties: [String: TemplateValue] = [
                "AlarmName": .string(name),
                "AlarmDescription": .string("InfraMonitor alarm \(name) from the config's alarms (deploy apply --config)"),
                "Namespace": .string(alarm["Namespace"]?.stringValue ?? SeedNames.namespace),
                "MetricName": .string(alarm["MetricName"]?.stringValue ?? ""),
                "Dimensions": .list(
                    (alarm["Dimensions"]?.arrayValue ?? []).map { dimension in
                        ["Name": .string(dimension["Name"]?.stringValue ?? ""), "Value": .string(dimension["Value"]?.stringValue ?? "")]
                    }
                ),
                "AlarmActions": [.ref(ID.topic)],
                "OKActions": [.ref(ID.topic)],
                "InsufficientDataActions": [.ref(ID.topic)],
            ]
            for field in ["Statistic", "ComparisonOperator", "TreatMissingData"] {
                if let value = alarm[field]?.stringValue { properties[field] = .string(value) }
            }
            for field in ["Period", "EvaluationPeriods", "DatapointsToAlarm"] {
                if let value = alarm[field]?.doubleValue { properties[field] = .int(Int(value)) }
            }
            if let threshold = alarm["Threshold"]?.doubleValue { properties["Threshold"] = .number(threshold) }
            resources[Self.alarmLogicalID(name)] = Resource("AWS::CloudWatch::Alarm", properties)
        }
        return resources
    }

    /// `MetricAlarm<letters and digits of the name><FNV-1a of the name>`: logical IDs are
    /// alphanumeric, and the hash keeps two names that differ only in punctuation apart.
    static func alarmLogicalID(_ name: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        var letters = ""
        for scalar in name.unicodeScalars where scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) {
            letters.unicodeScalars.append(scalar)
        }
        return "MetricAlarm" + String(letters.prefix(200)) + String(hash, radix: 16)
    }

    /// The alarms that fan out (not every dimension pinned): the log-processor evaluates them
    /// (docs/alarms.md, "On AWS").
    public var fanOutAlarms: [String] {
        alarms.filter { !Self.pinsEveryDimension($0, mode: dimensions) }.compactMap { $0["AlarmName"]?.stringValue }
    }
}

extension SeedTemplate {
    /// The fan-out alarms' parameter: the key in `CodeBucket` of their definitions (`deploy apply`
    /// uploads the fan-out ones, content-addressed); empty: none.
    static let alarmsKeyParameter = "AlarmsKey"
    /// True when fan-out alarms are deployed.
    static let hasFanOutAlarms = "HasFanOutAlarms"
    /// The logical ID and the name of the table of the fan-out instances' states and history.
    static let alarmStateTableID = "AlarmStateTable"
    public static let alarmStateTableName = "InfraMonitorAlarmState"

    static let alarmParameters: [String: Parameter] = [
        alarmsKeyParameter: Parameter(
            description: "Key in CodeBucket of the fan-out alarms the log-processor evaluates (deploy apply uploads them); empty: none.",
            defaultValue: "",
            allowedPattern: "^(config/[A-Za-z0-9._-]+)?$",
            constraintDescription: "empty or config/<name>"
        )
    ]

    static let alarmConditions: [String: TemplateValue] = [hasFanOutAlarms: .not(.equals(.ref(alarmsKeyParameter), ""))]

    /// The states and history of fan-out alarm instances: `alarm_key` (`state`, or
    /// `history#<AlarmName>`) and `entry` (the instance id, or `<time>#<instance id>`); on demand,
    /// encrypted.
    static var alarmStateTable: Resource {
        Resource(
            "AWS::DynamoDB::Table",
            [
                "TableName": .string(alarmStateTableName),
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [["AttributeName": "alarm_key", "AttributeType": "S"], ["AttributeName": "entry", "AttributeType": "S"]],
                "KeySchema": [["AttributeName": "alarm_key", "KeyType": "HASH"], ["AttributeName": "entry", "KeyType": "RANGE"]],
                "SSESpecification": ["SSEEnabled": true],
            ],
            deletionPolicy: "Delete"
        )
    }

    /// What the log-processor may do for the fan-out alarms, only when they are deployed: read
    /// their definitions, scan InfraMetrics for the evaluation range, keep the instances' states,
    /// publish transitions.
    static var alarmProcessorStatements: [TemplateValue] {
        [
            .ifCondition(
                hasFanOutAlarms,
                statement(["s3:GetObject"], [.sub("arn:${AWS::Partition}:s3:::${\(Param.codeBucket)}/${\(alarmsKeyParameter)}")]),
                .noValue
            ),
            .ifCondition(hasFanOutAlarms, statement(["dynamodb:Scan"], [.getAtt(ID.table, "Arn")]), .noValue),
            .ifCondition(
                hasFanOutAlarms,
                statement(
                    ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchWriteItem"],
                    [.getAtt(alarmStateTableID, "Arn")]
                ),
                .noValue
            ),
            .ifCondition(hasFanOutAlarms, statement(["sns:Publish"], [.ref(ID.topic)]), .noValue),
        ]
    }

    /// The log-processor's environment for the fan-out alarms.
    static let alarmEnvironment: [String: TemplateValue] = [
        "ALARMS_BUCKET": .ifCondition(hasFanOutAlarms, .ref(Param.codeBucket), ""),
        "ALARMS_KEY": .ref(alarmsKeyParameter),
        "ALARM_STATE_TABLE_NAME": .ref(alarmStateTableID),
        "ALARM_TOPIC_ARN": .ref(ID.topic),
    ]
}
