public import AWSSigner
public import Foundation
import InfraJSON

/// The default credential chain, in the order of the AWS SDKs' standardized credential
/// providers (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html):
///
/// 1. AWS access keys in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
///    `AWS_SESSION_TOKEN`; also how Lambda hands a function its role);
/// 2. web identity from the environment (`AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`):
///    STS `AssumeRoleWithWebIdentity`;
/// 3. the selected profile of the shared files (`AWS_PROFILE`, else `default`), resolved by
///    ``SharedProfileCredentialProvider``: assume role (`role_arn` + `source_profile` or
///    `credential_source`), web identity, IAM Identity Center (`sso_session`), `credential_process`,
///    static keys;
/// 4. the container endpoint (ECS task role, EKS Pod Identity);
/// 5. EC2 instance metadata (IMDSv2), unless `AWS_EC2_METADATA_DISABLED=true`.
///
/// The first source that is configured decides: a profile that names credentials but fails
/// (a refused `AssumeRole`, an expired SSO token) is an error, not a reason to fall through to
/// instance metadata. When no source has credentials, the error lists what each said.
public struct DefaultCredentialChain: AWSCredentialProvider {
    /// The environment read.
    public var environment: [String: String]
    /// The shared files.
    public var files: AWSProfileFiles
    /// The transport STS, the SSO portal and the metadata endpoints are called through.
    public var transport: any AWSHTTPTransport

    /// A chain over `environment`, `files` and `transport`.
    public init(environment: [String: String], files: AWSProfileFiles, transport: any AWSHTTPTransport) {
        self.environment = environment
        self.files = files
        self.transport = transport
    }

    /// The sources in the order they are tried, each with whether its failure ends the search.
    public func providers() -> [(name: String, provider: any AWSCredentialProvider, isFinal: Bool)] {
        var result: [(name: String, provider: any AWSCredentialProvider, isFinal: Bool)] = []
        let hasKeys = environment["AWS_ACCESS_KEY_ID"].map { !$0.isEmpty } ?? false
        result.append(("environment", EnvironmentCredentialProvider(environment: environment), hasKeys))
        if let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], !tokenFile.isEmpty,
            let roleARN = environment["AWS_ROLE_ARN"], !roleARN.isEmpty
        {
            let profile = files.settings(profile: AWSProfileFiles.selectedProfile(environment: environment))
            let sts = STSClient(
                region: AWSRegionResolver.resolve(environment: environment, files: files),
                endpoint: CredentialEndpoints.override("STS", environment: environment, profile: profile),
                transport: transport
            )
            let provider = WebIdentityCredentialProvider(
                tokenFile: tokenFile,
                roleARN: roleARN,
                sessionName: environment["AWS_ROLE_SESSION_NAME"].flatMap { $0.isEmpty ? nil : $0 },
                sts: sts
            )
            result.append(("web identity", provider, true))
        }
        let profile = SharedProfileCredentialProvider(
            files: files,
            profile: AWSProfileFiles.selectedProfile(environment: environment),
            environment: environment,
            transport: transport
        )
        result.append(("profile \(profile.profile)", profile, profile.isConfigured))
        if environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] != nil || environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != nil {
            result.append(("container", ContainerCredentialProvider(environment: environment, transport: transport), true))
        }
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" {
            result.append(("IMDSv2", InstanceMetadataCredentialProvider(environment: environment, transport: transport), false))
        }
        return result
    }

    public func credentials() async throws -> AWSCredentials {
        var reasons: [String] = []
        for (_, provider, isFinal) in providers() {
            do {
                return try await provider.credentials()
            } catch {
                if isFinal { throw error }
                reasons.append(String(describing: error))
            }
        }
        throw AWSCredentialError(
            source: "the default chain",
            message: "no source had credentials (\(reasons.joined(separator: "; "))); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
        )
    }
}

/// Credentials from the container endpoint
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html):
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` below `http://169.254.170.2` (ECS task roles), or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (EKS Pod Identity: `http://169.254.170.23/v1/credentials`),
/// with the `Authorization` header read from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` at each
/// fetch (EKS rotates the token) or else from `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
///
/// A full URI must be `https`, or `http` to a loopback address, the ECS address `169.254.170.2` or
/// the EKS addresses `169.254.170.23` and `fd00:ec2::23`; anything else is refused, as the SDKs do,
/// so a mistyped variable cannot send the token to another host.
public struct ContainerCredentialProvider: AWSCredentialProvider {
    /// The environment read.
    public var environment: [String: String]
    /// The transport used.
    public var transport: any AWSHTTPTransport

    /// A provider over `environment` and `transport`.
    public init(environment: [String: String], transport: any AWSHTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    /// The hosts a plain-`http` full URI may name besides loopback.
    public static let allowedHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]

