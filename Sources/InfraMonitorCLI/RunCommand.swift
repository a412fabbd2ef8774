import AWSBackend
import Alarms
import ArgumentParser
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend
import Pipeline

/// `infra-monitor run`: one execution of the pipeline, as one scheduled run of the seed.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipeline once: collect the four metrics in parallel, store, process and notify.",
        discussion: """
            Loads pipeline/state-machine.asl.json and executes it with the in-process States Language interpreter. \
            Re-running with the same --execution-id and --scheduled-time rewrites the same objects and records \
            (idempotent keys), which repairs an execution a crash interrupted. With --backend aws the batches go \
            to S3 (spooled locally when S3 refuses them, uploaded by the next run), the records to DynamoDB and \
            CloudWatch, the notification to SNS.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Execution name (default: a new UUID). Reuse one to repeat an interrupted execution.")
    var executionId: String?

    @Option(help: "The schedule tick this execution stands for, RFC 3339 (default: now).")
    var scheduledTime: String?

    @Flag(help: "With --backend aws: start the deployed state machine InfraMonitoring-Pipeline-Orch and wait for it.")
    var remote = false

    @Flag(help: "With --backend aws: first create the bucket, the table, the topic and the log groups where missing.")
    var createResources = false

    func validate() throws {
        if let executionId, executionId.isEmpty || executionId.contains("/") || executionId.count > 80 {
            throw ValidationError("--execution-id must be 1–80 characters without '/'")
        }
        if let scheduledTime, Timestamp.parseRFC3339(scheduledTime) == nil {
            throw ValidationError("--scheduled-time must be an RFC 3339 timestamp such as 2026-11-25T18:00:00Z")
        }
        if remote, let executionId, let problem = StepFunctionsPipeline.executionNameProblem(executionId) {
            throw ValidationError(
                "--execution-id \(problem); Step Functions takes 1–80 characters without white space, brackets, ? * \" # % \\ ^ | ~ ` $ & , ; : / "
                    + "or control characters"
            )
        }
        if (remote || createResources) && options.backend != .aws {
            throw ValidationError("--remote and --create-resources apply to --backend aws only")
        }
    }

    func run() async throws {
        let context = try CommandContext(options: options)
        if remote {
            try await runRemote(context)
            return
        }
        let lock = try await context.lock()
        let stop = GracefulStop(finishing: "the running execution")
        defer { withExtendedLifetime(stop) {} }
        if createResources, let provision = context.provision {
            Output.note(try await provision())
        }
        try await context.recoverInterruptedExecutions()
        try await context.machine.store.deleteExpiredRecords()
        let runner = try context.runner()
        let scheduled = scheduledTime.flatMap { Timestamp.parseRFC3339($0) } ?? .now()
        let outcome = try await runner.run(scheduledTime: scheduled, executionID: executionId ?? PipelineRunner.newExecutionID())
        await context.finish()
        withExtendedLifetime(lock) {}
        if !outcome.recovered.isEmpty {
            Output.note(
                "uploaded \(outcome.recovered.count) spooled batch(es) from an earlier run: \(outcome.recovered.joined(separator: ", "))"
            )
        }
        print(Self.report(outcome))
        let spooled = try context.machine.spooledBatches()
        if !spooled.isEmpty {
            Output.note(
                "\(spooled.count) batch(es) could not be stored in the bucket and are kept in \(context.machine.spoolPath); "
                    + "the next `run --backend aws` uploads them with the same keys"
            )
        }
        try Self.check(outcome)
    }

    /// Fails the command when the execution or its processing failed.
    static func check(_ outcome: ExecutionOutcome) throws {
        if outcome.summary.status != .succeeded {
            throw CLIError.failed(
                "execution \(outcome.summary.id) failed: \(outcome.summary.error ?? "unknown error"): \(outcome.summary.cause ?? ""); "
                    + "see `infra-monitor executions show \(outcome.summary.id)`"
            )
        }
        let failures = outcome.processingFailures
        if !failures.isEmpty {
            throw CLIError.failed(
                "processing failed for \(failures.count) batch(es): \(failures[0]); "
                    + "the raw batches are kept, run `infra-monitor replay` after fixing the cause"
            )
        }
    }

    static func report(_ outcome: ExecutionOutcome) -> String {
        let s = outcome.summary
        var out = "execution \(s.id) \(s.status.rawValue) in \(s.durationMilliseconds ?? 0) ms"
        out += " (scheduled \(s.scheduledTime.iso8601Milliseconds))\n"
        for metric in Metric.allCases {
            let count = outcome.samplesPerMetric[metric.rawValue]
            out += "  \(metric.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) "
            out += count.map { "\($0) sample\($0 == 1 ? "" : "s")" } ?? "no batch stored (see the error)"
            out += "\n"
        }
        let reports = outcome.reports
        let lines = reports.reduce(0) { $0 + $1.lines }
        let invalid = reports.reduce(0) { $0 + $1.invalidLines }
        let records = reports.reduce(0) { $0 + $1.records }
        out += "  processed \(reports.count) batch(es): \(lines) lines, \(invalid) invalid, \(records) records"
        if let alarms = outcome.alarms {
            let changes = alarms.transitions
            out += "\n  alarms: \(alarms.outcomes.count) instance(s) evaluated, \(changes.count) changed state"
            for change in changes {
                out += "\n    \(change.history.instance.id): \(change.history.oldState.rawValue) -> \(change.history.newState.rawValue)"
            }
        }
        if let failure = outcome.alarmFailure { out += "\n  alarms not evaluated: \(failure)" }
        return out
    }

    /// `run --backend aws --remote`: starts the deployed state machine and waits for its end.
    private func runRemote(_ context: CommandContext) async throws {
        guard let machine = context.backend.remote else {
            throw CLIError.usage("--remote needs a deployed state machine (--backend aws)")
        }
        let name = executionId ?? PipelineRunner.newExecutionID()
        let arn = try await machine.start(name: name, scheduledTime: scheduledTime.flatMap { Timestamp.parseRFC3339($0) } ?? .now())
        Output.note("started \(arn)")
        let summary = try await machine.wait(executionARN: arn)
        print("execution \(summary.id) \(summary.status.rawValue) in \(summary.durationMilliseconds.map { "\($0) ms" } ?? "-")")
        if let output = summary.output { print(output.text) }
        switch summary.status {
        case .succeeded:
            return
        case .running:
            throw CLIError.failed(
                "execution \(summary.id) is still running; follow it with `infra-monitor executions show \(summary.id) --backend aws`"
            )
        case .failed, .aborted:
            throw CLIError.failed(
                "execution \(summary.id) \(summary.status.rawValue): \(summary.error ?? "unknown error"): \(summary.cause ?? ""); "
                    + "see `infra-monitor executions show \(summary.id) --backend aws`"
            )
        }
    }
}
