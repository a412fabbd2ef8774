import ArgumentParser
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
            (idempotent keys), which repairs an execution a crash interrupted.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Execution name (default: a new UUID). Reuse one to repeat an interrupted execution.")
    var executionId: String?

    @Option(help: "The schedule tick this execution stands for, RFC 3339 (default: now).")
    var scheduledTime: String?

    func validate() throws {
        if let executionId, executionId.isEmpty || executionId.contains("/") || executionId.count > 80 {
            throw ValidationError("--execution-id must be 1–80 characters without '/'")
        }
        if let scheduledTime, Timestamp.parseRFC3339(scheduledTime) == nil {
            throw ValidationError("--scheduled-time must be an RFC 3339 timestamp such as 2026-11-25T18:00:00Z")
        }
    }

    func run() async throws {
        let environment = try EmbeddedEnvironment(options: options)
        let lock = try RunLock(path: environment.dataDirectory.lockPath)
        let aborted = try environment.store.abortInterruptedExecutions()
        for id in aborted {
            Output.note("marked interrupted execution \(id) as ABORTED; rerun it with --execution-id \(id) to repair it")
        }
        try environment.store.deleteExpiredRecords()
        let runner = try environment.runner()
        let scheduled = scheduledTime.flatMap { Timestamp.parseRFC3339($0) } ?? .now()
        let outcome = try await runner.run(scheduledTime: scheduled, executionID: executionId ?? PipelineRunner.newExecutionID())
        withExtendedLifetime(lock) {}
        print(Self.report(outcome))
        if outcome.summary.status != .succeeded {
            throw CLIError.failed(
                "execution \(outcome.summary.id) failed: \(outcome.summary.error ?? "unknown error"): \(outcome.summary.cause ?? ""); "
                    + "see `infra-monitor executions show \(outcome.summary.id)`"
            )
        }
        if !outcome.processingFailures.isEmpty {
            throw CLIError.failed(
                "processing failed for \(outcome.processingFailures.count) batch(es): \(outcome.processingFailures[0]); "
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
            out += count.map { "\($0) sample\($0 == 1 ? "" : "s")" } ?? "not collected"
            out += "\n"
        }
        let lines = outcome.processing.reduce(0) { $0 + $1.lines }
        let invalid = outcome.processing.reduce(0) { $0 + $1.invalidLines }
        let records = outcome.processing.reduce(0) { $0 + $1.records }
        out += "  processed \(outcome.processing.count) batch(es): \(lines) lines, \(invalid) invalid, \(records) records"
        return out
    }
}
