import Deploy
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend
import Scheduler
import ServiceLifecycle

/// One retention pass over the embedded data (docs/design.md, "Retention"), with the windows of
/// `retention:` in config.yaml: raw batches recorded as STANDARD_IA and deleted with their samples,
/// records past their window, alarm history past its window, and the temporary files of killed
/// writes. `lifecycle apply` runs it on demand, `serve` once a day.
struct RetentionPass: Sendable {
    let machine: MachineState

    /// What a pass found in the bucket and did to it and to the database.
    struct Outcome: Sendable {
        var bucket: BucketLifecycle.Report
        var database: DatabaseRetentionReport
        var leftoverFiles: Int
    }

    var lifecycle: BucketLifecycle {
        let retention = machine.settings.retention
        return BucketLifecycle(
            root: machine.dataDirectory.objectsRoot,
            transitionDays: retention.rawInfrequentAccessDays,
            expirationDays: retention.rawExpirationDays
        )
    }

    func windows(now: Date) -> RetentionWindows {
        RetentionWindows(
            now: Self.timestamp(now),
            recordsDays: machine.settings.retention.recordsDays,
            alarmHistoryDays: machine.settings.retention.alarmHistoryDays
        )
    }

    /// Runs the pass at `now`: the database first (in one transaction), then the expired files, so
    /// that a crash between the two leaves files whose samples are gone (the next pass deletes
    /// them), never samples without their object. Call it with the run lock held.
    func run(now: Date, dryRun: Bool) async throws -> Outcome {
        let lifecycle = self.lifecycle
        let objects = try deployErrors { try lifecycle.objects() }
        let plan = try deployErrors { try lifecycle.plan(now: now, dryRun: dryRun) }
        let kept = Set(objects.map(\.key)).subtracting(plan.expired)
        let database = try await machine.store.applyRetention(
            expiredObjects: plan.expired,
            infrequentAccess: plan.infrequentAccess,
            presentObjects: kept,
            windows: windows(now: now),
            dryRun: dryRun
        )
        var leftovers = 0
        if !dryRun {
            try deployErrors { try lifecycle.delete(plan.expired) }
            leftovers = FolderObjectStore(root: machine.dataDirectory.objectsRoot).removeLeftoverTemporaryFiles().count
        }
        return Outcome(bucket: plan, database: database, leftoverFiles: leftovers)
    }

    /// The operator's report of a pass.
    func summary(_ outcome: Outcome) -> String {
        let retention = machine.settings.retention
        let verb = outcome.bucket.dryRun ? "would delete" : "deleted"
        var text = BucketLifecycle.summary(outcome.bucket)
        let database = outcome.database
        text += "\(database.transitioned) object(s) \(outcome.bucket.dryRun ? "would be recorded" : "recorded") as STANDARD_IA\n"
        text += "\(verb) \(database.samples) metrics sample(s) of the expired objects"
        if database.orphanSamples > 0 { text += " and \(database.orphanSamples) of objects already gone" }
        text += "\n\(verb) \(database.records) infra_metrics record(s) older than \(retention.recordsDays) days or past their TTL\n"
        text += "\(verb) \(database.historyRows) alarm history row(s) older than \(retention.alarmHistoryDays) days\n"
        if outcome.leftoverFiles > 0 { text += "removed \(outcome.leftoverFiles) temporary file(s) of interrupted writes\n" }
        return text
    }

    /// The pass's outcome as one log line.
    func logLine(_ outcome: Outcome) -> String {
        "retention: \(outcome.bucket.expired.count) object(s) and \(outcome.database.samples + outcome.database.orphanSamples) sample(s) deleted, "
            + "\(outcome.database.transitioned) recorded as STANDARD_IA, \(outcome.database.records) record(s) and "
            + "\(outcome.database.historyRows) alarm history row(s) deleted"
    }

    /// `Date` as the pipeline's ``Timestamp``.
    static func timestamp(_ date: Date) -> Timestamp {
        let interval = date.timeIntervalSince1970
        let seconds = interval.rounded(.down)
        return Timestamp(seconds: Int64(seconds), nanoseconds: Int32(((interval - seconds) * 1e9).rounded(.down)))
    }
}

/// The daily retention pass of `serve`: first a while after start (after the catch-up execution of
/// a missed tick), then every day. Scheduled executions come first: a pass never starts within
/// two minutes (half the interval of a faster schedule) of the next tick (so that the tick never finds the data directory busy and skips),
/// and when an execution holds the lock the pass tries again a minute later. A failed pass is
/// logged and retried the next day; it never stops the server.
struct RetentionService: Service {
    let context: CommandContext
    let schedule: ScheduleExpression
    let log: @Sendable (String) -> Void
    var initialDelay: Duration = .seconds(60)
    var interval: Duration = .seconds(86_400)
    var retry: Duration = .seconds(60)
    /// How close to the next tick a pass may start.
    var tickMargin: Double = 120

    func run() async throws {
        var wait = initialDelay
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let delay = wait
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            } catch {
                return
            }
            if Task.isShuttingDownGracefully { return }
            wait = await pass()
        }
    }

    /// One attempt; returns how long to wait before the next.
    func pass() async -> Duration {
        let now = Timestamp.now()
        let upcoming = schedule.nextN(2, after: now)
        if let next = upcoming.first {
            // A schedule faster than the margin (a test's one-second tick) gets half its interval.
            let gap = upcoming.count == 2 ? upcoming[1].secondsSince(next) : tickMargin * 2
            let margin = min(tickMargin, gap / 2)
            if next.secondsSince(now) < margin {
                return .milliseconds(Int64((next.secondsSince(now) + min(5, gap / 4)) * 1000))
            }
        }
        do {
            let lock: RunLock
            do {
                lock = try await context.lock(timeoutSeconds: 0)
            } catch LocalBackendError.busy {
                return retry
            }
            let pass = RetentionPass(machine: context.machine)
            let outcome = try await pass.run(now: Date(), dryRun: false)
            withExtendedLifetime(lock) {}
            log(pass.logLine(outcome))
        } catch {
            log("retention failed: \(CLIError.from(error).message); the next pass is in a day, or run `infra-monitor lifecycle apply`")
        }
        return interval
    }
}
