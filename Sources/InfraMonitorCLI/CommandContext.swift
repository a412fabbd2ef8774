import AWSBackend
import AWSClients
import Alarms
import AsyncHTTPClient
import Collectors
import Fleet
import Foundation
import InfraMonitorCore
import LocalBackend
import NIOCore
import Pipeline

/// What every command works with, built once from `--backend`, the flags, the config and the
/// environment: this machine (data directory, settings, database, host name) and the ``Backend``
/// whose ports the command uses. This is the only place that asks which backend was chosen.
struct CommandContext: Sendable {
    let machine: MachineState
    let backend: Backend
    /// The region ARNs and the embedded interpreter use.
    let region: String
    /// Creates the bucket, table, topic and log groups where missing (aws only); returns a note.
    let provision: (@Sendable () async throws -> String)?

    /// Opens the data directory, the config and the database, and builds the chosen backend.
    init(options: GlobalOptions) throws {
        let machine = try MachineState(options: options)
        self.machine = machine
        let embedded = EmbeddedBackend.make(directory: machine.dataDirectory, store: machine.store, settings: machine.settings)
        switch options.backend {
        case .local:
            backend = embedded
            region = machine.settings.localRegion
            provision = nil
        case .aws:
            let location: AWSLocation
            do {
                location = try AWSLocation.resolve(
                    regionFlag: options.region,
                    endpointFlag: options.endpointURL,
                    bucketFlag: options.bucket,
                    settings: machine.settings,
                    environment: ProcessInfo.processInfo.environment,
                    deployed: DeployedNames.load(path: machine.dataDirectory.path + "/" + DeployedNames.fileName)
                )
            } catch let error as AWSLocation.InvalidEndpoint {
                throw CLIError.usage(error.description)
            }
            let client = AWSClient(
                configuration: .standard(
                    region: location.region,
                    endpointURL: location.endpointURL,
                    transport: HTTPClientTransport(client: Self.httpClient)
                )
            )
            let services = AWSServices(
                client: client,
                bucket: location.bucket,
                table: location.table,
                dimensions: machine.settings.aws.dimensions,
                workGroup: location.workGroup
            )
            region = client.configuration.region
            var aws = AWSPipelineBackend.make(
                services: services,
                spool: Spool(root: machine.spoolPath),
                hostName: machine.hostName,
                local: embedded,
                topicARN: location.topicARN
            ) { error in
                Output.note(
                    "warning: cannot publish to SNS (\(error)); the notification is kept in the local outbox (`infra-monitor notifications`)"
                )
            }
            // Executions interpreted here scrape from here: their target health stays on this machine.
            aws.targetHealth = embedded.targetHealth
            // The deployed data-collector keeps counters in the stack's state table; with its name a
            // local `run --backend aws` shares them (per target, for a fleet) instead of SQLite.
            if let table = ProcessInfo.processInfo.environment["INFRA_MONITOR_STATE_TABLE"], !table.isEmpty {
                aws.collectorState = DynamoDBCollectorState(dynamoDB: services.dynamoDB, table: table)
            }
            backend = aws
            provision = {
                let topic = try await services.createResources()
                return "resources ready: bucket \(services.bucket), table \(services.table), topic \(topic)"
            }
        }
    }

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

    /// The pipeline runner: the configured definition interpreted here over the backend's ports,
    /// collecting this machine.
    func runner() throws -> PipelineRunner {
        var runner = PipelineRunner(
            definition: try PipelineDefinition.configured(machine.settings, region: region),
            backend: backend,
            collector: machine.collector()
        )
        let definitions = try machine.alarmDefinitions()
        if !definitions.isEmpty { runner.alarms = .init(definitions: definitions, store: machine.store) }
        return runner
    }

    /// Takes the data directory's run lock, saying so when it has to wait for another run.
    func lock(timeoutSeconds: Double = 60) async throws -> RunLock {
        let path = machine.dataDirectory.lockPath
        return try await RunLock.acquire(path: path, timeoutSeconds: timeoutSeconds) {
            Output.note("waiting up to \(Int(timeoutSeconds)) s for the run that holds \(path)…")
        }
    }

    /// Repairs what executions a dead process left: ABORTED with a failure notification, their
    /// stored batches processed again; says so. Call with the run lock held.
    func recoverInterruptedExecutions(prefix: String = "") async throws {
        let recovery = try await runner().recoverInterrupted()
        for id in recovery.aborted {
            Output.note(
                "\(prefix)marked interrupted execution \(id) as ABORTED, notified it and processed its \(recovery.reprocessed.count) stored batch(es) again; "
                    + "rerun it with `infra-monitor run --execution-id \(id)` to collect what it missed"
            )
        }
        if !recovery.unprocessed.isEmpty {
            Output.note("\(prefix)processed \(recovery.unprocessed.count) stored batch(es) an interrupted process never processed")
        }
    }

