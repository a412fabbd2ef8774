/// Where the pipeline's services are: every port the pipeline, the commands and the dashboard
/// use, bundled once (docs/design.md, "Architecture").
///
/// A backend is built once per command from flags, config and environment — `LocalBackend`'s
/// `EmbeddedBackend` for one machine, `AWSBackend`'s `AWSPipelineBackend` for a deployment — and
/// commands ask it for what they need; nothing downstream asks which kind it is.
public struct Backend: Sendable {
    /// `local` or `aws`, for messages only.
    public var name: String
    /// The data bucket.
    public var objects: any ObjectStore
    /// `InfraMetrics`.
    public var table: any MetricTable
    /// Metric data for the processed series.
    public var publisher: any MetricPublisher
    /// The per-sample query table, as the processor fills it.
    public var samples: any SampleIndex
    /// Read-only SQL over the query table and the records.
    public var query: any SampleQuery
    /// The series the dashboard draws.
    public var series: any SeriesReader
    /// The `InfraMonitoring-Alarms` topic.
    public var notifier: any Notifier
    /// What was notified.
    public var notifications: any NotificationLog
    /// The two Lambda log groups.
    public var logs: any LogSink
    /// The executions interpreted on this machine, recorded with their history.
    public var localExecutions: any ExecutionStore
    /// The executions `executions list`, `executions show` and the dashboard show: the local ones,
    /// or the deployed state machine's.
    public var executions: any ExecutionHistory
    /// Counter state of the collectors between executions.
    public var collectorState: any CollectorStateStore
    /// The deployed state machine, where there is one.
    public var remote: (any RemoteRunner)?
    /// Each fleet target's scrapes per execution, where the backend keeps them.
    public var targetHealth: (any TargetHealthStore)?
    /// Runs before an execution: e.g. uploads batches an earlier run could not store and returns
    /// them as created-events, for the pipeline to process as it processes fresh ones.
    public var prepare: @Sendable () async throws -> [ObjectCreatedEvent]

    public init(
        name: String,
        objects: any ObjectStore,
        table: any MetricTable,
        publisher: any MetricPublisher,
        samples: any SampleIndex,
        query: any SampleQuery,
        series: any SeriesReader,
        notifier: any Notifier,
        notifications: any NotificationLog,
        logs: any LogSink,
        localExecutions: any ExecutionStore,
        executions: (any ExecutionHistory)? = nil,
        collectorState: any CollectorStateStore,
        remote: (any RemoteRunner)? = nil,
        targetHealth: (any TargetHealthStore)? = nil,
        prepare: @escaping @Sendable () async throws -> [ObjectCreatedEvent] = { [] }
    ) {
        self.name = name
        self.objects = objects
        self.table = table
        self.publisher = publisher
        self.samples = samples
        self.query = query
        self.series = series
        self.notifier = notifier
        self.notifications = notifications
        self.logs = logs
        self.localExecutions = localExecutions
        self.executions = executions ?? localExecutions
        self.collectorState = collectorState
        self.remote = remote
        self.targetHealth = targetHealth
        self.prepare = prepare
    }
}

/// A publisher that publishes nothing: the embedded backend has no metric service.
public struct NoMetricPublisher: MetricPublisher {
    public init() {}

    public func publish(_ records: [MetricRecord]) async throws {}
}
