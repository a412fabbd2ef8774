import ArgumentParser
import Deploy
import LocalBackend

/// `infra-monitor lifecycle`: the data bucket's lifecycle on the embedded folder bucket.
struct LifecycleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "Apply the bucket lifecycle to the embedded folder bucket.",
        subcommands: [LifecycleApplyCommand.self]
    )
}

/// `lifecycle apply`: delete raw batches older than 90 days; report what S3 would move to STANDARD_IA.
struct LifecycleApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Delete raw-metrics/ objects older than 90 days from <data-dir>/objects/infra-monitoring-pipeline-data.",
        discussion: """
            Ages come from the files' modification times. STANDARD_IA (after 30 days on S3) has no local equivalent: \
            those objects are counted and left as they are. --dry-run only reports.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Report what would be deleted without deleting.")
    var dryRun = false

    func run() async throws {
        let dataDirectory = DataDirectory.resolve(explicit: options.dataDir)
        let lifecycle = BucketLifecycle(root: dataDirectory.objectsRoot)
        let report = try deployErrors { try lifecycle.apply(dryRun: dryRun) }
        print(BucketLifecycle.summary(report), terminator: "")
    }
}
