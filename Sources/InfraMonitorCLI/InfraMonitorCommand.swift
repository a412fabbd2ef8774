import ArgumentParser

/// `infra-monitor`: the root command.
struct InfraMonitorCommand: AsyncParsableCommand {
    /// The version `--version` prints.
    static let version = "0.4.0"

    static let configuration = CommandConfiguration(
        commandName: "infra-monitor",
        abstract: "Collect, store, process and query infrastructure metrics — embedded on one machine or on AWS.",
        discussion: """
            With no configuration, `infra-monitor run` performs one execution of the pipeline on this machine: \
            it collects cpu, memory, disk and network metrics in four parallel branches, stores raw batches under \
            <data-dir>/objects, processes them into SQLite and records a notification.

            Exit codes: 0 success, 1 the job failed, 2 bad usage or bad input.
            """,
        version: "infra-monitor \(version)",
        subcommands: [
            InitCommand.self, RunCommand.self, CollectCommand.self, ProcessCommand.self, QueryCommand.self,
            RecordsCommand.self, ExecutionsCommand.self, NotificationsCommand.self, StatesCommand.self,
            ReplayCommand.self, ServeCommand.self, ScheduleCommand.self, DeployCommand.self, LifecycleCommand.self, AlarmsCommand.self,
            TargetsCommand.self,
            DoctorCommand.self,
        ]
    )
}

/// Options every command shares (docs/design.md, "Command line").
struct GlobalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Folder for the bucket, the database and the logs.",
            discussion: "Default: $INFRA_MONITOR_DATA_DIR, else $XDG_DATA_HOME/infra-monitor, else ~/.local/share/infra-monitor."
        )
    )
    var dataDir: String?

    @Option(help: "Configuration file (default: <data-dir>/config.yaml; optional).")
    var config: String?

    @Option(help: "Where the pipeline's services are: local (this machine) or aws.")
    var backend: Backend = .local

    @Option(
        help: ArgumentHelp(
            "AWS region (aws backend).",
            discussion: "Default: the config's aws.region, then its region, then AWS_REGION / AWS_DEFAULT_REGION, then the profile's, then eu-west-1."
        )
    )
    var region: String?

    @Option(
        help: ArgumentHelp(
            "Endpoint URL of an AWS-compatible service (aws backend).",
            discussion: "Default: the config's aws.endpoint_url, then AWS_ENDPOINT_URL, then AWS itself."
        )
    )
    var endpointURL: String?

    @Option(
        help: ArgumentHelp(
            "The data bucket (aws backend).",
            discussion:
                "Default: the config's aws.bucket, then INFRA_MONITOR_BUCKET, then the DataBucketName output of the stack "
                + "`deploy apply` deployed (cached in <data-dir>/aws-stack.json), then infra-monitoring-pipeline-data."
        )
    )
    var bucket: String?

    enum Backend: String, ExpressibleByArgument, CaseIterable {
        case local, aws
    }

    func validate() throws {
        if let region, region.isEmpty || !region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            throw ValidationError("--region must be a region name such as eu-west-1")
        }
        if endpointURL != nil && backend == .local {
            throw ValidationError("--endpoint-url applies to --backend aws only")
        }
        if bucket != nil && backend == .local {
            throw ValidationError("--bucket applies to --backend aws only")
        }
    }
}
