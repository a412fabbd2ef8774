public import AWSSigner
public import Foundation
import InfraJSON

/// Credentials of a role assumed with an OpenID Connect token (EKS IRSA, GitHub Actions, any OIDC
/// IdP): the token is read from `tokenFile` at each refresh and exchanged through STS
/// `AssumeRoleWithWebIdentity`.
///
/// Set by `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME`, or the profile
/// settings `web_identity_token_file`, `role_arn`, `role_session_name`
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html).
public struct WebIdentityCredentialProvider: AWSCredentialProvider {
    /// The file holding the JWT.
    public var tokenFile: String
    /// The role assumed.
    public var roleARN: String
    /// The session name recorded in CloudTrail.
    public var sessionName: String
    /// The STS client.
    public var sts: STSClient

    /// A provider assuming `roleARN` with the token in `tokenFile`.
    public init(tokenFile: String, roleARN: String, sessionName: String? = nil, sts: STSClient) {
        self.tokenFile = tokenFile
        self.roleARN = roleARN
        self.sessionName = sessionName ?? CredentialSession.defaultName()
        self.sts = sts
    }

    public func credentials() async throws -> AWSCredentials {
        let token: String
        do {
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw AWSCredentialError(
                source: "web identity",
                message: "cannot read the token file \(tokenFile) (\(error)); check AWS_WEB_IDENTITY_TOKEN_FILE"
            )
        }
        guard !token.isEmpty else {
            throw AWSCredentialError(source: "web identity", message: "the token file \(tokenFile) is empty")
        }
        do {
            return try await sts.assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: sessionName, token: token)
        } catch {
            throw AWSCredentialError(source: "web identity", message: "STS AssumeRoleWithWebIdentity of \(roleARN) failed: \(error)")
        }
    }
}

/// Credentials of a role assumed with STS `AssumeRole`, the request signed with the credentials
/// of a source (a `source_profile`, or a `credential_source`): profile settings `role_arn`,
/// `role_session_name`, `external_id`, `duration_seconds`
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html).
public struct AssumeRoleCredentialProvider: AWSCredentialProvider {
    /// The role assumed.
    public var roleARN: String
    /// The session name recorded in CloudTrail.
    public var sessionName: String
    /// The external id the role's trust policy may require.
    public var externalID: String?
    /// The lifetime asked for (STS's default, one hour, when `nil`).
    public var durationSeconds: Int?
    /// Where the credentials that sign `AssumeRole` come from.
    public var source: any AWSCredentialProvider
    /// The STS client.
    public var sts: STSClient

    /// A provider assuming `roleARN` with the credentials of `source`.
    public init(
        roleARN: String,
        sessionName: String? = nil,
        externalID: String? = nil,
        durationSeconds: Int? = nil,
        source: any AWSCredentialProvider,
        sts: STSClient
    ) {
        self.roleARN = roleARN
        self.sessionName = sessionName ?? CredentialSession.defaultName()
        self.externalID = externalID
        self.durationSeconds = durationSeconds
        self.source = source
        self.sts = sts
    }

    public func credentials() async throws -> AWSCredentials {
        do {
            return try await sts.assumeRole(
                roleARN: roleARN,
                sessionName: sessionName,
                externalID: externalID,
                durationSeconds: durationSeconds,
                source: source
            )
        } catch let error as AWSCredentialError {
            throw AWSCredentialError(source: "assume role \(roleARN)", message: "the source credentials failed: \(error)")
        } catch {
            throw AWSCredentialError(source: "assume role \(roleARN)", message: "STS AssumeRole failed: \(error)")
        }
    }
}

/// Credentials printed by an external command (`credential_process`): a JSON document with
/// `Version: 1`, `AccessKeyId`, `SecretAccessKey`, optional `SessionToken` and `Expiration`
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html).
///
/// The command line runs under `/bin/sh -c`, as the AWS SDK for Go and the AWS CLI v2 run it on
/// Linux, with the caller's environment; its standard error passes through to ours.
public struct ProcessCredentialProvider: AWSCredentialProvider {
    /// The command line.
    public var command: String
    /// The longest the command may run.
    public var timeout: Duration

    /// A provider running `command`.
    public init(command: String, timeout: Duration = .seconds(60)) {
        self.command = command
        self.timeout = timeout
    }

