import AWSBackend
import AWSClients
import AsyncHTTPClient
import Collectors
import Foundation
import InfraMonitorCore
import LocalBackend
import Pipeline

/// The aws backend wired together for a command run on this machine: S3 (with the local spool),
/// DynamoDB with CloudWatch metric data, Athena, SNS (falling back to the local outbox), CloudWatch
/// Logs and Step Functions. The data directory still holds the collector state, the spool, the
/// outbox and the history of locally interpreted executions.
@dynamicMemberLookup
struct AWSEnvironment {
    let machine: MachineState
    let services: AWSServices
    let spool: Spool
    let logs: CloudWatchLogsSink
    let activity = ExecutionActivity()

    /// Opens the data directory and the configuration and builds the clients (no call is made yet).
    init(options: GlobalOptions) throws {
        machine = try MachineState(options: options)
        var endpoint: URL?
        if let text = options.endpointURL {
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw CLIError.usage("--endpoint-url '\(text)' is not an http(s) URL; give one such as http://127.0.0.1:5000")
            }
            endpoint = url
        }
        services = AWSServices(
            client: AWSClient(
                configuration: .standard(region: options.region, endpointURL: endpoint, transport: HTTPClientTransport(client: Self.httpClient))
            )
        )
        spool = Spool(root: machine.dataDirectory.path + "/spool")
        logs = CloudWatchLogsSink(logs: services.logs, streamName: CloudWatchLogsSink.defaultStreamName(host: machine.hostName))
    }

    /// The data directory, configuration, database and host name, as `environment.store`.
    subscript<Value>(dynamicMember keyPath: KeyPath<MachineState, Value>) -> Value { machine[keyPath: keyPath] }

    /// The HTTP client of the command line. Unlike the shared one it does not keep retrying a
    /// refused connection until the request's deadline: an unreachable endpoint fails each attempt
    /// at once (the request layer's retries then apply) so that a batch is spooled in seconds.
    /// It lives as long as the process.
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    var region: String { services.client.configuration.region }

    /// The log-processor over S3, DynamoDB + CloudWatch metric data and CloudWatch Logs.
    var processor: LogProcessor {
        LogProcessor(objects: services.objects, table: services.metricTable, index: RawObjectSampleIndex(), logs: logs)
    }

    /// The bucket as the collector sees it: a refused put goes to the spool, a stored raw batch is
    /// processed in this process (as the bucket's notification triggers the log-processor).
    var objects: SpoolingObjectStore {
        let processor = processor
        let activity = activity
        let logs = logs
        return SpoolingObjectStore(inner: services.objects, spool: spool, bucket: services.bucket) { event in
            do {
                await activity.processed(try await processor.handle(event))
            } catch {
                await activity.processingFailed(key: event.key, error: "\(error)")
                await logs.log(
                    .logProcessor,
                    level: "error",
                    message: "processing failed; the raw batch is kept, `infra-monitor replay` retries it",
                    fields: ["key": event.key, "error": "\(error)"]
                )
            }
        }
    }

    var collector: DataCollector { machine.collector(objects: objects, logs: logs) }

    /// SNS, and the local outbox when the topic cannot be reached.
    var notifier: FallbackNotifier {
        let services = services
        let environment = ProcessInfo.processInfo.environment
        let sns = SNSNotifier(sns: services.sns) {
            if let arn = environment["INFRA_MONITOR_TOPIC_ARN"], !arn.isEmpty { return arn }
            return try await services.topicARN()
        }
        let outbox = OutboxNotifier(store: machine.store, settings: machine.configuration.notifications)
        return FallbackNotifier(primary: sns, fallback: outbox) { error in
            Output.note("warning: cannot publish to SNS (\(error)); the notification is kept in the local outbox (`infra-monitor notifications`)")
        }
    }

    /// The deployed state machine.
    var stateMachine: StepFunctionsPipeline {
        StepFunctionsPipeline(stepFunctions: services.stepFunctions, stateMachineName: PipelineDefinition.stateMachineName)
    }

    /// The pipeline runner: the definition interpreted here, its Tasks on AWS storage.
    func runner() throws -> PipelineRunner {
        try machine.runner(region: region, collector: collector, notifier: notifier, logs: logs, activity: activity)
    }
}
