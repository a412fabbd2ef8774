import ArgumentParser
import Foundation

/// The command-line entry: parses, runs, and turns every error into one line on stderr with the
/// exit code of docs/design.md, "Command line".
public enum CommandLineEntry {
    /// Runs `infra-monitor` with `arguments` (without the program name) and returns the exit code.
    public static func run(_ arguments: [String]) async -> Int32 {
        let command: any ParsableCommand
        do {
            command = try InfraMonitorCommand.parseAsRoot(arguments)
        } catch {
            let code = InfraMonitorCommand.exitCode(for: error)
            if code == .success {
                print(InfraMonitorCommand.fullMessage(for: error))
                return 0
            }
            let message = InfraMonitorCommand.message(for: error)
            Output.error(message + "; see `infra-monitor --help`")
            return 2
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch  where Self.isArgumentParserError(error) {
            // `--help` and `help SUBCOMMAND` arrive here as a command whose run throws.
            if InfraMonitorCommand.exitCode(for: error) == .success {
                print(InfraMonitorCommand.fullMessage(for: error))
                return 0
            }
            Output.error(InfraMonitorCommand.message(for: error) + "; see `infra-monitor --help`")
            return 2
        } catch {
            let cliError = CLIError.from(error)
            Output.error(cliError.message)
            return cliError.exitCode
        }
    }
}

extension CommandLineEntry {
    /// Whether `error` comes from the argument parser (help requests, validation) rather than a command.
    static func isArgumentParserError(_ error: any Error) -> Bool {
        error is ValidationError || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}

/// Writing to the terminal.
enum Output {
    /// Prints `infra-monitor: error: <message>` on stderr.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("infra-monitor: error: \(message)\n".utf8))
    }

    /// Prints a line on stderr (progress and reports that must not mix with data on stdout).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// A plain text table with a header row.
    static func table(columns: [String], rows: [[String]]) -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], min(cell.count, 60))
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let clipped = cell.count > 60 ? String(cell.prefix(59)) + "…" : cell
                return clipped.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = line(columns) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }

    /// RFC 4180 CSV.
    static func csv(columns: [String], rows: [[String]]) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = columns.map(field).joined(separator: ",") + "\r\n"
        for row in rows { out += row.map(field).joined(separator: ",") + "\r\n" }
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
