public import AWSClients
import InfraJSON
public import InfraMonitorCore

/// Read-only SQL on the `metrics` table of the `infra_monitoring` database, through Athena.
public struct AthenaMetricsQuery: SampleQuery {
    public let athena: AthenaClient
    public let database: String
    /// Where Athena writes result files, e.g. `s3://infra-monitoring-pipeline-data/athena-results/`.
    public let outputLocation: String
    /// The workgroup every query runs in: the stack's, whose scan limit and result encryption
    /// apply only to queries that name it (StartQueryExecution `WorkGroup`: "The name of the
    /// workgroup in which the query is being started"; without it Athena uses `primary`).
    public let workGroup: String
    /// Time between status polls.
    public var pollInterval: Duration = .milliseconds(500)

    /// The database name of the seed.
    public static let databaseName = "infra_monitoring"
    /// The workgroup of the seed (`AthenaWorkGroup` in the template).
    public static let workGroupName = "InfraMonitoring"

    public init(
        athena: AthenaClient,
        bucket: String,
        database: String = AthenaMetricsQuery.databaseName,
        workGroup: String = AthenaMetricsQuery.workGroupName
    ) {
        self.athena = athena
        self.database = database
        self.workGroup = workGroup
        self.outputLocation = "s3://\(bucket)/athena-results/"
    }

    /// The statements `query` runs: reads only.
    static let readKeywords: Set<String> = ["SELECT", "WITH", "SHOW", "DESCRIBE", "EXPLAIN", "VALUES"]

    /// Runs `sql` and returns the column names and up to `limit` rows (the header row Athena sends
    /// first is removed).
    /// - Throws: ``AWSBackendError/queryFailed(state:reason:)`` for a statement that is not a read,
    ///   or the client's errors when the query fails.
    public func run(_ sql: String, limit: Int) async throws -> (columns: [String], rows: [[String?]]) {
        let first = sql.trimmingPrefixWhitespace().prefix { $0.isLetter }.uppercased()
        guard Self.readKeywords.contains(first) else {
            throw AWSBackendError.queryFailed(
                state: "REFUSED",
                reason: "only reads (\(Self.readKeywords.sorted().joined(separator: ", "))) may run, not \(first.isEmpty ? "this" : first)"
            )
        }
        let id = try await athena.startQueryExecution(query: sql, database: database, outputLocation: outputLocation, workGroup: workGroup)
        try await athena.waitForQuery(id: id, pollInterval: pollInterval)
        var (columns, rows) = try await athena.getAllQueryResults(id: id)
        if columns.isEmpty, let header = rows.first { columns = header.map { $0 ?? "" } }
        if let header = rows.first, header.map({ $0 ?? "" }) == columns { rows.removeFirst() }
        return (columns, Array(rows.prefix(limit)))
    }
}

extension AthenaMetricsQuery {
    /// The port's form: every value comes back as text, as Athena returns it; a refused or failed
    /// statement is a ``QueryRefusal``.
    public func run(_ sql: String, rowLimit: Int, timeLimitSeconds: Double) async throws -> QueryTable {
        do {
            let result = try await run(sql, limit: rowLimit)
            return QueryTable(columns: result.columns, rows: result.rows.map { $0.map { $0.map(JSON.string) ?? .null } })
        } catch let error as AWSBackendError {
            throw QueryRefusal(error.description)
        }
    }
}

extension String {
    fileprivate func trimmingPrefixWhitespace() -> Substring {
        self[...].drop { $0.isWhitespace || $0 == "(" }
    }
}
