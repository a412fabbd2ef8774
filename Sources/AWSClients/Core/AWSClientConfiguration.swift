public import AWSSigner

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Everything the service clients share: region, credentials, endpoint override, retries,
/// timeout and the transport.
public struct AWSClientConfiguration: Sendable {
    /// The region requests are signed for and sent to.
    public var region: String
    /// Where credentials come from.
    public var credentialProvider: any AWSCredentialProvider
    /// An endpoint that replaces every service's AWS endpoint (`--endpoint-url`, moto, LocalStack);
    /// S3 then uses path-style addressing.
    public var endpointURL: URL?
    /// The retry policy.
    public var retryPolicy: AWSRetryPolicy
    /// The time one attempt may take.
    public var timeout: Duration
    /// The HTTP transport.
    public var transport: any AWSHTTPTransport

    /// A configuration.
    public init(
        region: String,
        credentialProvider: any AWSCredentialProvider,
        endpointURL: URL? = nil,
        retryPolicy: AWSRetryPolicy = .standard,
        timeout: Duration = .seconds(30),
        transport: any AWSHTTPTransport = HTTPClientTransport()
    ) {
        self.region = region
        self.credentialProvider = credentialProvider
        self.endpointURL = endpointURL
        self.retryPolicy = retryPolicy
        self.timeout = timeout
        self.transport = transport
    }

    /// The configuration of this process: region from `region`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
    /// the profile or eu-west-1; credentials from the standard chain.
    public static func standard(
        region: String? = nil,
        endpointURL: URL? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        retryPolicy: AWSRetryPolicy = .standard,
        timeout: Duration = .seconds(30),
        transport: any AWSHTTPTransport = HTTPClientTransport()
    ) -> AWSClientConfiguration {
        let files = AWSProfileFiles.load(environment: environment)
        return AWSClientConfiguration(
            region: AWSRegionResolver.resolve(explicit: region, environment: environment, files: files),
            credentialProvider: DefaultCredentialChain(environment: environment, files: files, transport: transport),
            endpointURL: endpointURL,
            retryPolicy: retryPolicy,
            timeout: timeout,
            transport: transport
        )
    }
}
