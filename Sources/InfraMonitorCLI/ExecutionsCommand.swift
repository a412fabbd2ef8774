import AWSBackend
import ArgumentParser
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend

/// `infra-monitor executions list|show`.
struct ExecutionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executions",
        abstract: "List pipeline executions, or show one state by state.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Executions, newest first.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Maximum executions.")
        var limit: Int = 20

        func run() async throws {
            let executions: [ExecutionSummary]
            switch options.backend {
            case .local: executions = try await EmbeddedEnvironment(options: options).store.list(limit: limit)
            case .aws: executions = try await AWSEnvironment(options: options).stateMachine.list(limit: limit)
            }
            let rows = executions.map { e in
                [
                    e.id, e.status.rawValue, e.startedAt.iso8601Milliseconds, e.durationMilliseconds.map { "\($0) ms" } ?? "-",
                    e.error ?? "",
                ]
            }
            print(Output.table(columns: ["execution", "status", "started_at", "duration", "error"], rows: rows), terminator: "")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One execution: status, duration, each state's start and end, errors.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Print the raw history events as JSON Lines.")
        var events = false

        @Argument(help: "Execution id (a unique prefix is enough).")
        var id: String

        func run() async throws {
            let (execution, history) = try await options.backend == .aws ? describeOnStepFunctions() : describeLocally()
            if events {
                for event in history {
                    let details = (try? JSON(parsing: event.details)) ?? .null
                    let object: JSON = [
                        "id": .number(Double(event.id)), "previousEventId": .number(Double(event.previousID)),
                        "type": .string(event.type), "timestamp": .string(event.timestamp),
                        "stateName": event.stateName.map(JSON.string) ?? .null, "details": details,
                    ]
                    print(object.text)
                }
                return
            }
            print("execution  \(execution.id)")
            print("status     \(execution.status.rawValue)")
            print("scheduled  \(execution.scheduledTime.iso8601Milliseconds)")
            print("started    \(execution.startedAt.iso8601Milliseconds)")
            print("finished   \(execution.finishedAt?.iso8601Milliseconds ?? "-")")
            print("duration   \(execution.durationMilliseconds.map { "\($0) ms" } ?? "-")")
            if let error = execution.error { print("error      \(error)") }
            if let cause = execution.cause { print("cause      \(cause)") }
            print("")
            print(Output.table(columns: ["state", "entered", "exited", "result"], rows: StateTimeline.rows(history)), terminator: "")
        }

        private func describeLocally() async throws -> (ExecutionSummary, [ExecutionEvent]) {
            let environment = try EmbeddedEnvironment(options: options)
            let all = try await environment.store.list(limit: 100_000)
            let matches = all.filter { $0.id == id || $0.id.hasPrefix(id) }
            guard let execution = matches.first(where: { $0.id == id }) ?? (matches.count == 1 ? matches.first : nil) else {
                throw CLIError.usage(
                    matches.isEmpty
                        ? "no execution \(id); list them with `infra-monitor executions list`"
                        : "\(id) matches \(matches.count) executions; give more of the id"
                )
            }
            return (execution, try await environment.store.events(executionID: execution.id))
        }

        /// The execution named `id` (or with the ARN `id`) of the deployed state machine.
        private func describeOnStepFunctions() async throws -> (ExecutionSummary, [ExecutionEvent]) {
            let machine = try AWSEnvironment(options: options).stateMachine
            let arn = id.hasPrefix("arn:") ? id : try await machine.executionARN(name: id)
            return (try await machine.execution(arn: arn), try await machine.events(executionARN: arn))
        }
    }
}

/// Folds history events into one row per state visit: entered, exited, and how it ended.
enum StateTimeline {
    static func rows(_ events: [ExecutionEvent]) -> [[String]] {
        var rows: [[String]] = []
        var open: [String: [Int]] = [:]
        for event in events {
            guard let name = event.stateName else { continue }
            if event.type.hasSuffix("StateEntered") {
                open[name, default: []].append(rows.count)
                rows.append([name, event.timestamp, "-", "running"])
            } else if let index = open[name]?.last {
                if event.type.hasSuffix("StateExited") {
                    rows[index][2] = event.timestamp
                    if rows[index][3] == "running" { rows[index][3] = "ok" }
                    open[name]?.removeLast()
                } else if event.type.hasSuffix("Failed") || event.type.hasSuffix("TimedOut") {
                    let details = (try? JSON(parsing: event.details)) ?? .null
                    let error = details["error"]?.stringValue ?? details["Error"]?.stringValue ?? event.type
                    rows[index][3] = "\(event.type): \(error)"
                    if event.type == "FailStateEntered" || event.type.hasPrefix("Execution") { rows[index][2] = event.timestamp }
                }
            }
        }
        return rows
    }
}
