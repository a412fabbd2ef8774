/// AWS list prices for eu-west-1 (Europe, Ireland), in US dollars, used by `deploy cost`.
///
/// The one reviewed file for prices: each figure is the on-demand list price published on the
/// service's pricing page (aws.amazon.com/<service>/pricing) for eu-west-1, as read on the date
/// below. Free tiers are only the always-free allowances that do not expire after 12 months.
/// When AWS changes a price, change it here, update `date`, and the cost tests show what moved.
public struct PriceTable: Sendable {
    /// When the prices were read.
    public var date = "2026-11-25"
    /// Where they were read.
    public var source = "AWS pricing pages for eu-west-1 (aws.amazon.com/<service>/pricing), on-demand list prices in USD"
    public var region = "eu-west-1"

    // Lambda (x86_64; arm64 duration is 20 % cheaper).
    public var lambdaPerMillionRequests = 0.20
    public var lambdaPerGBSecondX86 = 0.000_016_666_7
    public var lambdaPerGBSecondArm = 0.000_013_333_4
    public var lambdaFreeRequests = 1_000_000.0
    public var lambdaFreeGBSeconds = 400_000.0

    // Step Functions, Standard workflows.
    public var stepFunctionsPerThousandTransitions = 0.025
    public var stepFunctionsFreeTransitions = 4_000.0

    // S3.
    public var s3StandardPerGBMonth = 0.023
    public var s3StandardIAPerGBMonth = 0.0125
    public var s3PerThousandPuts = 0.005
    public var s3PerThousandGets = 0.0004
    public var s3PerThousandIATransitions = 0.01
    /// Since September 2024 lifecycle rules do not transition objects smaller than this by default.
    public var s3MinimumTransitionBytes = 131_072.0

    // DynamoDB on demand.
    public var dynamoPerMillionWrites = 0.7068
    public var dynamoPerMillionReads = 0.1413
    public var dynamoPerGBMonth = 0.283
    public var dynamoPITRPerGBMonth = 0.2263
    public var dynamoFreeGB = 25.0

    // CloudWatch.
    public var cloudWatchPerMetricMonth = 0.30
    public var cloudWatchFreeMetrics = 10.0
    public var cloudWatchPerThousandPutRequests = 0.01
    public var cloudWatchFreeAPIRequests = 1_000_000.0
    public var cloudWatchPerDashboard = 3.00
    public var cloudWatchFreeDashboards = 3.0
    public var cloudWatchPerAlarm = 0.10
    public var cloudWatchFreeAlarms = 10.0
    public var logsPerGBIngested = 0.57
    public var logsPerGBStored = 0.03
    public var logsFreeGB = 5.0

    // Athena.
    public var athenaPerTBScanned = 5.00
    /// Athena bills at least this many bytes per query.
    public var athenaMinimumBytesPerQuery = 10_485_760.0

    // SNS.
    public var snsPerHundredThousandEmails = 2.00
    public var snsFreeEmails = 1_000.0
    public var snsPerMillionPublishes = 0.50
    public var snsFreePublishes = 1_000_000.0

    /// The table in force.
    public static let euWest1 = PriceTable()

    public init() {}
}