    public func credentials() async throws -> AWSCredentials {
        let (status, output) = try await run()
        guard status == 0 else {
            throw AWSCredentialError(source: "credential_process", message: "`\(command)` exited with status \(status)")
        }
        guard let json = try? JSON(parsing: output), case .object = json else {
            throw AWSCredentialError(source: "credential_process", message: "`\(command)` did not print a JSON object")
        }
        guard json["Version"]?.doubleValue == 1 else {
            throw AWSCredentialError(
                source: "credential_process",
                message: "`\(command)` printed Version \(json["Version"]?.text ?? "none"); only Version 1 is defined"
            )
        }
        guard let key = json["AccessKeyId"]?.stringValue, let secret = json["SecretAccessKey"]?.stringValue else {
            throw AWSCredentialError(source: "credential_process", message: "`\(command)` printed no AccessKeyId/SecretAccessKey")
        }
        var expiration: Date?
        if let text = json["Expiration"]?.stringValue {
            guard let date = CredentialTimestamp.parse(text) else {
                throw AWSCredentialError(source: "credential_process", message: "Expiration \(text) is not an ISO 8601 timestamp")
            }
            expiration = date
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: json["SessionToken"]?.stringValue, expiration: expiration)
    }

    /// Runs the command off the cooperative pool and returns its exit status and standard output.
    private func run() async throws -> (Int32, [UInt8]) {
        let command = command
        let limit = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                let output = Pipe()
                process.standardOutput = output
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(
                        throwing: AWSCredentialError(source: "credential_process", message: "cannot start /bin/sh -c `\(command)`: \(error)")
                    )
                    return
                }
                let pid = process.processIdentifier
                let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
                DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: watchdog)
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                watchdog.cancel()
                continuation.resume(returning: (process.terminationStatus, Array(data)))
            }
        }
    }
}

/// Credentials of an IAM Identity Center permission set: the access token that `aws sso login`
/// cached in `~/.aws/sso/cache/<sha1>.json` is exchanged through the portal's
/// `GetRoleCredentials` (`GET /federation/credentials`, header `x-amz-sso_bearer_token`)
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html,
/// https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html).
///
/// The cache file is named by the SHA-1 of the `sso_session` name, or of `sso_start_url` for a
/// legacy profile without a session. An expired token is not refreshed here: the error asks for
/// `aws sso login`.
public struct SSOCredentialProvider: AWSCredentialProvider {
    /// The `sso_session` name, when the profile uses one.
    public var sessionName: String?
    /// The portal's start URL.
    public var startURL: String?
    /// The region of the Identity Center instance (`sso_region`).
    public var region: String
    /// The account (`sso_account_id`).
    public var accountID: String
    /// The permission set's role (`sso_role_name`).
    public var roleName: String
    /// The folder of cached tokens.
    public var cacheDirectory: String
    /// The portal endpoint: an override (`AWS_ENDPOINT_URL_SSO`), else `https://portal.sso.{region}.amazonaws.com`.
    public var endpoint: URL
    /// The transport used.
    public var transport: any AWSHTTPTransport

    /// A provider for one account and role of an Identity Center session.
    public init(
        sessionName: String?,
        startURL: String?,
        region: String,
        accountID: String,
        roleName: String,
        cacheDirectory: String,
        endpoint: URL? = nil,
        transport: any AWSHTTPTransport
    ) {
        self.sessionName = sessionName
        self.startURL = startURL
        self.region = region
        self.accountID = accountID
        self.roleName = roleName
        self.cacheDirectory = cacheDirectory
        self.endpoint = endpoint ?? URL(string: "https://portal.sso.\(region).amazonaws.com")!
        self.transport = transport
    }

    /// The path of the cached token file.
    public var cacheFile: String {
        let key = sessionName ?? startURL ?? ""
        return cacheDirectory + "/" + CredentialDigest.sha1Hex(key) + ".json"
    }

    private var loginHint: String {
        sessionName.map { "aws sso login --sso-session \($0)" } ?? "aws sso login"
    }

