import ArgumentParser
import Foundation
import InfraMonitorCore
import LocalBackend
import Pipeline
import Processing

/// `infra-monitor process`: run the log-processor on batch files or stored objects.
struct ProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Process raw batches (files, or keys in the data bucket) into records.",
        discussion: """
            Each argument is a file path (plain or gzip JSON Lines) or, if no such file exists, a key in the data bucket. \
            Without --stdout the records go to infra_metrics, the samples to metrics and invalid lines to quarantine/. \
            With --stdout the records are printed as JSON Lines sorted by (metric_id, timestamp) and nothing is stored. \
            A report of lines, invalid lines and records goes to stderr. Exit 2 when any input had invalid lines.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print the records instead of storing them.")
    var stdout = false

    @Argument(help: "Batch files or object keys.")
    var inputs: [String]

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("name at least one batch file or object key") }
    }

    func run() async throws {
        if stdout {
            try printRecords()
            return
        }
        let context = try CommandContext(options: options)
        let badInput: [String]
        do {
            badInput = try await process(with: LogProcessor(backend: context.backend), objects: context.backend.objects, machine: context.machine)
        } catch {
            await context.finish()
            throw error
        }
        await context.finish()
        if !badInput.isEmpty {
            throw CLIError.usage(
                "\(badInput.count) input(s) had invalid lines or corrupt data (\(badInput.joined(separator: ", "))); valid lines were stored, the rest quarantined"
            )
        }
    }

    /// Processes each input (a file, else a key in `objects`); returns the inputs that had bad lines.
    private func process(with processor: LogProcessor, objects: any ObjectStore, machine: MachineState) async throws -> [String] {
        var badInput: [String] = []
        for input in inputs {
            let reader: any ByteSource
            let key: String
            if FileManager.default.fileExists(atPath: input) {
                reader = try openFile(input)
                key = machine.bucketKey(ofFile: input) ?? URL(fileURLWithPath: input).standardizedFileURL.path
            } else {
                reader = try await objects.reader(key: input)
                key = input
            }
            let report = try await processor.process(reader, key: key)
            Output.note(report.summaryLine)
            if report.hadBadInput { badInput.append(input) }
        }
        return badInput
    }

    private func openFile(_ path: String) throws -> any ByteSource {
        do {
            return try FileByteSource(path: path)
        } catch let error as FileError {
            throw CLIError.usage(error.description)
        }
    }

    private func printRecords() throws {
        var perFile: [[MetricRecord]] = []
        var badInput: [String] = []
        for input in inputs {
            var reader = try openFile(input)
            let summary = try BatchProcessor().process(&reader, key: input, onSample: { _ in }, onInvalid: { _ in })
            perFile.append(summary.records)
            var line = "\(input): \(summary.lines) lines, \(summary.invalidLines) invalid, \(summary.records.count) records"
            if let corruption = summary.corruption { line += ", corrupt data: \(corruption)" }
            Output.note(line)
            if summary.invalidLines > 0 || summary.corruption != nil { badInput.append(input) }
        }
        var out = ""
        for record in mergeRecordsForOutput(perFile) { out += record.jsonLine + "\n" }
        FileHandle.standardOutput.write(Data(out.utf8))
        if !badInput.isEmpty {
            throw CLIError.usage("\(badInput.count) input(s) had invalid lines or corrupt data: \(badInput.joined(separator: ", "))")
        }
    }

}

/// `infra-monitor replay`: process stored raw batches again (after a crash or a bug fix), all of
/// them or those of a date range.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Process stored raw batches again; idempotent, so it repairs what a crash left undone.",
        discussion: """
            --from and --to take a date (YYYY-MM-DD, both days included) or an RFC 3339 time (from inclusive, to \
            exclusive) and select batches by the scheduled time in their key (raw-metrics/YYYY/MM/DD/<time>_…). \
            Replaying a batch replaces its samples and records, so replaying a range twice changes nothing.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Only keys under this prefix.")
    var prefix: String = ObjectKeys.rawPrefix

    @Option(help: "First day (YYYY-MM-DD) or time (RFC 3339) of the batches to replay.")
    var from: String?

    @Option(help: "Last day (YYYY-MM-DD, included) or time (RFC 3339, excluded) of the batches to replay.")
    var to: String?

    func validate() throws {
        let range = try ReplayRange(from: from, to: to)
        if let lower = range.lower, let upper = range.upper, !(lower < upper) {
            throw ValidationError("--from must come before --to")
        }
    }

    func run() async throws {
        let range = try ReplayRange(from: from, to: to)
        let context = try CommandContext(options: options)
        let stop = GracefulStop(finishing: "the replay")
        defer { withExtendedLifetime(stop) {} }
        let keys = try await context.backend.objects.list(prefix: prefix).filter(range.contains)
        let processor = LogProcessor(backend: context.backend)
        var records = 0
        var invalid = 0
        var progress = ProgressBar(total: keys.count, label: "replay")
        for (index, key) in keys.enumerated() {
            let report = try await processor.handle(ObjectCreatedEvent(bucket: context.backend.objects.bucket, key: key, size: 0))
            records += report.records
            invalid += report.invalidLines
            progress.update(done: index + 1)
        }
        await context.finish()
        print("replayed \(keys.count) batch(es): \(records) records, \(invalid) invalid lines")
    }
}

/// The `--from`/`--to` of `replay`: a half-open range of scheduled times.
struct ReplayRange: Sendable {
    var lower: Timestamp?
    var upper: Timestamp?

    /// A date is its whole day (`--to 2026-12-01` includes that day); a time is exact.
    init(from: String?, to: String?) throws {
        lower = try from.map { try Self.parse($0, name: "--from", endOfDay: false) }
        upper = try to.map { try Self.parse($0, name: "--to", endOfDay: true) }
    }

    static func parse(_ text: String, name: String, endOfDay: Bool) throws -> Timestamp {
        if let time = Timestamp.parseRFC3339(text) { return time }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        if parts.count == 3, text.count == 10, let year = parts[0], let month = parts[1], let day = parts[2],
            (1...12).contains(month), (1...CivilDateTime.daysIn(month: month, year: year)).contains(day),
            let start = CivilDateTime(year: year, month: month, day: day).timestamp
        {
            return endOfDay ? start.adding(seconds: 86_400) : start
        }
        throw ValidationError("\(name) must be a date (YYYY-MM-DD) or an RFC 3339 time such as 2026-12-01T06:00:00Z, not \(text)")
    }

    /// Whether the batch `key` falls in the range: by the scheduled time its name carries, else by
    /// its date folder; a key with neither is in the range only when the range is unbounded.
    func contains(_ key: String) -> Bool {
        guard lower != nil || upper != nil else { return true }
        let time: Timestamp
        if let parsed = ObjectKeys.parseRawBatch(key) {
            time = parsed.scheduledAt
        } else if let partition = ObjectKeys.datePartition(ofRawKey: key), let year = Int(partition.year), let month = Int(partition.month),
            let day = Int(partition.day), let start = CivilDateTime(year: year, month: month, day: day).timestamp
        {
            time = start
        } else {
            return false
        }
        if let lower, time < lower { return false }
        if let upper, !(time < upper) { return false }
        return true
    }
}
