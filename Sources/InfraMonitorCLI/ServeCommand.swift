import Alarms
import ArgumentParser
import Dashboard
import Fleet
import Foundation
import InfraMonitorCore
import LocalBackend
import Logging
import Pipeline
import Scheduler
import ServiceLifecycle
import UnixSignals

/// `infra-monitor serve`: the scheduler (EventBridge) and the dashboard (CloudWatch) in one service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the pipeline on its schedule and serve the dashboard, /metrics, /healthz and the JSON API.",
        discussion: """
            The schedule is --schedule, else the config's `schedule` (default rate(3 hours)), in EventBridge syntax; \
            rates fire on multiples of the interval since the Unix epoch, UTC.

            Missed ticks: on start, if the tick after the newest recorded execution has already passed (or \
            nothing ever ran), one execution runs at once; older missed ticks are not replayed. Executions never \
            overlap: a tick that falls while an execution runs (or while `infra-monitor run` holds the data \
            directory) is skipped and counted in /metrics. SIGTERM/SIGINT stop the server and let a running \
            execution finish; an execution killed mid-way is marked ABORTED by the next start.

            Security: binds 127.0.0.1 by default; any other address needs --token (or $INFRA_MONITOR_TOKEN), \
            which every request must then carry as `Authorization: Bearer T`, `?token=T` or the cookie it sets.

            file_sd: with scrape_configs that have file_sd_configs, the globbed files' modification times, sizes \
            and inodes are polled every --file-sd-poll-seconds (default 5; 0 disables); on a change discovery \
            runs again and /targets and /api/targets list the new targets (UNKNOWN until an execution scrapes \
            them). A malformed file keeps its previous targets; the problem is logged once and shown on /targets.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Address to listen on; anything but loopback requires a token.")
    var bind = "127.0.0.1"

    @Option(help: "TCP port.")
    var port = 8080

    @Option(help: "Token every request must carry (default: $INFRA_MONITOR_TOKEN).")
    var token: String?

    @Option(help: "Schedule expression, such as 'rate(3 hours)' or 'cron(0 */6 * * ? *)' (default: the config's).")
    var schedule: String?

    @Option(name: .customLong("file-sd-poll-seconds"), help: "Seconds between polls of the file_sd files for changes (0: only at executions).")
    var fileSDPollSeconds = 5

    @Option(help: .hidden)
    var tickSeconds: Int?

    /// Seconds before the first retention pass (tests; default 60).
    @Option(help: .hidden)
    var retentionDelaySeconds: Int?

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        guard fileSDPollSeconds >= 0 else { throw ValidationError("--file-sd-poll-seconds must be 0 or more") }
        if let tickSeconds, tickSeconds < 1 { throw ValidationError("--tick-seconds must be at least 1") }
    }

    func run() async throws {
        let context = try CommandContext(options: options)
        let token = (token ?? ProcessInfo.processInfo.environment["INFRA_MONITOR_TOKEN"]).flatMap { $0.isEmpty ? nil : $0 }
        if let token, let problem = DashboardSettings.tokenProblem(token) {
            throw CLIError.usage("the token \(problem); use a random one, e.g. `openssl rand -hex 24`")
        }
        if !DashboardSettings.isLoopback(bind) && token == nil {
            throw CLIError.usage("binding \(bind) exposes the dashboard beyond this machine; set --token or INFRA_MONITOR_TOKEN, or bind 127.0.0.1")
        }
        let expression: ScheduleExpression
        do {
            expression =
                try tickSeconds.map { .rate(seconds: Int64($0)) } ?? ScheduleExpression(parsing: schedule ?? context.machine.settings.schedule)
        } catch let error as ScheduleError {
            throw CLIError.usage(error.description)
        }
        do {
            let lock = try await context.lock(timeoutSeconds: 0)
            try await context.recoverInterruptedExecutions()
            withExtendedLifetime(lock) {}
        } catch LocalBackendError.busy {
            Output.note("another `infra-monitor run` holds the data directory; interrupted executions are checked at the next tick")
        }
        let status = ServiceStatus(schedule: tickSeconds.map { "every \($0) s (test override)" } ?? expression.description)
        var logger = Logger(label: "infra-monitor.serve")
        logger.logLevel = .warning
        let settings = DashboardSettings(bind: bind, port: port, token: token)
        var sources = DashboardSources(backend: context.backend)
        sources.alarms = context.machine.store
        sources.alarmDefinitions = try context.machine.alarmDefinitions()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let fleet = context.machine.fleet, fileSDPollSeconds > 0,
            fleet.discovery.configs.contains(where: { !$0.fileSDConfigs.isEmpty })
        {
            let discovered = DiscoveredTargets()
            sources.discovered = discovered
            let watcher = FileSDWatcher(discovery: fleet.discovery, interval: .seconds(fileSDPollSeconds)) { result in
                await discovered.update(targets: result.discoveredTargets, problems: result.problems.map(\.description))
                for problem in result.problems { Output.logLine("serve: file_sd: \(problem)") }
            }
            services.append(.init(service: FileSDService(watcher: watcher)))
        }
        let app = DashboardServer.application(sources: sources, settings: settings, status: status, logger: logger)
        let scheduler = ScheduleService(
            schedule: expression,
            lastScheduled: try await context.backend.localExecutions.totals().latestScheduledTime,
            status: status,
            execute: { time in await Self.execute(context, scheduledTime: time) },
            log: { Output.logLine("serve: " + $0) }
        )
        var retention = RetentionService(context: context, schedule: expression, log: { Output.logLine("serve: " + $0) })
        if let retentionDelaySeconds { retention.initialDelay = .seconds(retentionDelaySeconds) }
        Output.note("serve: dashboard on http://\(bind):\(port)/ · schedule \(status.schedule) · backend \(context.backend.name)")
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app), .init(service: scheduler), .init(service: retention)] + services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }

    /// One tick, as `infra-monitor run` does it: the data directory lock (skip when busy), interrupted
    /// executions marked ABORTED, expired records deleted, then one execution.
    static func execute(_ context: CommandContext, scheduledTime: Timestamp) async -> TickOutcome {
        do {
            let lock: RunLock
            do {
                lock = try await context.lock(timeoutSeconds: 0)
            } catch LocalBackendError.busy {
                return .busy("another execution holds the data directory (infra-monitor run)")
            }
            try await context.recoverInterruptedExecutions(prefix: "serve: ")
            try await context.machine.store.deleteExpiredRecords()
            let outcome = try await context.runner().run(scheduledTime: scheduledTime, executionID: PipelineRunner.newExecutionID())
            await context.finish()
            withExtendedLifetime(lock) {}
            return .executed(outcome.summary)
        } catch {
            return .failed(CLIError.from(error).message)
        }
    }
}

/// The file_sd watcher as a service of `serve`'s group: it polls until graceful shutdown.
struct FileSDService: Service {
    let watcher: FileSDWatcher

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await watcher.run()
        }
    }
}
