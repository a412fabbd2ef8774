import ArgumentParser
import Foundation
import InfraJSON
import InfraMonitorCore

/// `infra-monitor executions list|show`.
struct ExecutionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executions",
        abstract: "List pipeline executions, or show one state by state.",
        discussion: "With --backend aws: the executions of the deployed state machine InfraMonitoring-Pipeline-Orch.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Executions, newest first.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Maximum executions.")
        var limit: Int = 20

        func run() async throws {
            let executions = try await CommandContext(options: options).backend.executions.list(limit: limit)
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

        @Argument(help: "Execution id (a unique prefix is enough; an ARN with --backend aws).")
        var id: String

        func run() async throws {
            let history = try CommandContext(options: options).backend.executions
            let execution = try await Self.find(id, in: history)
            let events = try await history.events(executionID: execution.id)
            if self.events {
                for event in events { print(event.json.text) }
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
            print(Output.table(columns: ["state", "entered", "exited", "result"], rows: StateTimeline.rows(events)), terminator: "")
            let failed = ExecutionFailedTarget.list(in: events)
            if !failed.isEmpty {
                print("")
                print("failed targets")
                print(Output.table(columns: ["metric", "target", "error"], rows: failed.map { [$0.metric, $0.target, $0.error] }), terminator: "")
            }
        }

        /// The execution named `id`, or the only one whose name starts with it.
        static func find(_ id: String, in history: any ExecutionHistory) async throws -> ExecutionSummary {
            if let exact = try await history.execution(id: id) { return exact }
            let matches = try await history.list(limit: 1000).filter { $0.id.hasPrefix(id) }
            guard matches.count == 1, let only = matches.first else {
                throw CLIError.usage(
                    matches.isEmpty
                        ? "no execution \(id); list them with `infra-monitor executions list`"
                        : "\(id) matches \(matches.count) executions; give more of the id"
                )
            }
            return only
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
            switch event.type {
            case .state(_, .entered):
                open[name, default: []].append(rows.count)
                rows.append([name, event.timestamp, "-", "running"])
                if event.type.isFailure, let index = open[name]?.last {
                    rows[index][3] = "\(event.type.name): \(Self.error(of: event))"
                    rows[index][2] = event.timestamp
                }
            case .state(_, .exited):
                guard let index = open[name]?.last else { continue }
                rows[index][2] = event.timestamp
                if rows[index][3] == "running" { rows[index][3] = "ok" }
                open[name]?.removeLast()
            default:
                guard event.type.isFailure, let index = open[name]?.last else { continue }
                rows[index][3] = "\(event.type.name): \(Self.error(of: event))"
                if case .execution = event.type { rows[index][2] = event.timestamp }
            }
        }
        return rows
    }

    private static func error(of event: ExecutionEvent) -> String {
        event.details["error"]?.stringValue ?? event.details["Error"]?.stringValue ?? event.type.name
    }
}
