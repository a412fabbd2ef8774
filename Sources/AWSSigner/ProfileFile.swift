public import Foundation

/// The shared `~/.aws/credentials` and `~/.aws/config` files, parsed as the AWS CLI does: INI
/// sections, `[name]` in the credentials file and `[profile name]` (or `[default]`) in the config file.
public struct AWSProfileFiles: Sendable, Hashable {
    /// Settings per profile name, merged from both files (the credentials file wins).
    public var profiles: [String: [String: String]]
    /// The `[sso-session NAME]` sections of the config file (IAM Identity Center), by name.
    public var ssoSessions: [String: [String: String]]

    /// Profiles parsed from the texts of the two files.
    public init(credentialsText: String?, configText: String?) {
        var merged: [String: [String: String]] = [:]
        var sessions: [String: [String: String]] = [:]
        for (name, values) in Self.parse(configText ?? "", configStyle: true) {
            if name.hasPrefix(Self.ssoSessionPrefix) {
                let session = String(name.dropFirst(Self.ssoSessionPrefix.count)).trimmingCharacters(in: .whitespaces)
                sessions[session, default: [:]].merge(values) { _, new in new }
            } else {
                merged[name, default: [:]].merge(values) { _, new in new }
            }
        }
        for (name, values) in Self.parse(credentialsText ?? "", configStyle: false) {
            merged[name, default: [:]].merge(values) { _, new in new }
        }
        profiles = merged
        ssoSessions = sessions
    }

    /// The section prefix of an IAM Identity Center session in the config file.
    static let ssoSessionPrefix = "sso-session "

    /// The settings of `profile`, or `nil` when neither file has it.
    public func settings(profile: String) -> [String: String]? {
        profiles[profile]
    }

    /// Whether `profile` has both static keys (`aws_access_key_id`, `aws_secret_access_key`).
    public func hasStaticKeys(profile: String) -> Bool {
        guard let values = profiles[profile] else { return false }
        return values["aws_access_key_id"]?.isEmpty == false && values["aws_secret_access_key"]?.isEmpty == false
    }

    /// Reads the files the environment points at: `AWS_SHARED_CREDENTIALS_FILE` and
    /// `AWS_CONFIG_FILE`, else `~/.aws/credentials` and `~/.aws/config`. Missing files are empty.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> AWSProfileFiles {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        let configPath = environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        return AWSProfileFiles(
            credentialsText: try? String(contentsOfFile: credentialsPath, encoding: .utf8),
            configText: try? String(contentsOfFile: configPath, encoding: .utf8)
        )
    }

    /// The profile selected by `AWS_PROFILE`, else `default`.
    public static func selectedProfile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    }

    /// The static credentials of `profile`, or an error saying what is missing.
    public func credentials(profile: String) throws -> AWSCredentials {
        guard let values = profiles[profile] else {
            throw AWSCredentialError(source: "profile \(profile)", message: "no such profile in ~/.aws/credentials or ~/.aws/config")
        }
        guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else {
            throw AWSCredentialError(
                source: "profile \(profile)",
                message: "aws_access_key_id or aws_secret_access_key is missing; add both to the profile"
            )
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: values["aws_session_token"])
    }

    /// The `region` setting of `profile`, if any.
    public func region(profile: String) -> String? {
        profiles[profile]?["region"]
    }

    private static func parse(_ text: String, configStyle: Bool) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                var name = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                if configStyle && name.hasPrefix("profile ") {
                    name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces)
                }
                current = name
                result[name, default: [:]] = result[name] ?? [:]
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            // An indented line continues a nested setting (`s3 =` then `  max_concurrent_requests = 2`);
            // nested settings configure services, not credentials, and are not read.
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            // `= value` has no setting name: the files are "setting = value" lines
            // (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html), and Python's
            // configparser, which the AWS CLI reads them with, refuses such a line; we skip it
            // rather than store a setting named "".
            if key.isEmpty { continue }
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            result[section, default: [:]][key] = value
        }
        return result
    }
}

/// Credentials from a named profile of the shared files.
public struct ProfileCredentialProvider: AWSCredentialProvider {
    /// The parsed files.
    public var files: AWSProfileFiles
    /// The profile read.
    public var profile: String
    /// A provider of `profile` from `files`.
    public init(files: AWSProfileFiles, profile: String) {
        self.files = files
        self.profile = profile
    }
    public func credentials() async throws -> AWSCredentials { try files.credentials(profile: profile) }
}

/// Where the region comes from: an explicit value (`--region`), then `AWS_REGION`, then
/// `AWS_DEFAULT_REGION`, then the selected profile, then `eu-west-1`.
public enum AWSRegionResolver {
    /// The region used when nothing names one.
    public static let defaultRegion = "eu-west-1"

    /// The region for this process.
    public static func resolve(
        explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        files: AWSProfileFiles? = nil
    ) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        let profiles = files ?? AWSProfileFiles.load(environment: environment)
        if let region = profiles.region(profile: AWSProfileFiles.selectedProfile(environment: environment)) {
            return region
        }
        return defaultRegion
    }
}
