public import ArgumentParser
import Collectors
import Foundation
import InfraJSON
public import InfraMonitorCore
import Pipeline

/// `infra-monitor collect`: invoke the data-collector outside a scheduled execution.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Collect metrics now; store them as raw batches, or print them with --stdout.",
        discussion: "--stdout prints the samples as raw-batch JSON Lines (docs/design.md, \"Raw batches\") and stores nothing."
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .customLong("metric"), help: "A metric to collect (repeatable; default: all four).")
    var metrics: [Metric] = []

    @Flag(help: "Print the samples as JSON Lines instead of storing them.")
    var stdout = false

    func run() async throws {
        let chosen = metrics.isEmpty ? Metric.allCases : metrics
        let context = try CommandContext(options: options)
        let runner = try context.runner()
        if stdout {
            let collector = runner.collector
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
        let executionID = "collect-" + PipelineRunner.newExecutionID()
        let time = Timestamp.now().iso8601Seconds
        var failures: [String] = []
        await withTaskGroup(of: Result<(DataCollector.Result, ProcessingResult), any Error>.self) { group in
            for metric in chosen {
                group.addTask {
                    do {
                        return .success(
                            try await runner.invokeDataCollector(payload: [
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
                case .success(let (collected, processing)):
                    print("\(collected.metric.rawValue): \(collected.samples) samples → \(collected.key)")
                    if case .failed(let key, let error) = processing { failures.append("processing failed: \(key): \(error)") }
                case .failure(let error):
                    failures.append("\(error)")
                }
            }
        }
        await context.finish()
        if let first = failures.first { throw CLIError.failed(first) }
    }
}

extension Metric: ExpressibleByArgument {}
