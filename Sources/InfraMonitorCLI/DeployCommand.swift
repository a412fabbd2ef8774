import AWSBackend
import AWSClients
public import ArgumentParser
public import Deploy
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend
import Pipeline

/// `infra-monitor deploy`: the CloudFormation template, the Lambda package, the stack, the bill.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy the pipeline to AWS: template, package, apply, destroy, cost.",
        discussion: """
            Typical use: `infra-monitor deploy package`, then `infra-monitor deploy apply --alert-email you@example.com`. \
            `deploy cost` estimates the monthly bill first.
            """,
        subcommands: [
            DeployTemplateCommand.self, DeployPackageCommand.self, DeployApplyCommand.self, DeployDestroyCommand.self,
            DeployCostCommand.self,
        ]
    )
}

extension Template.Format: ExpressibleByArgument {}
extension LambdaArchitecture: ExpressibleByArgument {}
extension MetricDimensions: ExpressibleByArgument {}

/// Options that say which definition and architecture the template is for.
struct TemplateOptions: ParsableArguments {
    @Option(help: "State-machine definition (default: pipeline/state-machine.asl.json).")
    var definition: String?

    @Option(help: "Lambda architecture of the package: x86_64 or arm64 (default: this machine's).")
    var architecture: LambdaArchitecture = .host

    @Option(
        help:
            "Config whose scrape_configs (apply), alarms and aws.cloudwatch_dimensions the stack deploys and `cost` prices (default for the dimensions: <data-dir>/config.yaml when there is one)."
    )
    var config: String?

    /// The definition file's text.
    func definitionText() throws -> String {
        let path = try PipelineDefinition.locate(configured: definition)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError.usage("cannot read the state-machine definition \(path); check the path")
        }
        return text
    }

    /// The seed template.
    func template() throws -> Template {
        var seed = SeedTemplate(architecture: architecture, definitionText: try definitionText())
        seed.alarms = try configAlarms()
        return try deployErrors { try seed.build() }
    }
}

/// `deploy template`: print the CloudFormation template.
struct DeployTemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Print the CloudFormation template of the whole stack (JSON or YAML)."
    )

    @OptionGroup var templateOptions: TemplateOptions

    @Option(help: "Output format: json or yaml.")
    var format: Template.Format = .json

    func run() async throws {
        print(try deployErrors { try templateOptions.template().rendered(format) }, terminator: "")
    }
}

/// `deploy package`: build `infra-monitor-lambda` for Linux and zip it as `bootstrap`.
struct DeployPackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build infra-monitor-lambda (release, static Swift stdlib) and zip it as bootstrap for Lambda.",
        discussion: "Runs `swift build -c release --product infra-monitor-lambda --static-swift-stdlib` in the project folder."
    )

    @Option(help: "Zip an already built executable instead of building.")
    var binary: String?

    @Option(help: "The zip to write (default: .build/lambda/infra-monitor-lambda-<arch>.zip).")
    var output: String?

    @Option(help: "The project folder to build in (default: the current folder).")
    var project: String?

    func run() async throws {
        let output = output ?? LambdaPackage.defaultOutput()
        try deployErrors {
            let executable: String
            if let binary {
                executable = binary
            } else {
                Output.note("building: swift \(LambdaPackage.buildArguments.joined(separator: " "))")
                executable = try LambdaPackage.build(projectRoot: project ?? FileManager.default.currentDirectoryPath)
            }
            let size = try LambdaPackage.zip(binary: executable, to: output)
            print("wrote \(output) (\(size) bytes, bootstrap = \(executable), architecture \(LambdaArchitecture.host.rawValue))")
        }
    }
}

/// Where the stack lives.
struct StackOptions: ParsableArguments {
    @Option(help: "Stack name.")
    var stackName: String = SeedNames.stackName

    @Option(help: "AWS region (default: AWS_REGION, the profile, else eu-west-1).")
    var region: String?

    @Option(help: "Endpoint URL of an AWS-compatible service (e.g. moto_server).")
    var endpointURL: String?

    /// A deployer with the standard credential chain, printing progress on stderr.
    func deployer() throws -> StackDeployer {
        var endpoint: URL?
        if let endpointURL {
            guard let url = URL(string: endpointURL), url.scheme == "http" || url.scheme == "https" else {
                throw CLIError.usage("--endpoint-url \(endpointURL) is not an http(s) URL")
            }
            endpoint = url
        }
        return StackDeployer(region: region, endpointURL: endpoint, stackName: stackName) { Output.note($0) }
    }
}

