import AWSSigner
import Foundation
import InfraJSON

/// The standard credential chain: environment variables (also the Lambda environment), the
/// selected profile of the shared files, the ECS container endpoint, then EC2 IMDSv2.
/// The first source that has credentials wins; when none has, the error lists what each said.
public struct DefaultCredentialChain: AWSCredentialProvider {
    /// The environment read.
    public var environment: [String: String]
    /// The shared files.
    public var files: AWSProfileFiles
    /// The transport the metadata endpoints are called through.
    public var transport: any AWSHTTPTransport

    /// A chain over `environment`, `files` and `transport`.
    public init(environment: [String: String], files: AWSProfileFiles, transport: any AWSHTTPTransport) {
        self.environment = environment
        self.files = files
        self.transport = transport
    }

    public func credentials() async throws -> AWSCredentials {
        var reasons: [String] = []
        let profile = AWSProfileFiles.selectedProfile(environment: environment)
        var providers: [any AWSCredentialProvider] = [
            EnvironmentCredentialProvider(environment: environment),
            ProfileCredentialProvider(files: files, profile: profile),
        ]
        if environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] != nil || environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != nil {
            providers.append(ContainerCredentialProvider(environment: environment, transport: transport))
        }
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" {
            providers.append(InstanceMetadataCredentialProvider(environment: environment, transport: transport))
        }
        for provider in providers {
            do {
                return try await provider.credentials()
            } catch {
                reasons.append(String(describing: error))
            }
        }
        throw AWSCredentialError(
            source: "the default chain",
            message: "no source had credentials (\(reasons.joined(separator: "; "))); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
        )
    }
}

/// Credentials from the ECS/Fargate container endpoint: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// below `http://169.254.170.2`, or `AWS_CONTAINER_CREDENTIALS_FULL_URI` with an optional
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
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

    public func credentials() async throws -> AWSCredentials {
        let urlText: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            urlText = "http://169.254.170.2\(relative)"
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            urlText = full
        } else {
            throw AWSCredentialError(source: "ECS", message: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI are not set")
        }
        guard let url = URL(string: urlText) else {
            throw AWSCredentialError(source: "ECS", message: "\(urlText) is not a URL; fix the container credentials variable")
        }
        var headers: [(String, String)] = []
        if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] { headers.append(("authorization", token)) }
        let response = try await transport.send(AWSHTTPRequest(url: url, method: "GET", headers: headers), timeout: .seconds(2))
        guard response.status == 200 else {
            throw AWSCredentialError(source: "ECS", message: "\(urlText) answered HTTP \(response.status)")
        }
        return try MetadataCredentials.decode(response.body, source: "ECS")
    }
}

/// Credentials of the EC2 instance role through IMDSv2: `PUT /latest/api/token`, then
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
        let expiration = json["Expiration"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: json["Token"]?.stringValue, expiration: expiration)
    }
}
