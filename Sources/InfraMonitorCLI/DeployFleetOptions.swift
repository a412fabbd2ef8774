import Alarms
import ArgumentParser
import Deploy
import Fleet
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend

/// `deploy apply`'s fleet options: the VPC the data-collector sits in and the shard size (the
/// config whose `scrape_configs` it scrapes is `--config`). Each option left out keeps what the
/// stack has.
struct DeployFleetOptions: ParsableArguments {
    @Option(help: "Comma-separated subnet ids for the data-collector, to reach private addresses (\"\" leaves the VPC).")
    var subnetIds: String?

    @Option(help: "Comma-separated security group ids of the data-collector in the VPC (with --subnet-ids).")
    var securityGroupIds: String?

    @Option(help: "Targets one data-collector invocation scrapes for one metric (default 250).")
    var shardSize: Int?

    /// The fleet settings to deploy.
    /// - Throws: ``CLIError/usage(_:)`` for an unreadable config, invalid scrape configs, or
    ///   settings the Lambda cannot honour (files it cannot read).
    func deployment(config: String?) throws -> FleetDeployment {
        var fleet = FleetDeployment(
            subnetIDs: subnetIds.map(Self.list),
            securityGroupIDs: securityGroupIds.map(Self.list),
            shardSize: shardSize
        )
        guard let config else { return fleet }
        let fanOut = try TemplateOptions.fanOutAlarms(config: config)
        fleet.fanOutAlarms = fanOut.isEmpty ? "" : JSON.array(fanOut).text
        guard let text = try? String(contentsOfFile: config, encoding: .utf8) else {
            throw CLIError.usage("cannot read the config \(config); check the path")
        }
        let configs: [ScrapeConfig]
        do {
            configs = text.contains("scrape_configs") ? try ScrapeConfigLoader.load(yaml: text) : []
        } catch {
            throw CLIError.usage("config \(config): \(error)")
        }
        try Self.checkDeployable(configs, path: config)
        fleet.scrapeConfigs = try deployErrors { try ScrapeConfigDeployment.document(configText: text) } ?? ""
        fleet.ec2Discovery = configs.contains { !$0.ec2SDConfigs.isEmpty }
        return fleet
    }

    /// The data-collector reads nothing from the operator's disk: file_sd files and credential or
    /// CA files would not exist in its sandbox, so they are refused here rather than failing there.
    static func checkDeployable(_ configs: [ScrapeConfig], path: String) throws {
        for config in configs {
            var files: [String] = []
            if !config.fileSDConfigs.isEmpty { files.append("file_sd_configs") }
            if config.basicAuth?.passwordFile != nil { files.append("basic_auth.password_file") }
            if config.authorization?.credentialsFile != nil { files.append("authorization.credentials_file") }
            if config.tls.caFile != nil { files.append("tls_config.ca_file") }
            guard files.isEmpty else {
                throw CLIError.usage(
                    "config \(path), line \(config.line): job \"\(config.jobName)\" uses \(files.joined(separator: ", ")), which name files "
                        + "on this machine that the Lambda cannot read; use static_configs or ec2_sd_configs and inline credentials to deploy it"
                )
            }
        }
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension TemplateOptions {
    /// The alarms of `--config`, validated as `PutMetricAlarm` validates them, as field sets.
    /// - Throws: ``CLIError/usage(_:)`` naming the alarm and field of an invalid one.
    func configAlarms() throws -> [JSON] {
        guard let config else { return [] }
        return try Self.alarms(config: config)
    }

    /// The alarms of `config` that fan out (the log-processor evaluates them; the others are
    /// CloudWatch alarms of the stack), for the publisher's per-host dimensions.
    static func fanOutAlarms(config: String) throws -> [JSON] {
        try alarms(config: config).filter { !SeedTemplate.pinsEveryDimension($0, mode: .perHost) }
    }

    static func alarms(config: String) throws -> [JSON] {
        let settings = try ConfigurationFile.load(path: config, required: true)
        do {
            return try AlarmDefinition.list(json: settings.alarms).map(\.json)
        } catch {
            throw CLIError.usage("config \(config): alarms: \(error.description)")
        }
    }
}
