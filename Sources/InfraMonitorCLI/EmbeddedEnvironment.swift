import Collectors
import Foundation
import InfraMonitorCore
import LocalBackend
import Pipeline

/// The embedded backend wired together: the folder bucket notifies the log-processor, SQLite
/// holds the tables, the outbox notifier and the log files stand in for SNS and CloudWatch Logs.
@dynamicMemberLookup
struct EmbeddedEnvironment {
    let machine: MachineState
    let objects: FolderObjectStore
    let logs: FileLogSink
    let activity = ExecutionActivity()

    /// Opens the data directory (creating it), the configuration and the database.
    init(options: GlobalOptions) throws {
        machine = try MachineState(options: options)
        objects = FolderObjectStore(root: machine.dataDirectory.objectsRoot)
        logs = FileLogSink(folder: machine.dataDirectory.logsFolder)
    }

    /// The data directory, configuration, database and host name, as `environment.store`.
    subscript<Value>(dynamicMember keyPath: KeyPath<MachineState, Value>) -> Value { machine[keyPath: keyPath] }

    var region: String { machine.configuration.region }

    var collector: DataCollector { machine.collector(objects: objects, logs: logs) }

    var processor: LogProcessor {
        LogProcessor(objects: objects, table: machine.store, index: machine.store, logs: logs)
    }

    var notifier: OutboxNotifier {
        OutboxNotifier(store: machine.store, settings: machine.configuration.notifications, logs: logs)
    }

    /// Routes created-events under `raw-metrics/` to the log-processor, as the S3 notification does.
    func connectProcessor() {
        let processor = processor
        let activity = activity
        let logs = logs
        objects.subscribe(prefix: ObjectKeys.rawPrefix) { event in
            do {
                let report = try await processor.handle(event)
                await activity.processed(report)
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

    /// The pipeline runner over this environment.
    func runner() throws -> PipelineRunner {
        let runner = try machine.runner(region: region, collector: collector, notifier: notifier, logs: logs, activity: activity)
        connectProcessor()
        return runner
    }
}

/// What every backend keeps on this machine: the data directory, its configuration, its SQLite
/// database (collector state, outbox, local executions) and the host name put on samples.
struct MachineState {
    let dataDirectory: DataDirectory
    let configuration: InfraMonitorCore.Configuration
    let store: SQLiteStore
    let hostName: String

    /// Resolves `--data-dir` and `--config`, creates the data directory and opens the database.
    init(options: GlobalOptions) throws {
        dataDirectory = DataDirectory.resolve(explicit: options.dataDir)
        let configPath = options.config ?? dataDirectory.configPath
        configuration = try ConfigurationFile.load(path: configPath, required: options.config != nil)
        try dataDirectory.prepare()
        store = try SQLiteStore(path: dataDirectory.databasePath)
        hostName = configuration.host.flatMap { $0.isEmpty ? nil : $0 } ?? HostName.system()
    }

    /// The data-collector of this host, writing batches to `objects`, its counter state in the database.
    func collector(objects: any ObjectStore, logs: any LogSink) -> DataCollector {
        DataCollector(
            collector: SystemCollector(
                procRoot: configuration.collection.procRoot,
                hostName: hostName,
                sampleWindowSeconds: configuration.collection.sampleWindowSeconds
            ),
            hostName: hostName,
            objects: objects,
            state: store,
            logs: logs
        )
    }

    /// The configured state-machine definition, its Task resources bound to `collector`, executions
    /// recorded in the database.
    func runner(
        region: String,
        collector: DataCollector,
        notifier: any Notifier,
        logs: any LogSink,
        activity: ExecutionActivity
    ) throws -> PipelineRunner {
        let path = try PipelineDefinition.locate(configured: configuration.stateMachineDefinition)
        let definition = try PipelineDefinition(path: path, substitutions: PipelineDefinition.localSubstitutions(region: region))
        return PipelineRunner(definition: definition, collector: collector, notifier: notifier, executions: store, logs: logs, activity: activity)
    }
}