    public func credentials() async throws -> AWSCredentials {
        let source = "IAM Identity Center"
        guard let data = FileManager.default.contents(atPath: cacheFile), let token = try? JSON(parsing: Array(data)),
            let accessToken = token["accessToken"]?.stringValue
        else {
            throw AWSCredentialError(source: source, message: "no cached token at \(cacheFile); run `\(loginHint)`")
        }
        if let expiresAt = token["expiresAt"]?.stringValue.flatMap(CredentialTimestamp.parse), expiresAt <= Date() {
            throw AWSCredentialError(source: source, message: "the cached token expired at \(expiresAt); run `\(loginHint)`")
        }
        var base = endpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let query = "account_id=\(Canonical.encode(accountID))&role_name=\(Canonical.encode(roleName))"
        guard let url = URL(string: "\(base)/federation/credentials?\(query)") else {
            throw AWSCredentialError(source: source, message: "\(base) is not a URL; fix AWS_ENDPOINT_URL_SSO")
        }
        let response = try await transport.send(
            AWSHTTPRequest(url: url, method: "GET", headers: [("x-amz-sso_bearer_token", accessToken)]),
            timeout: .seconds(10)
        )
        guard response.status == 200 else {
            let error = AWSErrorParser.parse(
                response,
                service: AWSService(signingName: "awsssoportal", endpointPrefix: "portal.sso", serviceProtocol: .restXML)
            )
            if response.status == 401 || response.status == 403 {
                throw AWSCredentialError(source: source, message: "the portal refused the cached token (\(error.code)); run `\(loginHint)`")
            }
            throw AWSCredentialError(source: source, message: "GetRoleCredentials of \(roleName) in \(accountID) failed: \(error)")
        }
        guard let json = try? JSON(parsing: response.body), let role = json["roleCredentials"],
            let key = role["accessKeyId"]?.stringValue, let secret = role["secretAccessKey"]?.stringValue
        else {
            throw AWSCredentialError(source: source, message: "GetRoleCredentials answered without roleCredentials")
        }
        let expiration = role["expiration"]?.doubleValue.map { Date(timeIntervalSince1970: $0 / 1000) }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: role["sessionToken"]?.stringValue, expiration: expiration)
    }
}

/// The session names given to STS when the configuration names none.
enum CredentialSession {
    static func defaultName() -> String { "infra-monitor-\(Int(Date().timeIntervalSince1970))" }
}

/// Endpoint overrides for the services the credential providers call, as the SDKs read them:
/// `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the profile's `endpoint_url`
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
public enum CredentialEndpoints {
    /// The override for the service whose environment suffix is `serviceVariable` (`STS`, `SSO`).
    public static func override(_ serviceVariable: String, environment: [String: String], profile: [String: String]?) -> URL? {
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true" { return nil }
        for text in [environment["AWS_ENDPOINT_URL_\(serviceVariable)"], environment["AWS_ENDPOINT_URL"], profile?["endpoint_url"]] {
            if let text, !text.isEmpty, let url = URL(string: text) { return url }
        }
        return nil
    }
}

/// Resolves the credentials a named profile of the shared files describes, in the order the AWS
/// SDKs apply to one profile (https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html,
/// https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html):
///
/// 1. `role_arn` with `source_profile` (resolved the same way, with static keys of the source
///    profile taken as they are) or `credential_source` (`Environment`, `Ec2InstanceMetadata`,
///    `EcsContainer`): STS `AssumeRole`, signed with the source's credentials;
/// 2. `role_arn` with `web_identity_token_file`: STS `AssumeRoleWithWebIdentity`;
/// 3. `sso_session` (or the legacy `sso_start_url`) with `sso_account_id` and `sso_role_name`:
///    IAM Identity Center;
/// 4. `credential_process`;
/// 5. `aws_access_key_id` and `aws_secret_access_key` (with `aws_session_token`).
public struct SharedProfileCredentialProvider: AWSCredentialProvider {
    /// The parsed shared files.
    public var files: AWSProfileFiles
    /// The profile resolved.
    public var profile: String
    /// The environment (endpoint overrides, `HOME`, region, and the sources of `credential_source`).
    public var environment: [String: String]
    /// The transport STS, the portal and the metadata endpoints are called through.
    public var transport: any AWSHTTPTransport

    /// A provider for `profile`.
    public init(files: AWSProfileFiles, profile: String, environment: [String: String], transport: any AWSHTTPTransport) {
        self.files = files
        self.profile = profile
        self.environment = environment
        self.transport = transport
    }

    /// Whether `profile` names any credential setting, so that a failure of it is final.
    public var isConfigured: Bool {
        guard let values = files.settings(profile: profile) else { return false }
        return Self.credentialKeys.contains { values[$0] != nil }
    }

    static let credentialKeys = [
        "role_arn", "web_identity_token_file", "sso_session", "sso_start_url", "credential_process", "aws_access_key_id",
    ]

    public func credentials() async throws -> AWSCredentials {
        try await resolve(profile, visited: []).credentials()
    }

