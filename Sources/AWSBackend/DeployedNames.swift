import Foundation
import InfraJSON

/// The names a deployed stack gave its resources, read from its outputs (CloudFormation
/// DescribeStacks `Outputs`) once, when `deploy apply` finishes, and cached in the data directory
/// as `aws-stack.json`, so that every `--backend aws` command finds a suffixed bucket without a
/// flag. A flag, the config or the environment still come first (``AWSLocation``).
public struct DeployedNames: Sendable, Hashable {
    /// The stack the names are from.
    public var stackName: String
    /// The region it runs in.
    public var region: String
    /// `DataBucketName`.
    public var bucket: String?
    /// `MetricsTableName`.
    public var table: String?
    /// `AlarmTopicArn`.
    public var topicARN: String?
    /// `StateMachineArn`.
    public var stateMachineARN: String?
    /// `AthenaWorkGroupName`.
    public var workGroup: String?

    /// The cache file's name in the data directory.
    public static let fileName = "aws-stack.json"

    /// The names of a stack's outputs.
    public init(stackName: String, region: String, outputs: [String: String]) {
        func value(_ key: String) -> String? { outputs[key].flatMap { $0.isEmpty ? nil : $0 } }
        self.stackName = stackName
        self.region = region
        bucket = value("DataBucketName")
        table = value("MetricsTableName")
        topicARN = value("AlarmTopicArn")
        stateMachineARN = value("StateMachineArn")
        workGroup = value("AthenaWorkGroupName")
    }

    var json: JSON {
        var object: [String: JSON] = ["stack_name": .string(stackName), "region": .string(region)]
        let optional: [(String, String?)] = [
            ("bucket", bucket), ("table", table), ("topic_arn", topicARN), ("state_machine_arn", stateMachineARN), ("work_group", workGroup),
        ]
        for (key, value) in optional { if let value { object[key] = .string(value) } }
        return .object(object)
    }

    /// Writes the cache to `path` (atomically).
    public func save(path: String) throws {
        try Data((json.text + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The cache at `path`, or `nil` when there is none or it cannot be read (a damaged cache is
    /// ignored: the next `deploy apply` rewrites it).
    public static func load(path: String) -> DeployedNames? {
        guard let data = FileManager.default.contents(atPath: path),
            let json = try? JSON(parsing: String(decoding: data, as: UTF8.self)),
            let stackName = json["stack_name"]?.stringValue, let region = json["region"]?.stringValue
        else { return nil }
        var names = DeployedNames(stackName: stackName, region: region, outputs: [:])
        names.bucket = json["bucket"]?.stringValue
        names.table = json["table"]?.stringValue
        names.topicARN = json["topic_arn"]?.stringValue
        names.stateMachineARN = json["state_machine_arn"]?.stringValue
        names.workGroup = json["work_group"]?.stringValue
        return names
    }
}
