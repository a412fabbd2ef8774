import AWSBackend
import AWSClients
import Collectors
import InfraMonitorCore
import LambdaRuntime
import Pipeline

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The function's settings, from its environment.
struct FunctionConfiguration {
    /// `_HANDLER`: `data-collector` or `log-processor`.
    var handler: String
    /// `BUCKET_NAME` (default: the seed's bucket).
    var bucket: String
    /// `TABLE_NAME` (default: `InfraMetrics`).
    var table: String
    /// `AWS_ENDPOINT_URL`: a compatible endpoint instead of AWS (tests).
    var endpointURL: URL?
    /// `AWS_REGION`, as Lambda sets it.
    var region: String?
    /// `HOST_NAME` for the samples (default: the system's).
    var hostName: String
    /// `STATE_TABLE_NAME`: the DynamoDB table of the collector's counters (the stack sets it);
    /// without it the counters live only as long as the warm sandbox.
    var stateTable: String?
    /// `SCRAPE_CONFIG_BUCKET` and `SCRAPE_CONFIG_KEY`: the scrape configs `deploy apply` uploaded;
    /// with them the data-collector scrapes the fleet instead of its own sandbox.
    var scrapeConfig: (bucket: String, key: String)?
    /// `SHARD_SIZE`: the most targets one invocation scrapes for one metric.
    var shardSize: Int?
    /// `ALARMS_BUCKET`, `ALARMS_KEY`, `ALARM_STATE_TABLE_NAME` and `ALARM_TOPIC_ARN`: the fan-out
    /// alarms the log-processor evaluates, where their states live and where transitions go.
    var alarms: (bucket: String, key: String, table: String, topic: String)?
    /// `CLOUDWATCH_DIMENSIONS`: `per-host` (default) or `fleet`, the stack's `CloudWatchDimensions`.
    var dimensions: CloudWatchDimensions

    /// The handlers this executable serves.
    static let handlers = ["data-collector", "log-processor"]

    init(environment: [String: String]) throws {
        guard let handler = environment["_HANDLER"], Self.handlers.contains(handler) else {
            throw FunctionSetupError(
                reason: "_HANDLER is \(environment["_HANDLER"].map { "'\($0)'" } ?? "not set"); set it to data-collector or log-processor"
            )
        }
        self.handler = handler
        bucket = environment["BUCKET_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? ObjectKeys.bucket
        table = environment["TABLE_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? DynamoDBMetricTable.tableName
        if let text = environment["AWS_ENDPOINT_URL"], !text.isEmpty {
            guard let url = URL(string: text), url.scheme != nil else {
                throw FunctionSetupError(reason: "AWS_ENDPOINT_URL '\(text)' is not a URL; set it to e.g. http://127.0.0.1:5000")
            }
            endpointURL = url
        }
        region = environment["AWS_REGION"]
        hostName = environment["HOST_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? HostName.system()
        stateTable = environment["STATE_TABLE_NAME"].flatMap { $0.isEmpty ? nil : $0 }
        if let bucket = environment["SCRAPE_CONFIG_BUCKET"], !bucket.isEmpty, let key = environment["SCRAPE_CONFIG_KEY"], !key.isEmpty {
            scrapeConfig = (bucket, key)
        }
        let alarmSettings = ["ALARMS_BUCKET", "ALARMS_KEY", "ALARM_STATE_TABLE_NAME", "ALARM_TOPIC_ARN"].map { environment[$0] ?? "" }
        if alarmSettings.allSatisfy({ !$0.isEmpty }) {
            alarms = (alarmSettings[0], alarmSettings[1], alarmSettings[2], alarmSettings[3])
        }
        if let text = environment["SHARD_SIZE"], !text.isEmpty {
            guard let size = Int(text), size > 0 else {
                throw FunctionSetupError(reason: "SHARD_SIZE '\(text)' is not a positive number of targets")
            }
            shardSize = size
        }
        do {
            dimensions = try CloudWatchDimensions(setting: environment["CLOUDWATCH_DIMENSIONS"])
        } catch {
            throw FunctionSetupError(reason: "CLOUDWATCH_DIMENSIONS \(error)")
        }
    }

    /// The handler `_HANDLER` names, over the AWS adapters.
    func makeHandler(environment: [String: String]) -> any LambdaHandler {
        let services = AWSServices(
            client: AWSClient(configuration: .standard(region: region, endpointURL: endpointURL, environment: environment)),
            bucket: bucket,
            table: table,
            dimensions: dimensions
        )
        let logs = StdoutLogSink()
        switch handler {
        case "data-collector":
            return DataCollectorFunction(
                collector: DataCollector(
                    collector: SystemCollector(hostName: hostName),
                    objects: services.objects,
                    state: stateTable.map { DynamoDBCollectorState(dynamoDB: services.dynamoDB, table: $0) as any CollectorStateStore }
                        ?? MemoryCollectorState(),
                    logs: logs
                ),
                fleet: scrapeConfig.map { FleetSource(s3: services.s3, bucket: $0.bucket, key: $0.key) }
            )
        default:
            return LogProcessorFunction(
                processor: LogProcessor(
                    objects: services.objects,
                    table: services.metricTable,
                    publisher: services.publisher,
                    index: RawObjectSampleIndex(),
                    logs: logs
                ),
                bucket: bucket,
                alarms: alarms.map {
                    FanOutAlarms(
                        s3: services.s3,
                        bucket: $0.bucket,
                        key: $0.key,
                        records: services.metricTable,
                        store: DynamoDBAlarmStateStore(dynamoDB: services.dynamoDB, table: $0.table),
                        notifier: SNSNotifier(sns: services.sns, topicARN: $0.topic)
                    )
                },
                logs: logs
            )
        }
    }
}

/// The function cannot start with its configuration.
struct FunctionSetupError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
