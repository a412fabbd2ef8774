import AWSClients
public import InfraMonitorCore

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Where the aws backend's services are, decided in one place with one precedence for every
/// setting: the command-line flag, then the config file (`aws:` section), then the environment,
/// then the default (docs/design.md, "Configuration").
///
/// | setting | flag | config | environment | default |
/// |---|---|---|---|---|
/// | region | `--region` | `aws.region`, then `region` | `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's | eu-west-1 |
/// | endpoint | `--endpoint-url` | `aws.endpoint_url` | `AWS_ENDPOINT_URL` | AWS's own |
/// | bucket | `--bucket` | `aws.bucket` | `INFRA_MONITOR_BUCKET` | the stack's `DataBucketName`, else infra-monitoring-pipeline-data |
/// | table | — | `aws.table` | `INFRA_MONITOR_TABLE` | the stack's `MetricsTableName`, else InfraMetrics |
/// | topic | — | — | `INFRA_MONITOR_TOPIC_ARN` | the stack's `AlarmTopicArn`, else found by name |
/// | Athena workgroup | — | — | — | the stack's `AthenaWorkGroupName`, else InfraMonitoring |
///
/// The stack's outputs come from ``DeployedNames`` (`<data-dir>/aws-stack.json`, written by
/// `deploy apply`), used when its region is the resolved one (or none was named).
public struct AWSLocation: Sendable, Hashable {
    /// The region when a flag or the config names one; nil leaves it to the environment's chain.
    public var region: String?
    public var endpointURL: URL?
    public var bucket: String
    public var table: String
    /// The notification topic, when the environment or the stack's outputs name it.
    public var topicARN: String?
    /// The Athena workgroup queries run in.
    public var workGroup: String

    public init(
        region: String?,
        endpointURL: URL?,
        bucket: String,
        table: String,
        topicARN: String? = nil,
        workGroup: String = AthenaMetricsQuery.workGroupName
    ) {
        self.region = region
        self.endpointURL = endpointURL
        self.bucket = bucket
        self.table = table
        self.topicARN = topicARN
        self.workGroup = workGroup
    }

    /// A setting's value that is not a usable URL.
    public struct InvalidEndpoint: Error, Sendable, CustomStringConvertible {
        public var value: String
        public var source: String
        public var description: String {
            "\(source) '\(value)' is not an http(s) URL; give one such as http://127.0.0.1:5000"
        }
    }

    /// Resolves every setting by the precedence above.
    /// - Throws: ``InvalidEndpoint`` naming where a malformed endpoint came from.
    public static func resolve(
        regionFlag: String?,
        endpointFlag: String?,
        bucketFlag: String?,
        settings: Settings,
        environment: [String: String],
        deployed: DeployedNames? = nil
    ) throws -> AWSLocation {
        func first(_ values: String?...) -> String? { values.lazy.compactMap { $0 }.first { !$0.isEmpty } }
        let endpointSources: [(String?, String)] = [
            (endpointFlag, "--endpoint-url"), (settings.aws.endpointURL, "aws.endpoint_url in the config"),
            (environment["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"),
        ]
        var endpoint: URL?
        if let (text, source) = endpointSources.first(where: { !($0.0 ?? "").isEmpty }), let text {
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw InvalidEndpoint(value: text, source: source)
            }
            endpoint = url
        }
        let region = first(regionFlag, settings.aws.region, settings.region)
        let stack = deployed.flatMap { region == nil || region == $0.region ? $0 : nil }
        return AWSLocation(
            region: region,
            endpointURL: endpoint,
            bucket: first(bucketFlag, settings.aws.bucket, environment["INFRA_MONITOR_BUCKET"], stack?.bucket) ?? ObjectKeys.bucket,
            table: first(settings.aws.table, environment["INFRA_MONITOR_TABLE"], stack?.table) ?? DynamoDBMetricTable.tableName,
            topicARN: first(environment["INFRA_MONITOR_TOPIC_ARN"], stack?.topicARN),
            workGroup: first(stack?.workGroup) ?? AthenaMetricsQuery.workGroupName
        )
    }
}