/// `deploy apply`: upload the package, then create or update the stack and wait.
struct DeployApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Upload the Lambda package, then create or update the stack and wait for it, with progress.",
        discussion: "A second apply with nothing changed is a no-op. Requires CAPABILITY_IAM (the stack creates its roles)."
    )

    @OptionGroup var stack: StackOptions
    @OptionGroup var templateOptions: TemplateOptions

    @Option(help: "Email address for the Pipeline Success / Failure notifications.")
    var alertEmail: String

    @Option(help: "EventBridge schedule.")
    var schedule: String = "rate(3 hours)"

    @Option(help: "Days the log groups keep their events.")
    var logRetentionDays: Int = 30

    @Option(help: "Suffix for the data bucket's name when infra-monitoring-pipeline-data is taken.")
    var bucketNameSuffix: String = ""

    @Option(help: "The Lambda package zip (default: the output of `deploy package`).")
    var package: String?

    @Option(help: "Bucket for the package (default: infra-monitor-artifacts-<account>-<region>, created when missing).")
    var codeBucket: String?

    @OptionGroup var fleet: DeployFleetOptions

    @Option(help: "Data directory where the stack's resource names are cached for `--backend aws` (default: as every command's).")
    var dataDir: String?

    func validate() throws {
        if !alertEmail.contains("@") { throw ValidationError("--alert-email must be an email address") }
        do {
            _ = try ScheduleFrequency(schedule)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let template = try deployErrors { try templateOptions.template().rendered(.json) }
        let fleetDeployment = try fleet.deployment(config: templateOptions.config)
        let deployer = try stack.deployer()
        let dimensions = try configuredDimensions(config: templateOptions.config)
        let parameters = [
            "AlertEmail": alertEmail, "ScheduleExpression": schedule, "LogRetentionDays": String(logRetentionDays),
            "BucketNameSuffix": bucketNameSuffix, "CloudWatchDimensions": dimensions.rawValue,
        ]
        let outcome = try await asyncDeployErrors {
            try await deployer.apply(
                template: template,
                parameters: parameters,
                packagePath: package ?? LambdaPackage.defaultOutput(architecture: templateOptions.architecture),
                codeBucket: codeBucket,
                fleet: fleetDeployment
            )
        }
        switch outcome {
        case .created: print("created stack \(stack.stackName)")
        case .updated: print("updated stack \(stack.stackName)")
        case .unchanged: print("stack \(stack.stackName) unchanged (no updates to perform)")
        }
        await cacheDeployedNames(deployer)
    }

    /// Reads the stack's outputs once and caches them in the data directory (`aws-stack.json`), so
    /// that `--backend aws` commands find the suffixed bucket, the table, the topic and the
    /// workgroup without flags. A failure here only warns: the stack itself is deployed.
    private func cacheDeployedNames(_ deployer: StackDeployer) async {
        do {
            guard let described = try await CloudFormationClient(client: deployer.client).describeStack(name: stack.stackName) else { return }
            let names = DeployedNames(stackName: described.name, region: deployer.client.configuration.region, outputs: described.outputs)
            let directory = DataDirectory.resolve(explicit: dataDir)
            try directory.prepare()
            let path = directory.path + "/" + DeployedNames.fileName
            try names.save(path: path)
            Output.note("stack outputs cached in \(path) (bucket \(names.bucket ?? "-"))")
        } catch {
            Output.note("warning: cannot cache the stack's outputs (\(error)); pass --bucket or set aws.bucket for a suffixed bucket")
        }
    }
}

/// `deploy destroy`: delete the stack; the data bucket stays unless `--delete-data`.
struct DeployDestroyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Delete the stack and wait; the data bucket is kept unless --delete-data."
    )

    @OptionGroup var stack: StackOptions

    @Flag(help: "Also empty and delete the data bucket (raw batches, quarantine, Athena results).")
    var deleteData = false

    @Option(help: "The BucketNameSuffix the stack was created with (finds the data bucket when the stack is gone).")
    var bucketNameSuffix: String = ""

    func run() async throws {
        let deployer = try stack.deployer()
        let bucket = bucketNameSuffix.isEmpty ? SeedNames.bucket : SeedNames.bucket + "-" + bucketNameSuffix
        let deleted = try await asyncDeployErrors { try await deployer.destroy(deleteData: deleteData, fallbackBucket: bucket) }
        print(deleted ? "deleted stack \(stack.stackName)" : "no stack \(stack.stackName)")
    }
}