    /// Whether `url` may receive the authorization token.
    public static func isAllowed(_ url: URL) -> Bool {
        if url.scheme?.lowercased() == "https" { return true }
        guard url.scheme?.lowercased() == "http", let host = url.host?.lowercased() else { return false }
        if host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.") { return true }
        return allowedHosts.contains(host)
    }

    public func credentials() async throws -> AWSCredentials {
        let urlText: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            urlText = "http://169.254.170.2\(relative)"
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            urlText = full
        } else {
            throw AWSCredentialError(source: "container", message: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI are not set")
        }
        guard let url = URL(string: urlText) else {
            throw AWSCredentialError(source: "container", message: "\(urlText) is not a URL; fix the container credentials variable")
        }
        guard Self.isAllowed(url) else {
            throw AWSCredentialError(
                source: "container",
                message: "\(urlText) is neither https nor a loopback, ECS or EKS Pod Identity address; the SDKs refuse it too"
            )
        }
        var headers: [(String, String)] = []
        if let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !tokenFile.isEmpty {
            guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw AWSCredentialError(source: "container", message: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            headers.append(("authorization", token.trimmingCharacters(in: .whitespacesAndNewlines)))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.append(("authorization", token))
        }
        let response: AWSHTTPResponse
        do {
            response = try await transport.send(AWSHTTPRequest(url: url, method: "GET", headers: headers), timeout: .seconds(2))
        } catch {
            throw AWSCredentialError(source: "container", message: "no answer from \(urlText): \(error)")
        }
        guard response.status == 200 else {
            throw AWSCredentialError(source: "container", message: "\(urlText) answered HTTP \(response.status)")
        }
        return try MetadataCredentials.decode(response.body, source: "container")
    }
}

/// Credentials of the EC2 instance role through IMDSv2
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html): `PUT /latest/api/token`, then
/// `GET /latest/meta-data/iam/security-credentials/` for the role name and again for its keys,
/// each with one-second timeouts so the chain fails fast off EC2.
public struct InstanceMetadataCredentialProvider: AWSCredentialProvider {
    /// The environment read (`AWS_EC2_METADATA_SERVICE_ENDPOINT` overrides the address).
    public var environment: [String: String]
    /// The transport used.
    public var transport: any AWSHTTPTransport

    /// A provider over `environment` and `transport`.
    public init(environment: [String: String], transport: any AWSHTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public func credentials() async throws -> AWSCredentials {
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while base.hasSuffix("/") { base.removeLast() }
        guard let tokenURL = URL(string: "\(base)/latest/api/token"),
            let listURL = URL(string: "\(base)/latest/meta-data/iam/security-credentials/")
        else {
            throw AWSCredentialError(source: "IMDSv2", message: "\(base) is not a URL; fix AWS_EC2_METADATA_SERVICE_ENDPOINT")
        }
        let token = try await call(AWSHTTPRequest(url: tokenURL, method: "PUT", headers: [("x-aws-ec2-metadata-token-ttl-seconds", "21600")]))
        let tokenHeader = [("x-aws-ec2-metadata-token", token.text)]
        let roles = try await call(AWSHTTPRequest(url: listURL, method: "GET", headers: tokenHeader))
        guard let role = roles.text.split(whereSeparator: \.isNewline).first,
            let roleURL = URL(string: "\(base)/latest/meta-data/iam/security-credentials/\(Canonical.encode(role))")
        else {
            throw AWSCredentialError(source: "IMDSv2", message: "the instance has no IAM role; attach an instance profile")
        }
        let keys = try await call(AWSHTTPRequest(url: roleURL, method: "GET", headers: tokenHeader))
        return try MetadataCredentials.decode(keys.body, source: "IMDSv2")
    }

    private func call(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let response: AWSHTTPResponse
        do {
            response = try await transport.send(request, timeout: .seconds(1))
        } catch {
            throw AWSCredentialError(source: "IMDSv2", message: "no instance metadata endpoint (\(error)); not running on EC2")
        }
        guard response.status == 200 else {
            throw AWSCredentialError(source: "IMDSv2", message: "\(request.url) answered HTTP \(response.status)")
        }
        return response
    }
}

/// The JSON credentials document of the ECS and EC2 endpoints.
enum MetadataCredentials {
    static func decode(_ body: [UInt8], source: String) throws -> AWSCredentials {
        guard let json = try? JSON(parsing: body), let key = json["AccessKeyId"]?.stringValue,
            let secret = json["SecretAccessKey"]?.stringValue
        else {
            throw AWSCredentialError(source: source, message: "the credentials document lacks AccessKeyId/SecretAccessKey")
        }
        let expiration = json["Expiration"]?.stringValue.flatMap(CredentialTimestamp.parse)
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: json["Token"]?.stringValue, expiration: expiration)
    }
}
