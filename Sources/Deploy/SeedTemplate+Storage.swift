extension SeedTemplate {
    /// The data bucket and its notification permission, the InfraMetrics table, the Glue catalog
    /// and the Athena workgroup.
    func storageResources() -> [String: Resource] {
        [
            ID.bucket: dataBucket,
            ID.bucketPermission: Resource(
                "AWS::Lambda::Permission",
                [
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": .ref(ID.processor),
                    "Principal": "s3.amazonaws.com",
                    "SourceAccount": .ref("AWS::AccountId"),
                    "SourceArn": Self.bucketArn(),
                ]
            ),
            ID.table: metricsTable,
            ID.stateTable: collectorStateTable,
            ID.glueDatabase: Resource(
                "AWS::Glue::Database",
                [
                    "CatalogId": .ref("AWS::AccountId"),
                    "DatabaseInput": [
                        "Name": .string(SeedNames.glueDatabase),
                        "Description": "InfraMonitor raw samples, one row per valid line of the raw batches",
                    ],
                ]
            ),
            ID.glueTable: glueTable,
            ID.workGroup: Resource(
                "AWS::Athena::WorkGroup",
                [
                    "Name": .string(SeedNames.workGroup),
                    "Description": "Queries over the metrics table; results under athena-results/ in the data bucket",
                    "RecursiveDeleteOption": true,
                    "State": "ENABLED",
                    "WorkGroupConfiguration": [
                        "EnforceWorkGroupConfiguration": true,
                        "PublishCloudWatchMetricsEnabled": true,
                        "BytesScannedCutoffPerQuery": .int(1_073_741_824),
                        "ResultConfiguration": [
                            "OutputLocation": .subWith(
                                "s3://${Name}/\(SeedNames.athenaResultsPrefix)",
                                ["Name": Self.bucketName]
                            ),
                            "EncryptionConfiguration": ["EncryptionOption": "SSE_S3"],
                        ],
                    ],
                ]
            ),
        ]
    }

    /// `infra-monitoring-pipeline-data`: encrypted, private, raw batches to STANDARD_IA at 30 days
    /// and expired at 90, each new raw batch sent to the log-processor.
    ///
    /// `DeletionPolicy: RetainExceptOnCreate`
    /// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html):
    /// a create that fails and rolls back deletes the bucket it just made, so the retry starts
    /// clean; a deleted stack keeps it with its data (`deploy destroy --delete-data` empties and
    /// deletes it). `deploy destroy` first removes the bucket's notification, so a kept bucket
    /// never notifies a deleted function, and the next `deploy apply` adopts the kept bucket with
    /// `DataBucketExists=true` (condition ``createsBucket`` false) and points its notification at
    /// the new log-processor.
    private var dataBucket: Resource {
        Resource(
            "AWS::S3::Bucket",
            [
                "BucketName": Self.bucketName,
                "BucketEncryption": [
                    "ServerSideEncryptionConfiguration": [
                        ["ServerSideEncryptionByDefault": ["SSEAlgorithm": "AES256"], "BucketKeyEnabled": true]
                    ]
                ],
                "PublicAccessBlockConfiguration": [
                    "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true,
                    "RestrictPublicBuckets": true,
                ],
                "OwnershipControls": ["Rules": [["ObjectOwnership": "BucketOwnerEnforced"]]],
                "LifecycleConfiguration": [
                    "Rules": [
                        [
                            "Id": "raw-metrics-ia-then-expire",
                            "Status": "Enabled",
                            "Prefix": .string(SeedNames.rawPrefix),
                            "Transitions": [
                                ["StorageClass": "STANDARD_IA", "TransitionInDays": .int(SeedNames.transitionToIADays)]
                            ],
                            "ExpirationInDays": .int(SeedNames.expirationDays),
                        ],
                        [
                            "Id": "quarantine-expire",
                            "Status": "Enabled",
                            "Prefix": .string(SeedNames.quarantinePrefix),
                            "ExpirationInDays": .int(SeedNames.expirationDays),
                        ],
                        [
                            "Id": "athena-results-expire",
                            "Status": "Enabled",
                            "Prefix": .string(SeedNames.athenaResultsPrefix),
                            "ExpirationInDays": 7,
                        ],
                    ]
                ],
                "NotificationConfiguration": [
                    "LambdaConfigurations": [
                        [
                            "Event": "s3:ObjectCreated:*",
                            "Function": .getAtt(ID.processor, "Arn"),
                            "Filter": [
                                "S3Key": ["Rules": [["Name": "prefix", "Value": .string(SeedNames.rawPrefix)]]]
                            ],
                        ]
                    ]
                ],
            ],
            dependsOn: [ID.bucketPermission],
            deletionPolicy: "RetainExceptOnCreate",
            condition: Self.createsBucket
        )
    }

    /// `InfraMetrics`: on demand, `metric_id` / `timestamp`, TTL on `expires_at`, point-in-time recovery.
    private var metricsTable: Resource {
        Resource(
            "AWS::DynamoDB::Table",
            [
                "TableName": .string(SeedNames.table),
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    ["AttributeName": "metric_id", "AttributeType": "S"],
                    ["AttributeName": "timestamp", "AttributeType": "S"],
                ],
                "KeySchema": [
                    ["AttributeName": "metric_id", "KeyType": "HASH"],
                    ["AttributeName": "timestamp", "KeyType": "RANGE"],
                ],
                "TimeToLiveSpecification": ["AttributeName": "expires_at", "Enabled": true],
                "PointInTimeRecoverySpecification": ["PointInTimeRecoveryEnabled": true],
                "SSESpecification": ["SSEEnabled": true],
            ],
            deletionPolicy: "Delete"
        )
    }

    /// The data-collector's counters between invocations (`state_key` → encoded counters), so the
    /// cpu and network values are averages since the previous collection across cold starts, as
    /// the embedded mode's SQLite state gives them. On demand, encrypted, deleted with the stack
    /// (the next collection after a new deploy starts a new window).
    private var collectorStateTable: Resource {
        Resource(
            "AWS::DynamoDB::Table",
            [
                "TableName": .string(SeedNames.stateTable),
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [["AttributeName": .string(SeedNames.stateKey), "AttributeType": "S"]],
                "KeySchema": [["AttributeName": .string(SeedNames.stateKey), "KeyType": "HASH"]],
                "SSESpecification": ["SSEEnabled": true],
            ],
            deletionPolicy: "Delete"
        )
    }

    /// `infra_monitoring.metrics` over `raw-metrics/` (docs/design.md, "The query table"): JSON SerDe, partitions
    /// year/month/day found by projection, so no crawler or `MSCK REPAIR` is needed. The year is a
    /// `date` projection from ``projectionStartYear`` to `NOW`
    /// (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html),
    /// so a query without a date filter projects the months of the years the stack has run, not
    /// 76 years of 372 day partitions.
    private var glueTable: Resource {
        let rawLocation = TemplateValue.join("", ["s3://", Self.bucketName, .string("/" + SeedNames.rawPrefix)])
        return Resource(
            "AWS::Glue::Table",
            [
                "CatalogId": .ref("AWS::AccountId"),
                "DatabaseName": .ref(ID.glueDatabase),
                "TableInput": [
                    "Name": .string(SeedNames.glueTable),
                    "TableType": "EXTERNAL_TABLE",
                    "Parameters": [
                        "classification": "json",
                        "compressionType": "gzip",
                        "projection.enabled": "true",
                        "projection.year.type": "date",
                        "projection.year.format": "yyyy",
                        "projection.year.range": .string("\(projectionStartYear),NOW"),
                        "projection.year.interval": "1",
                        "projection.year.interval.unit": "YEARS",
                        "projection.month.type": "integer",
                        "projection.month.range": "1,12",
                        "projection.month.digits": "2",
                        "projection.day.type": "integer",
                        "projection.day.range": "1,31",
                        "projection.day.digits": "2",
                        "storage.location.template": .join(
                            "",
                            ["s3://", Self.bucketName, .string("/" + SeedNames.rawPrefix + "${year}/${month}/${day}/")]
                        ),
                    ],
                    "PartitionKeys": [
                        ["Name": "year", "Type": "string"],
                        ["Name": "month", "Type": "string"],
                        ["Name": "day", "Type": "string"],
                    ],
                    "StorageDescriptor": [
                        "Location": rawLocation,
                        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                        "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                        "Compressed": true,
                        "SerdeInfo": [
                            "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
                            "Parameters": ["ignore.malformed.json": "true"],
                        ],
                        "Columns": [
                            ["Name": "metric", "Type": "string"],
                            ["Name": "host", "Type": "string"],
                            ["Name": "timestamp", "Type": "string"],
                            ["Name": "value", "Type": "double"],
                            ["Name": "unit", "Type": "string"],
                            ["Name": "labels", "Type": "map<string,string>"],
                        ],
                    ],
                ],
            ]
        )
    }
}
