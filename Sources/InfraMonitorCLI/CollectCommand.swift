import ArgumentParser
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend
import Pipeline

/// `infra-monitor collect`: invoke the data-collector outside a scheduled execution.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Collect metrics now; store them as raw batches, or print them with --stdout.",
        discussion: "--stdout prints the samples as raw-batch JSON Lines (DESIGN §4) and stores nothing."
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .customLong("metric"), help: "A metric to collect (repeatable; default: all four).")
    var metrics: [Metric] = []

    @Flag(help: "Print the samples as JSON Lines instead of storing them.")
    var stdout = false

    func run() async throws {
        let chosen = metrics.isEmpty ? Metric.allCases : metrics
        if stdout {
            let environment = try EmbeddedEnvironment(options: options)
            let collector = environment.collector
            let results = try await withThrowingTaskGroup(of: (Int, [Sample]).self) { group in
                for (index, metric) in chosen.enumerated() {
                    group.addTask { (index, try await collector.collect(metric).samples) }
                }
                var all: [(Int, [Sample])] = []
                for try await result in group { all.append(result) }
                return all.sorted { $0.0 < $1.0 }.flatMap(\.1)
            }
            var out = ""
            for sample in results { out += sample.jsonLine + "\n" }
            FileHandle.standardOutput.write(Data(out.utf8))
            return
        }
        if options.backend == .aws {
            try await collectAWS(chosen)
            return
        }
        let environment = try EmbeddedEnvironment(options: options)
        let collector = environment.collector
        environment.connectProcessor()
        let executionID = "collect-" + PipelineRunner.newExecutionID()
        let scheduled = Timestamp(seconds: Timestamp.now().seconds)
        let time = String(scheduled.iso8601Milliseconds.dropLast(5)) + "Z"
        try await withThrowingTaskGroup(of: DataCollector.Result.self) { group in
            for metric in chosen {
                group.addTask {
                    try await collector.handle(payload: [
                        "metric": .string(metric.rawValue), "execution_id": .string(executionID), "scheduled_time": .string(time),
                    ])
                }
            }
            for try await result in group {
                print("\(result.metric.rawValue): \(result.samples) samples → \(result.key)")
            }
        }
        let failures = await environment.activity.processingFailures
        if let first = failures.first { throw CLIError.failed("processing failed: \(first)") }
    }

    /// `collect --backend aws`: stores each metric's batch in S3 (spooling what the bucket refuses)
    /// and processes it here.
    private func collectAWS(_ chosen: [Metric]) async throws {
        let environment = try AWSEnvironment(options: options)
        let collector = environment.collector
        let executionID = "collect-" + PipelineRunner.newExecutionID()
        let time = String(Timestamp(seconds: Timestamp.now().seconds).iso8601Milliseconds.dropLast(5)) + "Z"
        var failures: [String] = []
        await withTaskGroup(of: Result<DataCollector.Result, any Error>.self) { group in
            for metric in chosen {
                group.addTask {
                    do {
                        return .success(
                            try await collector.handle(payload: [
                                "metric": .string(metric.rawValue), "execution_id": .string(executionID), "scheduled_time": .string(time),
                            ])
                        )
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for await result in group {
                switch result {
                case .success(let result): print("\(result.metric.rawValue): \(result.samples) samples → \(result.key)")
                case .failure(let error): failures.append("\(error)")
                }
            }
        }
        await environment.logs.flush()
        if let first = failures.first { throw CLIError.failed(first) }
        if let first = await environment.activity.processingFailures.first { throw CLIError.failed("processing failed: \(first)") }
    }
}

extension Metric: ExpressibleByArgument {}
