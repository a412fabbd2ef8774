import ArgumentParser
import Foundation
import InfraJSON
import InfraMonitorCore

/// Output formats for tabular results.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// `infra-monitor query`: read-only SQL over `metrics` and `infra_metrics`.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run read-only SQL on the metrics table (one row per raw sample) and infra_metrics.",
        discussion: """
            Tables: metrics(metric, host, timestamp, value, unit, labels, year, month, day) and infra_metrics \
            (one record per series per batch). Example: infra-monitor query "SELECT metric, count(*) FROM metrics GROUP BY metric"
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Output: table, csv or json.")
    var format: TableFormat = .table

    @Option(help: "Maximum rows.")
    var limit: Int = 10_000

    @Argument(help: "One SQL statement (SELECT, WITH, VALUES or EXPLAIN).")
    var sql: String

    func run() async throws {
        let context = try CommandContext(options: options)
        let result = try await context.backend.query.run(sql, rowLimit: limit, timeLimitSeconds: 60)
        switch format {
        case .table:
            let text = result.rows.map { $0.map(Self.cellText) }
            print(Output.table(columns: result.columns, rows: text), terminator: "")
            print("(\(text.count) row\(text.count == 1 ? "" : "s"))")
        case .csv:
            print(Output.csv(columns: result.columns, rows: result.rows.map { $0.map(Self.cellText) }), terminator: "")
        case .json:
            var out = ""
            for row in result.rows {
                out += JSON.object(Dictionary(zip(result.columns, row), uniquingKeysWith: { _, last in last })).text + "\n"
            }
            print(out, terminator: "")
        }
    }

    /// A cell as tables and CSV show it: text as it is, numbers as SQLite prints them, NULL empty.
    static func cellText(_ cell: JSON) -> String {
        switch cell {
        case .null: return ""
        case .string(let text): return text
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
            return value.description
        default: return cell.text
        }
    }
}

/// `infra-monitor records`: read `infra_metrics` by series and time range.
struct RecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records",
        abstract: "Read InfraMetrics records by metric_id and time range."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Series id, e.g. memory_usage#web-1 or disk_usage#web-1#mountpoint=/.")
    var metricId: String?

    @Option(help: "Only records of this execution.")
    var execution: String?

    @Option(help: "Earliest timestamp (RFC 3339, inclusive).")
    var from: String?

    @Option(help: "Latest timestamp (RFC 3339, exclusive).")
    var to: String?

    @Option(help: "Maximum records.")
    var limit: Int = 1000

    @Option(help: "Output: table, csv or json (JSON Lines, one record a line).")
    var format: TableFormat = .table

    func validate() throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, Timestamp.parseRFC3339(value) == nil {
                throw ValidationError("\(name) must be an RFC 3339 timestamp such as 2026-11-25T18:00:00Z")
            }
        }
    }

    func run() async throws {
        let table = try CommandContext(options: options).backend.table
        var records = try await table.records(
            metricID: metricId,
            from: from.flatMap { Timestamp.parseRFC3339($0) },
            to: to.flatMap { Timestamp.parseRFC3339($0) },
            limit: execution == nil ? limit : nil
        )
        if let execution {
            records = Array(records.filter { ObjectKeys.parseRawBatch($0.source)?.executionID == execution }.prefix(limit))
        }
        switch format {
        case .json:
            var out = ""
            for record in records { out += record.jsonLine + "\n" }
            print(out, terminator: "")
        case .table, .csv:
            let columns = ["metric_id", "timestamp", "unit", "count", "mean", "min", "max", "last", "source"]
            let rows = records.map { r in
                [
                    r.metricID, r.timestampText, r.unit, String(r.count), Self.short(r.mean), Self.short(r.min), Self.short(r.max),
                    Self.short(r.last), r.source,
                ]
            }
            if format == .csv {
                print(Output.csv(columns: columns, rows: rows), terminator: "")
            } else {
                print(Output.table(columns: columns, rows: rows), terminator: "")
                print("(\(records.count) record\(records.count == 1 ? "" : "s"))")
            }
        }
    }

    static func short(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded.description
    }
}

/// `infra-monitor notifications`: the outbox of Pipeline Success / Failure messages.
struct NotificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "List the notification outbox (newest first) with webhook and email delivery status."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Maximum messages.")
    var limit: Int = 20

    @Option(help: "Output: table, csv or json.")
    var format: TableFormat = .table

    func run() async throws {
        let messages = try await CommandContext(options: options).backend.notifications.recent(limit: limit)
        if format == .json {
            for m in messages {
                let object: JSON = [
                    "id": .number(Double(m.id)), "created_at": .string(m.createdAt), "subject": .string(m.subject),
                    "message": m.message,
                    "webhook_status": m.deliveries["webhook"].map(JSON.string) ?? .null,
                    "email_status": m.deliveries["email"].map(JSON.string) ?? .null,
                ]
                print(object.text)
            }
            return
        }
        let columns = ["id", "created_at", "subject", "execution_id", "webhook", "email"]
        let rows = messages.map { m in
            [String(m.id), m.createdAt, m.subject, m.executionID ?? "", m.deliveries["webhook"] ?? "-", m.deliveries["email"] ?? "-"]
        }
        print(format == .csv ? Output.csv(columns: columns, rows: rows) : Output.table(columns: columns, rows: rows), terminator: "")
    }
}
