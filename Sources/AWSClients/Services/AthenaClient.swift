import InfraJSON

/// The state of an Athena query execution.
public struct AthenaQueryStatus: Sendable, Hashable {
    /// `QUEUED`, `RUNNING`, `SUCCEEDED`, `FAILED` or `CANCELLED`.
    public var state: String
    /// Why it failed or was cancelled.
    public var reason: String?
    /// Whether the query has finished (successfully or not).
    public var isFinished: Bool { ["SUCCEEDED", "FAILED", "CANCELLED"].contains(state) }
}

/// One page of query results.
public struct AthenaResultPage: Sendable, Hashable {
    /// Column names.
    public var columns: [String]
    /// Rows of cell values (`nil` for SQL NULL); on the first page the first row is the header, as Athena sends it.
    public var rows: [[String?]]
    /// The token of the next page.
    public var nextToken: String?
}

/// An Athena query that ended in `FAILED` or `CANCELLED`, or did not finish in time.
public struct AthenaQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The execution id.
    public var queryExecutionID: String
    /// The last state seen.
    public var state: String
    /// Athena's reason.
    public var reason: String
    public var description: String { "Athena query \(queryExecutionID) ended \(state): \(reason); check the SQL and the output location" }
}

/// Athena (JSON 1.1, `AmazonAthena`): start, poll, page through results.
public struct AthenaClient: Sendable {
    /// The request layer.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) { self.client = client }

    /// Starts `query`; returns the execution id.
    public func startQueryExecution(
        query: String,
        database: String? = nil,
        outputLocation: String? = nil,
        workGroup: String? = nil
    )
        async throws -> String
    {
        var input: [String: JSON] = ["QueryString": .string(query)]
        if let database { input["QueryExecutionContext"] = ["Database": .string(database)] }
        if let outputLocation { input["ResultConfiguration"] = ["OutputLocation": .string(outputLocation)] }
        if let workGroup { input["WorkGroup"] = .string(workGroup) }
        let output = try await client.json(.athena, operation: "StartQueryExecution", input: .object(input))
        guard let id = output["QueryExecutionId"]?.stringValue else {
            throw AWSResponseError(operation: "athena StartQueryExecution", message: "no QueryExecutionId")
        }
        return id
    }

    /// The current state of execution `id`.
    public func getQueryExecution(id: String) async throws -> AthenaQueryStatus {
        let output = try await client.json(.athena, operation: "GetQueryExecution", input: ["QueryExecutionId": .string(id)])
        let status = output["QueryExecution"]?["Status"]
        return AthenaQueryStatus(state: status?["State"]?.stringValue ?? "UNKNOWN", reason: status?["StateChangeReason"]?.stringValue)
    }

    /// Polls execution `id` every `pollInterval` until it finishes; throws ``AthenaQueryError``
    /// unless it succeeded, or after `maxPolls` polls.
    public func waitForQuery(id: String, pollInterval: Duration = .milliseconds(500), maxPolls: Int = 600) async throws {
        var last = AthenaQueryStatus(state: "QUEUED", reason: nil)
        for poll in 0..<maxPolls {
            last = try await getQueryExecution(id: id)
            if last.state == "SUCCEEDED" { return }
            if last.isFinished { throw AthenaQueryError(queryExecutionID: id, state: last.state, reason: last.reason ?? "no reason given") }
            if poll + 1 < maxPolls { try await Task.sleep(for: pollInterval) }
        }
        throw AthenaQueryError(queryExecutionID: id, state: last.state, reason: "still not finished after \(maxPolls) polls")
    }

    /// One page of the results of execution `id`.
    public func getQueryResults(id: String, nextToken: String? = nil, maxResults: Int? = nil) async throws -> AthenaResultPage {
        var input: [String: JSON] = ["QueryExecutionId": .string(id)]
        if let nextToken { input["NextToken"] = .string(nextToken) }
        if let maxResults { input["MaxResults"] = .number(Double(maxResults)) }
        let output = try await client.json(.athena, operation: "GetQueryResults", input: .object(input))
        let set = output["ResultSet"]
        let columns = (set?["ResultSetMetadata"]?["ColumnInfo"]?.arrayValue ?? []).map { $0["Name"]?.stringValue ?? "" }
        let rows = (set?["Rows"]?.arrayValue ?? []).map { row in
            (row["Data"]?.arrayValue ?? []).map { $0["VarCharValue"]?.stringValue }
        }
        return AthenaResultPage(columns: columns, rows: rows, nextToken: output["NextToken"]?.stringValue)
    }

    /// Every result row of execution `id` across pages, the header row included as Athena sends it.
    public func getAllQueryResults(id: String, pageSize: Int? = nil) async throws -> (columns: [String], rows: [[String?]]) {
        var columns: [String] = []
        var rows: [[String?]] = []
        var token: String?
        repeat {
            let page = try await getQueryResults(id: id, nextToken: token, maxResults: pageSize)
            if columns.isEmpty { columns = page.columns }
            rows += page.rows
            token = page.nextToken
        } while token != nil
        return (columns, rows)
    }
}
