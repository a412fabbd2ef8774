import ArgumentParser
import Deploy
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend

/// `infra-monitor lifecycle`: retention of the embedded data, as the seed prescribes.
struct LifecycleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "Apply the retention windows to the embedded bucket and database, or show what is where.",
        subcommands: [LifecycleApplyCommand.self, LifecycleStatusCommand.self]
    )

    /// Refuses `--backend aws`: there the bucket's lifecycle rules and the table's TTL do the work.
    static func requireLocal(_ options: GlobalOptions) throws {
        if options.backend == .aws {
            throw CLIError.usage(
                "lifecycle works on the embedded data; on AWS the bucket's lifecycle rules and InfraMetrics' TTL apply retention (see `deploy template`)"
            )
        }
    }

    /// The `--now` of both subcommands: the pass's clock, for tests and for "what if" checks.
    static func clock(_ text: String?) throws -> Date {
        guard let text else { return Date() }
        guard let time = Timestamp.parseRFC3339(text) else {
            throw ValidationError("--now must be an RFC 3339 timestamp such as 2027-03-01T00:00:00Z")
        }
        return Date(timeIntervalSince1970: Double(time.seconds) + Double(time.nanoseconds) / 1e9)
    }
}

/// `lifecycle apply`: one retention pass now (`serve` runs the same pass once a day).
struct LifecycleApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply the retention windows to <data-dir>: raw batches, their samples, records and alarm history.",
        discussion: """
            With the defaults (config.yaml `retention:`): raw-metrics/ objects older than 30 days are recorded as \
            STANDARD_IA (S3 moves them itself on AWS; a folder has no storage classes, so the files stay), objects \
            older than 90 days are deleted with their metrics samples, infra_metrics records older than 90 days \
            (the table's TTL) are deleted, and alarm history older than 14 days (what CloudWatch keeps) is deleted. \
            Ages come from the files' modification times. The database changes in one transaction before any file \
            is deleted. --dry-run only reports.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Report what would be deleted without deleting.")
    var dryRun = false

    @Option(help: .hidden)
    var now: String?

    func run() async throws {
        try LifecycleCommand.requireLocal(options)
        let clock = try LifecycleCommand.clock(now)
        let context = try CommandContext(options: options)
        let stop = GracefulStop(finishing: "the retention pass")
        let lock = try await context.lock()
        let pass = RetentionPass(machine: context.machine)
        let outcome = try await pass.run(now: clock, dryRun: dryRun)
        withExtendedLifetime((lock, stop)) {}
        print(pass.summary(outcome), terminator: "")
    }
}

/// `lifecycle status`: what the bucket and the database hold, by storage class and age.
struct LifecycleStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the raw objects by storage class and age, and the records, samples and alarm history kept.",
        discussion: "Read-only. Rows marked 'due' are what the next `lifecycle apply` (or serve's daily pass) changes."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Output: table or json.")
    var format: TableFormat = .table

    @Option(help: .hidden)
    var now: String?

    func run() async throws {
        try LifecycleCommand.requireLocal(options)
        let clock = try LifecycleCommand.clock(now)
        let machine = try MachineState(options: options)
        let pass = RetentionPass(machine: machine)
        let lifecycle = pass.lifecycle
        let objects = try deployErrors { try lifecycle.objects() }
        let database = try await machine.store.retentionStatus(windows: pass.windows(now: clock), objects: Set(objects.map(\.key)))
        let bands = Self.bands(objects: objects, classes: database.storageClasses, lifecycle: lifecycle, now: clock)
        let retention = machine.settings.retention
        if format == .json {
            var fields: [String: JSON] = [:]
            fields["objects"] = .array(bands.map(Self.json))
            let counts: [(String, Int)] = [
                ("records", database.records), ("records_due", database.recordsDue), ("samples", database.samples),
                ("orphan_samples", database.orphanSamples), ("alarm_history", database.historyRows),
                ("alarm_history_due", database.historyDue),
            ]
            for (name, value) in counts { fields[name] = .number(Double(value)) }
            let times: [(String, String?)] = [
                ("oldest_record", database.oldestRecord), ("newest_record", database.newestRecord),
                ("oldest_alarm_history", database.oldestHistory),
            ]
            for (name, value) in times { fields[name] = value.map(JSON.string) ?? .null }
            let object = JSON.object(fields)
            print(object.text)
            return
        }
        let rows = bands.map { [$0.storageClass, $0.age, String($0.count), String($0.bytes)] }
        var text = "raw objects (\(lifecycle.prefix)):\n"
        text += Output.table(columns: ["storage class", "age", "objects", "bytes"], rows: rows)
        text += "records (infra_metrics): \(database.records), oldest \(database.oldestRecord ?? "-"), newest \(database.newestRecord ?? "-"); "
        text += "due: \(database.recordsDue) (older than \(retention.recordsDays) days or past their TTL)\n"
        text += "samples (metrics): \(database.samples); due: \(database.orphanSamples) whose object is gone\n"
        text += "alarm history: \(database.historyRows) row(s), oldest \(database.oldestHistory ?? "-"); "
        text += "due: \(database.historyDue) (older than \(retention.alarmHistoryDays) days)\n"
        print(text, terminator: "")
    }

    /// Objects grouped by recorded storage class and age band; every band is listed, empty or not.
    struct Band: Sendable, Hashable {
        var storageClass: String
        var age: String
        var count = 0
        var bytes: Int64 = 0
    }

    static func json(_ band: Band) -> JSON {
        .object([
            "storage_class": .string(band.storageClass), "age": .string(band.age), "count": .number(Double(band.count)),
            "bytes": .number(Double(band.bytes)),
        ])
    }

    static func bands(objects: [BucketLifecycle.Object], classes: [String: String], lifecycle: BucketLifecycle, now: Date) -> [Band] {
        let ia = lifecycle.transitionDays
        let expiry = lifecycle.expirationDays
        var bands = [
            Band(storageClass: "STANDARD", age: "< \(ia) d"),
            Band(storageClass: "STANDARD", age: "\(ia)-\(expiry) d, due for STANDARD_IA"),
            Band(storageClass: "STANDARD_IA", age: "\(ia)-\(expiry) d"),
            Band(storageClass: "STANDARD", age: ">= \(expiry) d, due for deletion"),
            Band(storageClass: "STANDARD_IA", age: ">= \(expiry) d, due for deletion"),
        ]
        for object in objects {
            let age = object.ageDays(at: now)
            let infrequent = classes[object.key] == "STANDARD_IA"
            let index: Int
            if age >= Double(expiry) {
                index = infrequent ? 4 : 3
            } else if age >= Double(ia) {
                index = infrequent ? 2 : 1
            } else {
                index = 0
            }
            bands[index].count += 1
            bands[index].bytes += object.bytes
        }
        return bands
    }
}
