import AWSBackend
import AWSClients
import Alarms
import InfraJSON
import InfraMonitorCore

/// The fan-out alarms on AWS (docs/alarms.md, "On AWS"): the log-processor evaluates them with the
/// same ``AlarmEngine`` as the embedded mode after it processed a batch, over the InfraMetrics
/// records of their evaluation range, keeps each instance's state in ``DynamoDBAlarmStateStore``
/// and publishes each transition to the alarm topic. Alarms that pin every dimension are real
/// CloudWatch alarms in the stack and are not in the deployed document, so nothing is notified
/// twice.
actor FanOutAlarms {
    let s3: S3Client
    let bucket: String
    let key: String
    let records: DynamoDBMetricTable
    let store: DynamoDBAlarmStateStore
    let notifier: any Notifier
    private var definitions: [AlarmDefinition]?

    init(s3: S3Client, bucket: String, key: String, records: DynamoDBMetricTable, store: DynamoDBAlarmStateStore, notifier: any Notifier) {
        self.s3 = s3
        self.bucket = bucket
        self.key = key
        self.records = records
        self.store = store
        self.notifier = notifier
    }

    /// The deployed definitions (`deploy apply` uploads them content-addressed), read once per sandbox.
    func load() async throws -> [AlarmDefinition] {
        if let definitions { return definitions }
        let bytes = try await s3.getObject(bucket: bucket, key: key)
        do {
            let parsed = try AlarmDefinition.list(json: try JSON(parsing: String(decoding: bytes, as: UTF8.self)))
            definitions = parsed
            return parsed
        } catch {
            throw FunctionSetupError(reason: "the alarms s3://\(bucket)/\(key) are invalid: \(error); run `infra-monitor deploy apply` again")
        }
    }

    /// Evaluates the alarms on `metrics` (the metrics of the batches just processed) at `time`.
    /// - Returns: the transitions notified, as `{"instance", "old", "new"}`.
    func evaluate(metrics: Set<String>, at time: Timestamp) async throws -> [JSON] {
        let definitions = try await load().filter { metrics.contains($0.metricName) }
        guard let span = AlarmObservations.span(of: definitions, at: time) else { return [] }
        let found = try await records.records(metricID: nil, from: span.start, to: span.end, limit: nil)
        let report = try await AlarmEngine(definitions: definitions).run(
            AlarmObservations(records: found),
            at: time,
            store: store,
            notifier: notifier
        )
        return report.transitions.map {
            ["instance": .string($0.history.instance.id), "old": .string($0.history.oldState.rawValue), "new": .string($0.history.newState.rawValue)]
        }
    }
}
