import Foundation
import GRDB
public import InfraMonitorCore

/// Each fleet target's scrapes per execution in the embedded database: `target_health`, one row per
/// (execution, job, target, metric), created by the migration "Create target health table".
///
/// Rows older than ``targetHealthRetentionSeconds`` go when a newer branch is recorded, so that the
/// table holds two weeks of scrapes however large the fleet (1,000 targets × 4 branches × 8 runs a day).
extension SQLiteStore: TargetHealthStore {
    /// How long scrapes are kept: two weeks, as CloudWatch keeps alarm history.
    public static let targetHealthRetentionSeconds: Int64 = 14 * 86_400

    static func registerTargetHealthMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("Create target health table") { db in
            try db.execute(
                sql: """
                    CREATE TABLE target_health (
                        execution_id TEXT NOT NULL, job TEXT NOT NULL, target TEXT NOT NULL, metric TEXT NOT NULL,
                        host TEXT NOT NULL, labels TEXT NOT NULL, up INTEGER NOT NULL, scrape_seconds REAL NOT NULL,
                        error TEXT, scraped_at TEXT NOT NULL,
                        PRIMARY KEY (execution_id, job, target, metric)
                    ) WITHOUT ROWID;
                    CREATE INDEX target_health_latest ON target_health(job, target, metric, scraped_at);
                    CREATE INDEX target_health_scraped_at ON target_health(scraped_at);
                    """
            )
        }
    }

    public func record(executionID: String, _ scrapes: [TargetHealth]) async throws {
        guard let newest = scrapes.map(\.scrapedAt).max() else { return }
        let cutoff = newest.adding(seconds: -Self.targetHealthRetentionSeconds).iso8601Milliseconds
        try await write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO target_health
                        (execution_id, job, target, metric, host, labels, up, scrape_seconds, error, scraped_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            for scrape in scrapes {
                var labels = ""
                JSONText.appendLabels(scrape.labels, to: &labels)
                try insert.execute(arguments: [
                    executionID, scrape.job, scrape.target, scrape.metric, scrape.host, labels, scrape.up ? 1 : 0,
                    scrape.scrapeSeconds, scrape.error, scrape.scrapedAt.iso8601Milliseconds,
                ])
            }
            try db.execute(sql: "DELETE FROM target_health WHERE scraped_at < ?", arguments: [cutoff])
        }
    }

    public func latestTargetHealth() async throws -> [TargetHealth] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.* FROM target_health t
                    JOIN (SELECT job, target, metric, MAX(scraped_at) AS newest FROM target_health GROUP BY job, target, metric) n
                    ON t.job = n.job AND t.target = n.target AND t.metric = n.metric AND t.scraped_at = n.newest
                    ORDER BY t.job, t.target, t.metric, t.execution_id
                    """
            ).map(self.targetHealth(from:))
        }
    }

    public func targetHealth(executionID: String) async throws -> [TargetHealth] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM target_health WHERE execution_id = ? ORDER BY job, target, metric",
                arguments: [executionID]
            ).map(self.targetHealth(from:))
        }
    }

    private func targetHealth(from row: Row) throws -> TargetHealth {
        let labelsText: String = row["labels"]
        let scrapedText: String = row["scraped_at"]
        guard let labels = try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8)) else {
            throw LocalBackendError.database(path: path, reason: "unreadable target labels \(labelsText)")
        }
        guard let scrapedAt = Timestamp.parseRFC3339(scrapedText) else {
            throw LocalBackendError.database(path: path, reason: "unreadable scrape time \(scrapedText)")
        }
        return TargetHealth(
            executionID: row["execution_id"],
            job: row["job"],
            target: row["target"],
            metric: row["metric"],
            host: row["host"],
            labels: labels,
            up: (row["up"] as Int64) != 0,
            scrapeSeconds: row["scrape_seconds"],
            error: row["error"],
            scrapedAt: scrapedAt
        )
    }
}
