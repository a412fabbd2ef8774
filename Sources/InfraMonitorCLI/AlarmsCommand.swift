import Alarms
import ArgumentParser
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend
import Yams

/// `infra-monitor alarms`: alarms in CloudWatch's `PutMetricAlarm` words (docs/design.md, "Notifications", "Command line" and "Configuration").
struct AlarmsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alarms",
        abstract: "Work with alarms defined in CloudWatch's PutMetricAlarm fields.",
        subcommands: [List.self, History.self, Simulate.self],
        defaultSubcommand: List.self
    )

    /// `alarms list`: every configured alarm and the state of each of its instances.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The configured alarms and the current state of each instance.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Output: table, csv or json.")
        var format: TableFormat = .table

        func run() async throws {
            let context = try CommandContext(options: options)
            let definitions = try context.machine.alarmDefinitions()
            let states = try await context.machine.store.allStates()
            var rows: [[String]] = []
            var json: [JSON] = []
            for definition in definitions {
                let instances = states.filter { $0.instance.alarmName == definition.alarmName }
                if instances.isEmpty {
                    rows.append([definition.alarmName, "-", "INSUFFICIENT_DATA", "-", "not evaluated yet"])
                }
                for record in instances {
                    rows.append([definition.alarmName, record.instance.id, record.state.rawValue, record.since.iso8601Milliseconds, record.reason])
                    json.append([
                        "AlarmName": .string(definition.alarmName), "instance": .string(record.instance.id),
                        "StateValue": .string(record.state.rawValue), "StateUpdatedTimestamp": .string(record.since.iso8601Milliseconds),
                        "StateReason": .string(record.reason), "labels": .object(record.instance.labels.mapValues(JSON.string)),
                    ])
                }
            }
            switch format {
            case .json: for line in json { print(line.text) }
            case .csv: print(Output.csv(columns: ["alarm", "instance", "state", "since", "reason"], rows: rows), terminator: "")
            case .table: print(Output.table(columns: ["alarm", "instance", "state", "since", "reason"], rows: rows), terminator: "")
            }
        }
    }

    /// `alarms history [NAME]`: state changes, newest first.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "State changes of the alarms (or of one alarm), newest first.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Only this alarm's instances.")
        var name: String?

        @Option(help: "Maximum entries.")
        var limit: Int = 100

        func run() async throws {
            let context = try CommandContext(options: options)
            let entries = try await context.machine.store.history(alarmName: name, limit: limit)
            let rows = entries.map { e in
                [e.time.iso8601Milliseconds, e.instance.id, "\(e.oldState.rawValue) -> \(e.newState.rawValue)", e.reason]
            }
            print(Output.table(columns: ["time", "instance", "change", "reason"], rows: rows), terminator: "")
        }
    }

    /// `alarms simulate ALARM_FILE --datapoints JSON [--state …]` (contract, docs/design.md, "Command line").
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate one alarm over given datapoints and print {\"state\",\"reason\"}.",
            discussion: """
                The evaluation is CloudWatch's, as the User Guide documents it in "How alarm state is evaluated \
                when data is missing": real datapoints first, missing ones filled as few times as possible per \
                TreatMissingData, M out of N. Exit 0 with the JSON object; 2 for an invalid alarm or input.
                """
        )

        @Argument(help: "A file holding one alarm in PutMetricAlarm fields (JSON or YAML).")
        var alarmFile: String

        @Option(help: "The evaluation range, oldest first: a JSON array of numbers, null for a missing period.")
        var datapoints: String

        @Option(help: "The state before the evaluation: OK, ALARM or INSUFFICIENT_DATA.")
        var state: String = AlarmState.insufficientData.rawValue

        @Option(help: "The start of the newest period (RFC 3339), to date the datapoints in the reason.")
        var newestPeriodStart: String?

        func run() async throws {
            let definition = try AlarmsCommand.loadDefinition(alarmFile)
            guard let prior = AlarmState(rawValue: state) else {
                throw CLIError.usage("--state must be OK, ALARM or INSUFFICIENT_DATA, not \"\(state)\"")
            }
            let values = try AlarmsCommand.parseDatapoints(datapoints)
            var newest: Timestamp?
            if let newestPeriodStart {
                guard let time = Timestamp.parseRFC3339(newestPeriodStart) else {
                    throw CLIError.usage("--newest-period-start must be an RFC 3339 time such as 2026-12-01T03:00:00Z")
                }
                newest = time
            }
            let result = AlarmEvaluator.evaluate(definition, datapoints: values, priorState: prior, newestPeriodStart: newest)
            print(JSON.object(["state": .string(result.state.rawValue), "reason": .string(result.reason)]).text)
        }
    }

    /// The one alarm of `file`, JSON or YAML.
    /// - Throws: ``CLIError/usage(_:)`` for an unreadable file, bad syntax or an invalid alarm.
    static func loadDefinition(_ file: String) throws -> AlarmDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CLIError.usage("cannot read \(file): \(error.localizedDescription)")
        }
        let json: JSON
        let trimmed = text.drop { $0.isWhitespace }
        if file.hasSuffix(".json") || trimmed.first == "{" {
            do {
                json = try JSON(parsing: text)
            } catch {
                throw CLIError.usage("\(file) is not valid JSON: \(error.description)")
            }
        } else {
            do {
                guard let node = try Yams.compose(yaml: text) else {
                    throw CLIError.usage("\(file) is empty; it must hold one alarm in PutMetricAlarm fields")
                }
                json = try YAMLJSON.value(of: node)
            } catch let error as CLIError {
                throw error
            } catch let error as YAMLJSON.Unsupported {
                throw CLIError.usage("\(file): \(error.description)")
            } catch {
                throw CLIError.usage("\(file) is not valid YAML: \(error)")
            }
        }
        do {
            return try AlarmDefinition(json: json)
        } catch {
            throw CLIError.usage("invalid alarm in \(file): \(error.description)")
        }
    }

    /// `--datapoints`: a JSON array of numbers and nulls.
    static func parseDatapoints(_ text: String) throws -> [Double?] {
        let value: JSON
        do {
            value = try JSON(parsing: text)
        } catch {
            throw CLIError.usage("--datapoints is not valid JSON: \(error.description)")
        }
        guard case .array(let elements) = value else {
            throw CLIError.usage("--datapoints must be a JSON array such as [91.5, null, 93.1], not \(value.typeName)")
        }
        return try elements.enumerated().map { index, element -> Double? in
            switch element {
            case .null: return nil
            case .number(let number): return number
            default: throw CLIError.usage("--datapoints[\(index)] must be a number or null, not \(element.typeName)")
            }
        }
    }
}
