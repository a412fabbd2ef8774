import Foundation
import GRDB
import GRDBSQLite
import InfraJSON
public import InfraMonitorCore

/// Read-only SQL over `metrics` and `infra_metrics`, as Athena offers over the raw data.
///
/// Three guards keep it read-only: the statement must start with a read keyword, SQLite must
/// report it read-only, and the connection itself is opened read-only. A fourth keeps it to the
/// two tables docs/api.md names: SQLite's authorizer (``QueryAuthorizer``) refuses, while the
/// statement is compiled, a read of any other table (executions, outbox, `sqlite_schema`…), any
/// `PRAGMA` (and so the `pragma_…` table functions), `ATTACH` and `load_extension`.
public struct QueryEngine: SampleQuery {
    public let databasePath: String

    public init(databasePath: String) {
        self.databasePath = databasePath
    }

    /// Runs one read statement and returns at most `rowLimit` rows, interrupting it after
    /// `timeLimitSeconds`. Integers and reals come back as numbers, text as strings, NULL as null,
    /// a blob as the string `<N bytes>`.
    /// - Throws: ``QueryRefusal`` for anything but a read, for SQL errors and for a query stopped
    ///   at the time limit; ``LocalBackendError/query(reason:)`` when there is no database yet.
    public func run(_ sql: String, rowLimit: Int, timeLimitSeconds: Double) async throws -> QueryTable {
        let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Self.refusal(LocalBackendError.readOnlyQuery("the query is empty")) }
        let firstWord = trimmed.prefix { $0.isLetter }.uppercased()
        guard ["SELECT", "WITH", "VALUES", "EXPLAIN"].contains(firstWord) else {
            throw Self.refusal(LocalBackendError.readOnlyQuery("\(firstWord.isEmpty ? "this statement" : firstWord) is not a read"))
        }
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw LocalBackendError.query(reason: "no database at \(databasePath) yet; run `infra-monitor run` first")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        do {
            let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
            let timer = DispatchWorkItem { queue.interrupt() }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeLimitSeconds, execute: timer)
            defer { timer.cancel() }
            return try await queue.read { db in
                QueryAuthorizer.install(on: db.sqliteConnection)
                defer { QueryAuthorizer.remove(from: db.sqliteConnection) }
                let statement = try db.makeStatement(sql: trimmed)
                guard statement.isReadonly else {
                    throw LocalBackendError.readOnlyQuery("the statement would change the database")
                }
                let columns = statement.columnNames
                var rows: [[JSON]] = []
                let cursor = try Row.fetchCursor(statement)
                while rows.count < rowLimit, let row = try cursor.next() {
                    rows.append((0..<columns.count).map { Self.cell(row[$0] as DatabaseValue) })
                }
                return QueryTable(columns: columns, rows: rows)
            }
        } catch let error as LocalBackendError {
            if case .query(let reason) = error, reason.hasPrefix("no database") { throw error }
            throw Self.refusal(error)
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_INTERRUPT {
                throw Self.refusal(
                    LocalBackendError.query(reason: "the query ran longer than \(timeLimitSeconds) s and was stopped; narrow it")
                )
            }
            if error.resultCode == .SQLITE_AUTH {
                throw Self.refusal(
                    LocalBackendError.readOnlyQuery(
                        "\(error.message ?? "not authorized"): queries read only the tables metrics and infra_metrics"
                    )
                )
            }
            if error.resultCode == .SQLITE_READONLY {
                throw Self.refusal(LocalBackendError.readOnlyQuery(error.message ?? "the statement would write"))
            }
            throw Self.refusal(LocalBackendError.query(reason: error.message ?? "\(error.resultCode)"))
        }
    }

    private static func refusal(_ error: LocalBackendError) -> QueryRefusal { QueryRefusal(error.description) }

    private static func cell(_ value: DatabaseValue) -> JSON {
        switch value.storage {
        case .null: return .null
        case .int64(let v): return .number(Double(v))
        case .double(let v): return .number(v)
        case .string(let v): return .string(v)
        case .blob(let d): return .string("<\(d.count) bytes>")
        }
    }
}

/// The SQLite authorizer of the query engine: what a query's statement may touch, decided by
/// SQLite while it compiles the statement (https://www.sqlite.org/c3ref/set_authorizer.html).
///
/// SQLite reports a read through a view as a read of the view's underlying table with the view's
/// name as the fourth argument, so `metric_samples` is readable only through the view `metrics`.
enum QueryAuthorizer {
    /// The tables a query may read (docs/api.md), and the view through which `metric_samples` is.
    static let readableTables: Set<String> = ["infra_metrics", "metrics"]

    /// Installs the authorizer on `connection`; it replaces GRDB's for as long as the query's
    /// statement lives, and ``remove(from:)`` takes it away before GRDB uses the connection again.
    static func install(on connection: OpaquePointer?) {
        sqlite3_set_authorizer(
            connection,
            { _, action, first, second, database, view in
                QueryAuthorizer.decide(
                    action: action,
                    first: first.map { String(cString: $0) },
                    second: second.map { String(cString: $0) },
                    database: database.map { String(cString: $0) },
                    view: view.map { String(cString: $0) }
                )
            },
            nil
        )
    }

    /// Removes the authorizer.
    static func remove(from connection: OpaquePointer?) {
        sqlite3_set_authorizer(connection, nil, nil)
    }

    /// SQLITE_OK, or SQLITE_DENY (the statement fails to compile with "not authorized").
    static func decide(action: Int32, first: String?, second: String?, database: String?, view: String?) -> Int32 {
        switch action {
        case SQLITE_READ:
            let table = (first ?? "").lowercased()
            if database != nil && database != "main" { return SQLITE_DENY }
            if readableTables.contains(table) { return SQLITE_OK }
            // Through the view; or `count(*)` over the view, which SQLite flattens into a read of
            // the table with no column and no view named (it reveals the view's row count only).
            if table == "metric_samples", view?.lowercased() == "metrics" || second?.isEmpty == true { return SQLITE_OK }
            return SQLITE_DENY
        case SQLITE_SELECT, SQLITE_RECURSIVE, SQLITE_TRANSACTION:
            return SQLITE_OK
        case SQLITE_FUNCTION:
            let name = (first ?? "").lowercased()
            return name == "load_extension" || name.hasPrefix("pragma") ? SQLITE_DENY : SQLITE_OK
        default:
            return SQLITE_DENY
        }
    }
}