/// `deploy cost`: the monthly estimate, line by line.
struct DeployCostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Estimate the monthly bill in eu-west-1, line by line, and how it grows with hosts and schedule.",
        discussion: """
            rate(N minute(s)|hour(s)|day(s)) and cron(...) with numbers, lists, ranges and steps in the minute and hour \
            fields, days of month and days of week (counted over a 30-day month) are supported.
            """
    )

    @OptionGroup var templateOptions: TemplateOptions

    @Option(help: "Hosts collected each execution.")
    var hosts: Int = 1

    @Option(help: "EventBridge schedule.")
    var schedule: String = "rate(3 hours)"

    @Option(
        help: ArgumentHelp(
            "CloudWatch custom metric dimensions to price instead of the configured ones: per-host or fleet.",
            discussion: "Default: the config's aws.cloudwatch_dimensions (what the publisher sends), else per-host."
        )
    )
    var dimensions: MetricDimensions?

    @Option(
        help:
            "Series (records, custom metrics) per host per execution; 9 is what a typical host publishes (cpu, memory, two file systems, two interfaces × rx/tx)."
    )
    var seriesPerHost: Int = 9

    @Option(help: "Athena queries a month (each over one day's partition).")
    var queries: Double = 200

    @Option(help: "Targets per data-collector invocation (the stack's ShardSize): --hosts above it are collected in shards.")
    var shardSize: Int = SeedTemplate.defaultShardSize

    func validate() throws {
        if hosts < 1 { throw ValidationError("--hosts must be at least 1") }
        if seriesPerHost < 1 { throw ValidationError("--series-per-host must be at least 1") }
        if queries < 0 { throw ValidationError("--queries cannot be negative") }
        if shardSize < 1 { throw ValidationError("--shard-size must be at least 1") }
    }

    func run() async throws {
        try deployErrors {
            let definition = try JSON(parsing: try templateOptions.definitionText())
            var assumptions = CostAssumptions()
            assumptions.hosts = hosts
            assumptions.schedule = try ScheduleFrequency(schedule)
            let configured = try configuredDimensions(config: templateOptions.config)
            assumptions.dimensions = dimensions ?? configured
            if let dimensions, dimensions != configured {
                Output.note("note: the configuration publishes \(configured.rawValue) dimensions; this prices \(dimensions.rawValue)")
            }
            assumptions.seriesPerHost = seriesPerHost
            assumptions.athenaQueriesPerMonth = queries
            assumptions.architecture = templateOptions.architecture
            let alarms = try templateOptions.configAlarms()
            let pinned = alarms.filter { SeedTemplate.pinsEveryDimension($0, mode: assumptions.dimensions ?? .perHost) }
            assumptions.alarms += Double(pinned.count)
            // A fleet of --hosts targets runs every metric's Map once per shard.
            let shards = ShardedCost.shards(hosts: hosts, shardSize: shardSize)
            let estimate = CostEstimate(
                assumptions: assumptions,
                transitionsPerExecution: try StateTransitions.successPath(of: definition, mapIterations: shards),
                collectorTasksPerExecution: StateTransitions.collectionTasks(of: definition, mapIterations: shards)
            )
            print(CostReport.text(estimate), terminator: "")
            print(ShardedCost.note(hosts: hosts, shardSize: shardSize, shards: shards))
            let fanOut = alarms.filter { !SeedTemplate.pinsEveryDimension($0, mode: assumptions.dimensions ?? .perHost) }
            print(
                AlarmCost(
                    pinnedAlarms: pinned.count,
                    fanOutAlarms: fanOut.count,
                    fanOutMetrics: Set(fanOut.compactMap { $0["MetricName"]?.stringValue }).count,
                    hosts: hosts,
                    seriesPerHost: seriesPerHost,
                    executionsPerMonth: estimate.executions,
                    recordBytes: assumptions.recordBytes
                ).text,
                terminator: ""
            )
        }
    }
}

/// The dimension mode the configuration publishes (`aws.cloudwatch_dimensions`): `config`, else
/// the data directory's config.yaml when there is one, else per-host.
func configuredDimensions(config: String?) throws -> MetricDimensions {
    let path = config ?? DataDirectory.resolve(explicit: nil).configPath
    return try ConfigurationFile.load(path: path, required: config != nil).aws.dimensions
}

/// Runs `body`, turning deploy errors into the CLI's exit codes: bad input 2, failures 1.
func deployErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DeployError {
        throw cliError(error)
    } catch let error as JSONParseError {
        throw CLIError.usage("the state-machine definition is not valid JSON: \(error); fix the file")
    }
}

/// The async form of ``deployErrors(_:)``.
func asyncDeployErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as DeployError {
        throw cliError(error)
    }
}

private func cliError(_ error: DeployError) -> CLIError {
    switch error {
    case .usage, .schedule, .definition: return .usage(error.description)
    case .package, .file: return .failed(error.description)
    }
}
