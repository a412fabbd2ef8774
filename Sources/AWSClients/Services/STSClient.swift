public import AWSSigner

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The AWS Security Token Service calls the credential providers make (Query protocol, 2011-06-15):
/// `AssumeRole`, signed with the source credentials by ``AWSSigner``, and
/// `AssumeRoleWithWebIdentity`, which is sent unsigned because the web identity token is the proof.
///
/// Both return temporary credentials (`AccessKeyId`, `SecretAccessKey`, `SessionToken`,
/// `Expiration`) under `{Action}Result/Credentials`; see
/// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html and
/// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html.
public struct STSClient: Sendable {
    /// The region requests are signed for; also names the regional endpoint.
    public var region: String
    /// The endpoint: an override (`AWS_ENDPOINT_URL_STS`, moto), else `https://sts.{region}.amazonaws.com`.
    public var endpoint: URL
    /// The transport requests go through.
    public var transport: any AWSHTTPTransport

    /// A client for `region`, at `endpoint` when given, else the regional STS endpoint.
    public init(region: String, endpoint: URL? = nil, transport: any AWSHTTPTransport = HTTPClientTransport()) {
        self.region = region
        self.endpoint = endpoint ?? URL(string: "https://sts.\(region).amazonaws.com")!
        self.transport = transport
    }

    /// `AssumeRole` of `roleARN`, signed with the credentials of `source`.
    /// - Throws: ``AWSError`` as STS answered it (`AccessDenied` when the trust policy refuses).
    public func assumeRole(
        roleARN: String,
        sessionName: String,
        externalID: String? = nil,
        durationSeconds: Int? = nil,
        source: any AWSCredentialProvider
    ) async throws -> AWSCredentials {
        var parameters = [("RoleArn", roleARN), ("RoleSessionName", sessionName)]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let client = AWSClient(
            configuration: AWSClientConfiguration(
                region: region,
                credentialProvider: source,
                endpointURL: endpoint,
                retryPolicy: .standard,
                timeout: .seconds(10),
                transport: transport
            )
        )
        let xml = try await client.query(.sts, action: "AssumeRole", parameters: parameters)
        return try Self.credentials(xml, result: "AssumeRoleResult")
    }

    /// `AssumeRoleWithWebIdentity` of `roleARN` with the OIDC `token`; the request is not signed.
    /// - Throws: ``AWSError`` (`InvalidIdentityToken`, `ExpiredTokenException`, `AccessDenied`).
    public func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, token: String) async throws -> AWSCredentials {
        let form = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
            ("RoleSessionName", sessionName), ("WebIdentityToken", token),
        ]
        .map { "\(Canonical.encode($0.0))=\(Canonical.encode($0.1))" }
        .joined(separator: "&")
        var base = endpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let request = AWSHTTPRequest(
            url: URL(string: base + "/")!,
            method: "POST",
            headers: [("content-type", AWSService.sts.serviceProtocol.contentType)],
            body: Array(form.utf8)
        )
        let response = try await transport.send(request, timeout: .seconds(10))
        guard (200..<300).contains(response.status) else { throw AWSErrorParser.parse(response, service: .sts) }
        let xml: XMLNode
        do {
            xml = try XMLNode.parse(response.body)
        } catch {
            throw AWSResponseError(operation: "sts AssumeRoleWithWebIdentity", message: "\(error)")
        }
        return try Self.credentials(xml, result: "AssumeRoleWithWebIdentityResult")
    }

    /// The `Credentials` element below `result` of an STS response.
    static func credentials(_ xml: XMLNode, result: String) throws -> AWSCredentials {
        guard let key = xml.string(result, "Credentials", "AccessKeyId"),
            let secret = xml.string(result, "Credentials", "SecretAccessKey")
        else {
            throw AWSResponseError(operation: "sts \(result.dropLast("Result".count))", message: "the response has no Credentials")
        }
        return AWSCredentials(
            accessKeyID: key,
            secretAccessKey: secret,
            sessionToken: xml.string(result, "Credentials", "SessionToken"),
            expiration: xml.string(result, "Credentials", "Expiration").flatMap(CredentialTimestamp.parse)
        )
    }
}

/// ISO 8601 timestamps as credential sources write them, with or without fractional seconds
/// (`2030-01-01T00:00:00Z`, `2030-01-01T00:00:00.123Z`).
enum CredentialTimestamp {
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
