import Foundation
import TestSupport
import Testing

/// `infra-monitor query` (and `/api/query`, the same engine) reads only `metrics` and
/// `infra_metrics`, as docs/api.md says: every other table is refused by SQLite's authorizer.
@Suite("Query tables", .serialized)
struct QueryTablesTests {
    let dataDir: String

    init() async throws {
        dataDir = try Fixtures.temporaryDirectory("query-tables")
        try "collection:\n  sample_window_seconds: 0.2\n".write(toFile: dataDir + "/config.yaml", atomically: true, encoding: .utf8)
        let run = try await CommandRunner.infraMonitor(["run", "--data-dir", dataDir])
        #expect(run.status == 0, "\(run.stderr)")
    }

    func query(_ sql: String) async throws -> ProcessResult {
        try await CommandRunner.infraMonitor(["query", "--format", "csv", sql, "--data-dir", dataDir])
    }

    @Test(arguments: [
        "SELECT * FROM executions", "SELECT count(*) FROM execution_events", "SELECT * FROM outbox", "SELECT * FROM collector_state",
        "SELECT * FROM alarm_states", "SELECT * FROM alarm_history", "SELECT * FROM processed_objects", "SELECT * FROM metric_samples",
        "SELECT sql FROM sqlite_master", "SELECT name FROM sqlite_schema", "SELECT * FROM sqlite_temp_master",
        "SELECT * FROM pragma_table_info('executions')", "SELECT * FROM pragma_database_list",
        "SELECT (SELECT count(*) FROM outbox) FROM metrics", "SELECT * FROM metrics WHERE host IN (SELECT id FROM executions)",
        "WITH e AS (SELECT * FROM executions) SELECT * FROM e", "SELECT * FROM main.outbox",
    ])
    func otherTablesAreRefused(sql: String) async throws {
        let result = try await query(sql)
        #expect(result.status == 2, "\(sql): \(result.stdout)")
        #expect(result.stderr.contains("not authorized") || result.stderr.contains("prohibited"), "\(sql): \(result.stderr)")
        #expect(!result.stdout.contains("SUCCEEDED"))
    }

    @Test(arguments: [
        "SELECT count(*) FROM metrics", "SELECT count(*) FROM infra_metrics", "SELECT count(*) FROM metric_samples",
        "SELECT metric, max(value) FROM metrics GROUP BY metric",
        "WITH m AS (SELECT * FROM infra_metrics) SELECT count(*) FROM m",
        "SELECT count(*) FROM metrics JOIN infra_metrics ON metrics.metric = infra_metrics.metric",
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) SELECT sum(x) FROM n", "VALUES (1)",
    ])
    func theTwoTablesAndPlainSQLAreAllowed(sql: String) async throws {
        let result = try await query(sql)
        #expect(result.status == 0, "\(sql): \(result.stderr)")
    }
}
