import Foundation
import GRDB
import InfraMonitorCore

/// The result of a read-only query: column names and rows of printable cells (`nil` is SQL NULL).
public struct QueryResult: Sendable, Hashable {
    public var columns: [String]
    public var rows: [[QueryCell]]
}

/// One value of a query result.
public enum QueryCell: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Int)

    /// The value as text for tables and CSV.
    public var text: String {
        switch self {
        case .null: return ""
        case .integer(let v): return String(v)
        case .real(let v): return v.description
        case .text(let v): return v
        case .blob(let n): return "<\(n) bytes>"
        }
    }
}

/// Read-only SQL over `metrics` and `infra_metrics`, as Athena offers over the raw data.
///
/// Three guards keep it read-only: the statement must start with a read keyword, SQLite must
/// report it read-only, and the connection itself is opened read-only.
public struct QueryEngine: Sendable {
    public let databasePath: String

    public init(databasePath: String) {
        self.databasePath = databasePath
    }

    /// Runs one read statement and returns at most `rowLimit` rows, interrupting it after
    /// `timeLimitSeconds`.
    /// - Throws: ``LocalBackendError/readOnlyQuery(_:)`` for anything but a read,
    ///   ``LocalBackendError/query(reason:)`` for SQL errors and for a query stopped at the time limit.
    public func run(_ sql: String, rowLimit: Int = 100_000, timeLimitSeconds: Double = 60) throws -> QueryResult {
        let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw LocalBackendError.readOnlyQuery("the query is empty") }
        let firstWord = trimmed.prefix { $0.isLetter }.uppercased()
        guard ["SELECT", "WITH", "VALUES", "EXPLAIN"].contains(firstWord) else {
            throw LocalBackendError.readOnlyQuery("\(firstWord.isEmpty ? "this statement" : firstWord) is not a read")
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
            return try queue.read { db in
                let statement = try db.makeStatement(sql: trimmed)
                guard statement.isReadonly else {
                    throw LocalBackendError.readOnlyQuery("the statement would change the database")
                }
                let columns = statement.columnNames
                var rows: [[QueryCell]] = []
                let cursor = try Row.fetchCursor(statement)
                while rows.count < rowLimit, let row = try cursor.next() {
                    rows.append((0..<columns.count).map { Self.cell(row[$0] as DatabaseValue) })
                }
                return QueryResult(columns: columns, rows: rows)
            }
        } catch let error as LocalBackendError {
            throw error
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_INTERRUPT {
                throw LocalBackendError.query(reason: "the query ran longer than \(timeLimitSeconds) s and was stopped; narrow it")
            }
            if error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_AUTH {
                throw LocalBackendError.readOnlyQuery(error.message ?? "the statement would write")
            }
            throw LocalBackendError.query(reason: error.message ?? "\(error.resultCode)")
        }
    }

    private static func cell(_ value: DatabaseValue) -> QueryCell {
        switch value.storage {
        case .null: return .null
        case .int64(let v): return .integer(v)
        case .double(let v): return .real(v)
        case .string(let v): return .text(v)
        case .blob(let d): return .blob(d.count)
        }
    }
}
