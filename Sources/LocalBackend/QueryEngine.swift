import Foundation
import GRDB
import InfraJSON
public import InfraMonitorCore

/// Read-only SQL over `metrics` and `infra_metrics`, as Athena offers over the raw data.
///
/// Three guards keep it read-only: the statement must start with a read keyword, SQLite must
/// report it read-only, and the connection itself is opened read-only.
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
            if error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_AUTH {
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
