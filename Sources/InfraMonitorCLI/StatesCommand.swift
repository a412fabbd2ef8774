import ArgumentParser
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend
import StateMachine

/// `infra-monitor states run|validate`: the States Language interpreter on its own (docs/design.md, "The state machine").
struct StatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "states",
        abstract: "Run or validate any Amazon States Language definition locally.",
        subcommands: [Run.self, Validate.self]
    )

    static func load(_ file: String) throws -> StateMachineDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CLIError.usage("cannot read \(file): \(error.localizedDescription)")
        }
        do {
            return try StateMachineDefinition(parsing: text)
        } catch {
            throw CLIError.usage("invalid definition \(file): \(error.description)")
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Execute a definition and print {\"status\",\"output\"} or {\"status\",\"error\",\"cause\"}.",
            discussion: "Exit 0 when it succeeded, 1 when it failed, 2 for an invalid definition or input."
        )

        @Argument(help: "The definition file (JSON).")
        var definition: String

        @Option(help: "The execution input as JSON text.")
        var input: String = "{}"

        @Flag(help: "Also print the history events (JSON Lines, on stderr).")
        var trace = false

        @Option(
            name: .customLong("data-dir"),
            help: ArgumentHelp(
                "The data directory whose buckets distributed Map states read and write.",
                discussion: """
                    The bucket BUCKET is the folder DIR/objects/BUCKET and an object is a file below it (the \
                    layout of the embedded backend's bucket). Without it, a distributed Map with an ItemReader \
                    or a ResultWriter fails with States.ItemReaderFailed or States.ResultWriterFailed.
                    """,
                valueName: "DIR"
            )
        )
        var dataDir: String?

        @Option(
            name: .customLong("task"),
            help: ArgumentHelp(
                "Bind a Task resource to a shell command (repeatable; RESOURCE may be *).",
                discussion: """
                    The command gets the task input as JSON on stdin and prints the result JSON on stdout. \
                    To fail, it exits non-zero, optionally printing {"errorType": …, "errorMessage": …}; \
                    anything it writes to stderr counts as a heartbeat.
                    """,
                valueName: "RESOURCE=COMMAND"
            )
        )
        var tasks: [String] = []

        func run() async throws {
            let machine = try StatesCommand.load(definition)
            let bindings = CommandTask.bindings(try tasks.map(CommandTask.init(parsing:)))
            let inputValue: JSON
            do {
                inputValue = try JSON(parsing: input)
            } catch {
                throw CLIError.usage("--input is not valid JSON: \(error.description)")
            }
            let name = UUID().uuidString.lowercased()
            var options = ExecutionOptions(
                executionName: name,
                startTime: Timestamp.nowText(),
                stateMachineName: URL(fileURLWithPath: definition).deletingPathExtension().lastPathComponent
            )
            if trace {
                options.onChildExecutionEvent = { executionID, event in Self.printEvent(event, executionID: executionID) }
            }
            let trace = trace
            let storage = dataDir.map { FolderBucketStorage(root: DataDirectory(path: $0).path + "/objects") }
            let interpreter = Interpreter(definition: machine, bindings: bindings, storage: storage)
            let result = await interpreter.run(input: inputValue, options: options) { event in
                guard trace else { return }
                Self.printEvent(event, executionID: nil)
            }
            switch result {
            case .succeeded(let output):
                print(JSON.object(["status": "SUCCEEDED", "output": output]).text)
            case .failed(let error, let cause):
                print(JSON.object(["status": "FAILED", "error": .string(error), "cause": .string(cause)]).text)
                throw ExitCode(1)
            }
        }

        /// One history event as a JSON line on stderr; a child execution's events (distributed Map)
        /// also carry the child's `executionArn`.
        static func printEvent(_ event: HistoryEvent, executionID: String?) {
            var object: [String: JSON] = [
                "id": .number(Double(event.id)), "previousEventId": .number(Double(event.previousEventID)), "type": .string(event.type),
                "timestamp": .string(event.timestamp), "stateName": event.stateName.map(JSON.string) ?? .null, "details": event.details,
            ]
            if let executionID { object["executionArn"] = .string(executionID) }
            FileHandle.standardError.write(Data((JSON.object(object).text + "\n").utf8))
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a definition and report every problem with its JSON path.")

        @Argument(help: "The definition file (JSON).")
        var definition: String

        func run() async throws {
            _ = try StatesCommand.load(definition)
            print("\(definition): valid")
        }
    }
}

extension Timestamp {
    static func nowText() -> String { Timestamp.now().iso8601Milliseconds }
}