/// The aws backend: S3 (through the local spool when the bucket refuses a batch), DynamoDB with
/// CloudWatch metric data, Athena, SNS (falling back to the local outbox), CloudWatch Logs and Step
/// Functions. What must stay on the machine that runs a command — the collector state, the spool,
/// the outbox and the history of executions interpreted here — comes from `local`.
public enum AWSPipelineBackend {
    /// Every port over `services`, with the machine-local ports of `local`.
    /// - Parameters:
    ///   - topicARN: the topic, when known; else it is found from the account at the first publish.
    ///   - onSNSFailure: told when a notification went to the local outbox instead of SNS.
    public static func make(
        services: AWSServices,
        spool: Spool,
        hostName: String,
        local: Backend,
        topicARN: String? = nil,
        onSNSFailure: @escaping @Sendable (any Error) async -> Void = { _ in }
    ) -> Backend {
        let objects = SpoolingObjectStore(inner: services.objects, spool: spool)
        let sns = SNSNotifier(sns: services.sns) {
            if let topicARN, !topicARN.isEmpty { return topicARN }
            return try await services.topicARN()
        }
        let stateMachine = StepFunctionsPipeline(stepFunctions: services.stepFunctions, stateMachineName: stateMachineName)
        var backend = local
        backend.name = "aws"
        backend.objects = objects
        backend.table = services.metricTable
        backend.publisher = services.publisher
        backend.samples = RawObjectSampleIndex()
        backend.query = services.metricsQuery
        backend.series = RecordSeriesReader(table: services.metricTable)
        backend.notifier = FallbackNotifier(primary: sns, fallback: local.notifier, onFallback: onSNSFailure)
        backend.logs = CloudWatchLogsSink(logs: services.logs, streamName: CloudWatchLogsSink.defaultStreamName(host: hostName))
        backend.executions = CombinedExecutionHistory(local: local.localExecutions, deployed: stateMachine)
        backend.remote = stateMachine
        backend.prepare = { try await objects.flush().uploaded.filter { $0.key.hasPrefix(ObjectKeys.rawPrefix) } }
        return backend
    }

    /// The name of the deployed state machine.
    public static let stateMachineName = "InfraMonitoring-Pipeline-Orch"
}

/// The dashboard's series on AWS: the records of `InfraMetrics`, one point per record (its mean).
public struct RecordSeriesReader: SeriesReader {
    public let table: any MetricTable

    public init(table: any MetricTable) { self.table = table }

    public func latestSamples() async throws -> [SeriesSample] {
        var latest: [String: MetricRecord] = [:]
        for record in try await table.records(metricID: nil, from: nil, to: nil, limit: nil) {
            if let known = latest[record.metricID], known.timestamp >= record.timestamp { continue }
            latest[record.metricID] = record
        }
        return latest.values.map(Self.sample).sorted { ($0.metric, $0.host, $0.labelText) < ($1.metric, $1.host, $1.labelText) }
    }

    public func samples(metric: String?, host: String?, since: Timestamp) async throws -> [SeriesSample] {
        try await table.records(metricID: nil, from: since, to: nil, limit: nil)
            .filter { (metric == nil || $0.metric == metric) && (host == nil || $0.host == host) }
            .map(Self.sample)
            .sorted { $0.timestamp < $1.timestamp }
    }

    static func sample(_ record: MetricRecord) -> SeriesSample {
        SeriesSample(
            metric: record.metric,
            host: record.host,
            labels: record.labels,
            unit: record.unit,
            timestamp: record.timestamp,
            value: record.mean
        )
    }
}

/// The executions of a deployment as an operator sees them: those the deployed state machine ran,
/// and those interpreted on this machine over the same services (`run --backend aws`), newest
/// first. A deployment without the state machine (nothing deployed yet, only storage) shows the
/// local ones.
public struct CombinedExecutionHistory: ExecutionHistory {
    public let local: any ExecutionHistory
    public let deployed: StepFunctionsPipeline

    public init(local: any ExecutionHistory, deployed: StepFunctionsPipeline) {
        self.local = local
        self.deployed = deployed
    }

    /// The deployed executions, or none when no state machine of that name exists.
    private func deployedList(limit: Int) async throws -> [ExecutionSummary] {
        do {
            return try await deployed.list(limit: limit)
        } catch AWSBackendError.noStateMachine {
            return []
        }
    }

    public func list(limit: Int) async throws -> [ExecutionSummary] {
        let all = try await local.list(limit: limit) + deployedList(limit: limit)
        return Array(all.sorted { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }.prefix(limit))
    }

    public func execution(id: String) async throws -> ExecutionSummary? {
        if let found = try await local.execution(id: id) { return found }
        do {
            return try await deployed.execution(id: id)
        } catch AWSBackendError.noStateMachine {
            return nil
        }
    }

    public func events(executionID: String) async throws -> [ExecutionEvent] {
        if try await local.execution(id: executionID) != nil { return try await local.events(executionID: executionID) }
        return try await deployed.events(executionID: executionID)
    }
}
