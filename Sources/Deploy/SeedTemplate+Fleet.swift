import InfraJSON

extension SeedTemplate {
    /// Parameter names of the fleet (issue 13): where the scrape configs are, whether they use
    /// EC2 discovery, the VPC the data-collector sits in, and the shard size.
    enum FleetParam {
        static let scrapeConfigKey = "ScrapeConfigKey"
        static let ec2Discovery = "EC2Discovery"
        static let subnets = "SubnetIds"
        static let securityGroups = "SecurityGroupIds"
        static let shardSize = "ShardSize"
    }

    /// True when `deploy apply` uploaded scrape configs (`ScrapeConfigKey` is not empty).
    static let hasScrapeConfigs = "HasScrapeConfigs"
    /// True when the scrape configs have `ec2_sd_configs`.
    static let usesEC2Discovery = "UsesEC2Discovery"
    /// True when subnets and security groups are given: the data-collector then sits in the VPC.
    static let inVPC = "InVPC"

    /// The shard size when none is configured: a 128 MB, 30 s data-collector scrapes this many
    /// targets for one metric well within its limits (docs/deploy.md, "Fleets").
    public static let defaultShardSize = 250

    static let fleetParameters: [String: Parameter] = [
        FleetParam.scrapeConfigKey: Parameter(
            description: "Key in CodeBucket of the scrape configs (deploy apply uploads them, content-addressed); empty: "
                + "the data-collector measures its own sandbox.",
            defaultValue: "",
            allowedPattern: "^(config/[A-Za-z0-9._-]+)?$",
            constraintDescription: "empty or config/<name>"
        ),
        FleetParam.ec2Discovery: Parameter(
            description: "true when the scrape configs use ec2_sd_configs: the data-collector may then call ec2:DescribeInstances.",
            defaultValue: "false",
            allowedValues: ["false", "true"]
        ),
        FleetParam.subnets: Parameter(
            description: "Comma-separated subnet ids for the data-collector (empty: not in a VPC). A function must sit in the VPC "
                + "to reach private addresses.",
            defaultValue: "",
            allowedPattern: "^(subnet-[0-9a-f]+(,subnet-[0-9a-f]+)*)?$",
            constraintDescription: "empty or subnet-… ids separated by commas"
        ),
        FleetParam.securityGroups: Parameter(
            description: "Comma-separated security group ids of the data-collector in the VPC (with SubnetIds).",
            defaultValue: "",
            allowedPattern: "^(sg-[0-9a-f]+(,sg-[0-9a-f]+)*)?$",
            constraintDescription: "empty or sg-… ids separated by commas"
        ),
        FleetParam.shardSize: Parameter(
            type: "Number",
            description: "Targets one data-collector invocation scrapes for one metric; larger fleets are split into shards.",
            defaultValue: String(defaultShardSize),
            minValue: 1,
            maxValue: 5_000
        ),
    ]

    static let fleetConditions: [String: TemplateValue] = [
        hasScrapeConfigs: .not(.equals(.ref(FleetParam.scrapeConfigKey), "")),
        usesEC2Discovery: .equals(.ref(FleetParam.ec2Discovery), "true"),
        inVPC: ["Fn::And": [.not(.equals(.ref(FleetParam.subnets), "")), .not(.equals(.ref(FleetParam.securityGroups), ""))]],
    ]

    /// The data-collector's statements for the fleet, each present only when its condition holds
    /// (`Fn::If` with `AWS::NoValue` drops a list element).
    static var fleetCollectorStatements: [TemplateValue] {
        [
            // The scrape configs object, and only it.
            .ifCondition(
                hasScrapeConfigs,
                statement(["s3:GetObject"], [.sub("arn:${AWS::Partition}:s3:::${\(Param.codeBucket)}/${\(FleetParam.scrapeConfigKey)}")]),
                .noValue
            ),
            // DescribeInstances supports no resource-level permissions: the Service Authorization
            // Reference lists no resource type for it, so the statement must name "*"
            // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html;
            // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/ec2-api-permissions.html).
            .ifCondition(usesEC2Discovery, ["Effect": "Allow", "Action": ["ec2:DescribeInstances"], "Resource": "*"], .noValue),
            // The network-interface actions of the managed policy AWSLambdaVPCAccessExecutionRole
            // (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html), which Lambda
            // uses with the function's role to create and delete its ENIs; DescribeNetworkInterfaces
            // "only works if it's allowed on all resources"
            // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html). The logs actions
            // of that policy are granted above on the function's own log group.
            .ifCondition(
                inVPC,
                ["Effect": "Allow", "Action": .list(IAMPolicyCheck.vpcAccessActions.sorted().map { .string($0) }), "Resource": "*"],
                .noValue
            ),
        ]
    }

    /// The data-collector's `VpcConfig` when subnets are given
    /// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-function-vpcconfig.html).
    static let collectorVPCConfig: TemplateValue = .ifCondition(
        inVPC,
        [
            "SubnetIds": ["Fn::Split": [",", .ref(FleetParam.subnets)]],
            "SecurityGroupIds": ["Fn::Split": [",", .ref(FleetParam.securityGroups)]],
        ],
        .noValue
    )

    /// The data-collector's environment for the fleet: where its scrape configs are and the shard size.
    static let fleetEnvironment: [String: TemplateValue] = [
        "SCRAPE_CONFIG_BUCKET": .ifCondition(hasScrapeConfigs, .ref(Param.codeBucket), ""),
        "SCRAPE_CONFIG_KEY": .ref(FleetParam.scrapeConfigKey),
        "SHARD_SIZE": .ref(FleetParam.shardSize),
    ]
}
