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

    var collector: DataCollector {
        DataCollector(
            collector: SystemCollector(
                procRoot: machine.configuration.collection.procRoot,
                hostName: machine.hostName,
                sampleWindowSeconds: machine.configuration.collection.sampleWindowSeconds
            ),
            hostName: machine.hostName,
            objects: objects,
            state: machine.store,
            logs: logs
        )
    }

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
        let path = try PipelineDefinition.locate(configured: machine.configuration.stateMachineDefinition)
        let definition = try PipelineDefinition(path: path, substitutions: PipelineDefinition.localSubstitutions(region: region))
        connectProcessor()
        return PipelineRunner(
            definition: definition,
            collector: collector,
            notifier: notifier,
            executions: machine.store,
            logs: logs,
            activity: activity
        )
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
}
