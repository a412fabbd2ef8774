import Foundation
import Yams

/// The scrape configs as the stack deploys them: only the `scrape_configs` of the operator's
/// config (its other settings, such as notification channels, stay on the operator's machine),
/// uploaded by `deploy apply` to the code bucket under a content-addressed key that the stack
/// parameter `ScrapeConfigKey` names.
public enum ScrapeConfigDeployment {
    /// The YAML document `{scrape_configs: …}` of a config file's text; nil when it has none.
    /// - Throws: ``DeployError/usage(_:)`` when the text is not YAML.
    public static func document(configText: String) throws -> String? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: configText)
        } catch {
            throw DeployError.usage("the config is not valid YAML (\(error)); fix it and retry")
        }
        guard let configs = root?.mapping?["scrape_configs"], let list = configs.sequence, !list.isEmpty else { return nil }
        do {
            return try Yams.serialize(node: Node.mapping(Node.Mapping([(Node("scrape_configs"), configs)])))
        } catch {
            throw DeployError.usage("cannot write the scrape configs as YAML (\(error))")
        }
    }

    /// `config/scrape-configs-<FNV-1a 64 of the document>.yaml`: a changed document gets a new key,
    /// so the stack update that sets it is what deploys it.
    public static func key(for document: String) -> String {
        "config/scrape-configs-" + StackDeployer.contentHash(Data(document.utf8)) + ".yaml"
    }

    /// `config/alarms-<FNV-1a 64 of the document>.json`, for the fan-out alarms.
    public static func alarmsKey(for document: String) -> String {
        "config/alarms-" + StackDeployer.contentHash(Data(document.utf8)) + ".json"
    }
}

/// The fleet settings of one `deploy apply`; a nil field keeps the value the stack has (the
/// template default on a first create), so an apply without `--config` does not undeploy the fleet.
public struct FleetDeployment: Sendable, Equatable {
    /// The `{scrape_configs: …}` document to upload, or `""` to remove the deployed one.
    public var scrapeConfigs: String?
    /// Whether the scrape configs use `ec2_sd_configs` (grants `ec2:DescribeInstances`).
    public var ec2Discovery: Bool?
    public var subnetIDs: [String]?
    public var securityGroupIDs: [String]?
    public var shardSize: Int?
    /// The fan-out alarms (a JSON list of `PutMetricAlarm` field sets) the log-processor
    /// evaluates, or `""` to remove the deployed ones.
    public var fanOutAlarms: String?

    public init(
        scrapeConfigs: String? = nil,
        ec2Discovery: Bool? = nil,
        subnetIDs: [String]? = nil,
        securityGroupIDs: [String]? = nil,
        shardSize: Int? = nil,
        fanOutAlarms: String? = nil
    ) {
        self.scrapeConfigs = scrapeConfigs
        self.ec2Discovery = ec2Discovery
        self.subnetIDs = subnetIDs
        self.securityGroupIDs = securityGroupIDs
        self.shardSize = shardSize
        self.fanOutAlarms = fanOutAlarms
    }

    /// The template parameters this deployment sets (the scrape configs' key is set on upload).
    var parameters: [String: String] {
        var values: [String: String] = [:]
        if let ec2Discovery { values["EC2Discovery"] = ec2Discovery ? "true" : "false" }
        if let subnetIDs { values["SubnetIds"] = subnetIDs.joined(separator: ",") }
        if let securityGroupIDs { values["SecurityGroupIds"] = securityGroupIDs.joined(separator: ",") }
        if let shardSize { values["ShardSize"] = String(shardSize) }
        if scrapeConfigs == "" { values["ScrapeConfigKey"] = "" }
        if fanOutAlarms == "" { values["AlarmsKey"] = "" }
        return values
    }

    /// The fleet parameters kept from the deployed stack when this deployment does not set them.
    static let parameterNames = ["ScrapeConfigKey", "EC2Discovery", "SubnetIds", "SecurityGroupIds", "ShardSize", "AlarmsKey"]

    /// - Throws: ``DeployError/usage(_:)`` for subnets without security groups or the reverse.
    public func validate() throws {
        if (subnetIDs?.isEmpty ?? true) != (securityGroupIDs?.isEmpty ?? true), subnetIDs != nil || securityGroupIDs != nil {
            throw DeployError.usage(
                "a function in a VPC needs both --subnet-ids and --security-group-ids (one or more of each); give both or neither"
            )
        }
        if let shardSize, !(1...5_000).contains(shardSize) {
            throw DeployError.usage("--shard-size must be between 1 and 5000 targets, not \(shardSize)")
        }
    }
}
