public import AWSClients
import InfraJSON
public import InfraMonitorCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The service clients of the pipeline over one request layer, and the names of its resources.
public struct AWSServices: Sendable {
    public let client: AWSClient
    public let bucket: String
    public let table: String
    /// How the publisher names its custom metrics.
    public let dimensions: CloudWatchDimensions
    /// The Athena workgroup queries run in.
    public let workGroup: String

    public init(
        client: AWSClient,
        bucket: String = ObjectKeys.bucket,
        table: String = DynamoDBMetricTable.tableName,
        dimensions: CloudWatchDimensions = .perHost,
        workGroup: String = AthenaMetricsQuery.workGroupName
    ) {
        self.client = client
        self.bucket = bucket
        self.table = table
        self.dimensions = dimensions
        self.workGroup = workGroup
    }

    public var s3: S3Client { S3Client(client: client) }
    public var dynamoDB: DynamoDBClient { DynamoDBClient(client: client) }
    public var sns: SNSClient { SNSClient(client: client) }
    public var cloudWatch: CloudWatchClient { CloudWatchClient(client: client) }
    public var logs: CloudWatchLogsClient { CloudWatchLogsClient(client: client) }
    public var athena: AthenaClient { AthenaClient(client: client) }
    public var stepFunctions: StepFunctionsClient { StepFunctionsClient(client: client) }

    /// The data bucket.
    public var objects: S3ObjectStore { S3ObjectStore(s3: s3, bucket: bucket) }
    /// `InfraMetrics`.
    public var metricTable: DynamoDBMetricTable { DynamoDBMetricTable(dynamoDB: dynamoDB, table: table) }
    /// Metric data in the `InfraMonitoring` namespace.
    public var publisher: CloudWatchMetricPublisher { CloudWatchMetricPublisher(cloudWatch: cloudWatch, dimensions: dimensions) }
    /// The `metrics` table through Athena.
    public var metricsQuery: AthenaMetricsQuery { AthenaMetricsQuery(athena: athena, bucket: bucket, workGroup: workGroup) }

    /// Creates the Athena workgroup queries run in, when missing (a deployed stack has it, with its
    /// scan limit): GetWorkGroup answers InvalidRequestException for an unknown name (moto: a null
    /// `WorkGroup`).
    func createWorkGroup() async throws {
        let name = workGroup
        let found: JSON?
        do {
            found = try await client.json(.athena, operation: "GetWorkGroup", input: ["WorkGroup": .string(name)])
        } catch let error as AWSError where error.code == "InvalidRequestException" {
            found = nil
        }
        if found?["WorkGroup"]?["Name"] != nil { return }
        let configuration: JSON = ["ResultConfiguration": ["OutputLocation": .string("s3://\(bucket)/athena-results/")]]
        _ = try await client.json(.athena, operation: "CreateWorkGroup", input: ["Name": .string(name), "Configuration": configuration])
    }

    /// The ARN of the topic `name` in this account: `arn:aws:sns:{region}:{account}:{name}`, the
    /// account from STS GetCallerIdentity.
    public func topicARN(name: String = SNSNotifier.topicName) async throws -> String {
        let identity = try await client.query(.sts, action: "GetCallerIdentity")
        guard let account = identity.string("GetCallerIdentityResult", "Account") else {
            throw AWSBackendError.badResponse(service: "STS", reason: "GetCallerIdentity returned no Account")
        }
        return "arn:aws:sns:\(client.configuration.region):\(account):\(name)"
    }

    /// Creates what the pipeline writes to, for an empty account or a test endpoint: the bucket,
    /// the table (with TTL on `expires_at`), the topic and both log groups. Existing resources are
    /// kept. Returns the topic's ARN.
    @discardableResult
    public func createResources() async throws -> String {
        if !(try await s3.headBucket(bucket: bucket)) {
            try await s3.createBucket(bucket: bucket)
        }
        do {
            _ = try await dynamoDB.describeTable(table: table)
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            try await dynamoDB.createTable(table: table, partitionKey: "metric_id", sortKey: "timestamp")
            try await dynamoDB.updateTimeToLive(table: table, attribute: "expires_at")
        }
        for group in LogGroup.allCases { try await logs.createLogGroup(name: group.rawValue) }
        try await createWorkGroup()
        return try await sns.createTopic(name: SNSNotifier.topicName)
    }
}