    /// The provider for `name`, following `source_profile` links.
    /// - Throws: ``AWSCredentialError`` for a missing profile, a cycle, or incomplete settings.
    public func resolve(_ name: String, visited: [String]) throws -> any AWSCredentialProvider {
        let source = "profile \(name)"
        guard let values = files.settings(profile: name) else {
            let from = visited.last.map { " (the source_profile of \($0))" } ?? ""
            throw AWSCredentialError(source: source, message: "no such profile in ~/.aws/credentials or ~/.aws/config\(from)")
        }
        if visited.contains(name) {
            throw AWSCredentialError(source: source, message: "source_profile loops: \((visited + [name]).joined(separator: " → "))")
        }
        let region = values["region"] ?? AWSRegionResolver.resolve(environment: environment, files: files)
        let sts = STSClient(
            region: region,
            endpoint: CredentialEndpoints.override("STS", environment: environment, profile: values),
            transport: transport
        )
        if let roleARN = values["role_arn"] {
            let sessionName = values["role_session_name"]
            if values["mfa_serial"] != nil {
                throw AWSCredentialError(
                    source: source,
                    message: "mfa_serial needs an interactive MFA code, which this tool cannot ask for; use IAM Identity Center or credential_process"
                )
            }
            if let sourceProfile = values["source_profile"] {
                let base: any AWSCredentialProvider
                if sourceProfile == name {
                    guard files.hasStaticKeys(profile: name) else {
                        throw AWSCredentialError(source: source, message: "source_profile names the profile itself, which has no static keys")
                    }
                    base = ProfileCredentialProvider(files: files, profile: name)
                } else if files.hasStaticKeys(profile: sourceProfile), files.settings(profile: sourceProfile)?["role_arn"] == nil {
                    base = ProfileCredentialProvider(files: files, profile: sourceProfile)
                } else {
                    base = try resolve(sourceProfile, visited: visited + [name])
                }
                return AssumeRoleCredentialProvider(
                    roleARN: roleARN,
                    sessionName: sessionName,
                    externalID: values["external_id"],
                    durationSeconds: values["duration_seconds"].flatMap { Int($0) },
                    source: base,
                    sts: sts
                )
            }
            if let credentialSource = values["credential_source"] {
                let base: any AWSCredentialProvider
                switch credentialSource {
                case "Environment": base = EnvironmentCredentialProvider(environment: environment)
                case "Ec2InstanceMetadata": base = InstanceMetadataCredentialProvider(environment: environment, transport: transport)
                case "EcsContainer": base = ContainerCredentialProvider(environment: environment, transport: transport)
                default:
                    throw AWSCredentialError(
                        source: source,
                        message: "credential_source \(credentialSource) is none of Environment, Ec2InstanceMetadata, EcsContainer"
                    )
                }
                return AssumeRoleCredentialProvider(
                    roleARN: roleARN,
                    sessionName: sessionName,
                    externalID: values["external_id"],
                    durationSeconds: values["duration_seconds"].flatMap { Int($0) },
                    source: base,
                    sts: sts
                )
            }
            if let tokenFile = values["web_identity_token_file"] {
                return WebIdentityCredentialProvider(tokenFile: tokenFile, roleARN: roleARN, sessionName: sessionName, sts: sts)
            }
            throw AWSCredentialError(source: source, message: "role_arn needs source_profile, credential_source or web_identity_token_file")
        }
        if values["sso_session"] != nil || values["sso_start_url"] != nil {
            return try ssoProvider(name, values)
        }
        if let command = values["credential_process"] {
            return ProcessCredentialProvider(command: command)
        }
        _ = try files.credentials(profile: name)
        return ProfileCredentialProvider(files: files, profile: name)
    }

    private func ssoProvider(_ name: String, _ values: [String: String]) throws -> SSOCredentialProvider {
        let source = "profile \(name)"
        var settings = values
        if let session = values["sso_session"] {
            guard let sessionValues = files.ssoSessions[session] else {
                throw AWSCredentialError(source: source, message: "sso_session \(session) has no [sso-session \(session)] section in ~/.aws/config")
            }
            for (key, value) in sessionValues where settings[key] == nil { settings[key] = value }
        }
        guard let region = settings["sso_region"], let account = settings["sso_account_id"], let role = settings["sso_role_name"] else {
            throw AWSCredentialError(source: source, message: "IAM Identity Center needs sso_region, sso_account_id and sso_role_name")
        }
        if values["sso_session"] == nil && settings["sso_start_url"] == nil {
            throw AWSCredentialError(source: source, message: "sso_start_url is missing")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return SSOCredentialProvider(
            sessionName: values["sso_session"],
            startURL: settings["sso_start_url"],
            region: region,
            accountID: account,
            roleName: role,
            cacheDirectory: home + "/.aws/sso/cache",
            endpoint: CredentialEndpoints.override("SSO", environment: environment, profile: values),
            transport: transport
        )
    }
}