    /// Sends what the backend buffers (log events).
    func finish() async { await backend.logs.flush() }
}

/// What every backend keeps on this machine: the data directory, its settings, its SQLite
/// database (collector state, outbox, local executions) and the host name put on samples.
struct MachineState: Sendable {
    let dataDirectory: DataDirectory
    let settings: Settings
    let store: SQLiteStore
    let hostName: String
    /// The fleet of `scrape_configs`, when the config has any.
    let fleet: FleetSetup?

    /// The scrape configs' discovery (kept for the process, so that a malformed file_sd file keeps
    /// the targets it had) and the scrape client.
    struct FleetSetup: Sendable {
        let discovery: TargetDiscovery
        let fetcher: HTTPTargetFetcher
    }

    /// Resolves `--data-dir` and `--config`, creates the data directory and opens the database.
    init(options: GlobalOptions) throws {
        dataDirectory = DataDirectory.resolve(explicit: options.dataDir)
        let configPath = options.config ?? dataDirectory.configPath
        settings = try ConfigurationFile.load(path: configPath, required: options.config != nil)
        try dataDirectory.prepare()
        store = try SQLiteStore(path: dataDirectory.databasePath)
        hostName = settings.host.flatMap { $0.isEmpty ? nil : $0 } ?? HostName.system()
        fleet = try Self.fleet(configPath: configPath)
    }

    /// The scrape configs of the file at `configPath`, if it has any.
    /// - Throws: ``CLIError/usage(_:)`` naming the key and line of a malformed scrape config.
    static func fleet(configPath: String) throws -> FleetSetup? {
        guard let text = try? String(contentsOfFile: configPath, encoding: .utf8), text.contains("scrape_configs") else { return nil }
        let configs: [ScrapeConfig]
        do {
            configs = try ScrapeConfigLoader.load(yaml: text)
        } catch {
            throw CLIError.usage("config \(configPath): \(error)")
        }
        guard !configs.isEmpty else { return nil }
        return FleetSetup(
            discovery: TargetDiscovery(configs: configs, ec2: { try await EC2Discovery.list($0) }),
            fetcher: HTTPTargetFetcher(client: fleetClient)
        )
    }

    /// The HTTP client of the scrapes, for the life of the process.
    static let fleetClient = HTTPTargetFetcher.makeClient()

    /// The key of `path` when it is a file of the folder bucket (so that processing a stored batch by
    /// its path replaces that object's samples and records instead of adding a second copy).
    func bucketKey(ofFile path: String) -> String? {
        let root = URL(fileURLWithPath: dataDirectory.objectsRoot).resolvingSymlinksInPath().path + "/"
        let file = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return file.hasPrefix(root) ? String(file.dropFirst(root.count)) : nil
    }

    /// The config's alarms.
    /// - Throws: ``CLIError/usage(_:)`` naming the alarm and the field of an invalid one.
    func alarmDefinitions() throws -> [AlarmDefinition] {
        do {
            return try AlarmDefinition.list(json: settings.alarms)
        } catch {
            throw CLIError.usage("alarms in the config: \(error.description)")
        }
    }

    /// Where the aws backend keeps batches the bucket refused.
    var spoolPath: String { dataDirectory.path + "/spool" }

    /// Batches waiting in the spool for the next `run --backend aws`.
    func spooledBatches() throws -> [String] { try Spool(root: spoolPath).pending() }

    /// The collector the settings configure: this machine; or, with `scrape_configs`, the fleet
    /// (and this machine too with `collect_local: true`).
    func collector() -> any MetricCollector {
        let local = SystemCollector(
            procRoot: settings.collection.procRoot,
            hostName: hostName,
            sampleWindowSeconds: settings.collection.sampleWindowSeconds
        )
        guard let fleet else { return local }
        return FleetMetricCollector(
            discovery: fleet.discovery,
            fetcher: fleet.fetcher,
            // 16 scrapes at a time per branch, 64 for the four branches together: enough to keep two
            // cores busy on 1,000 loopback targets, and each scrape in flight holds its receive
            // buffers and task memory (64 per branch measured about 10 MB more resident).
            options: FleetScrapeOptions(concurrency: 16, sampleWindowSeconds: settings.collection.sampleWindowSeconds),
            local: settings.collectLocal ? local : nil
        )
    }
}
