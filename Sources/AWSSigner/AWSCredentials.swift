#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The secret material a request is signed with: an access key, its secret and, for temporary
/// credentials (STS, ECS, EC2, Lambda), a session token and the time they stop working.
public struct AWSCredentials: Sendable, Hashable {
    /// The access key id, e.g. `AKIAIOSFODNN7EXAMPLE`.
    public var accessKeyID: String
    /// The secret access key; only ever used to derive the signing key.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `x-amz-security-token`.
    public var sessionToken: String?
    /// When temporary credentials expire; `nil` for long-lived keys.
    public var expiration: Date?

    /// Credentials from their parts.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// Whether these credentials expire within `margin` of `date` and should be fetched again.
    public func isExpiring(at date: Date = Date(), margin: TimeInterval = 300) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(date) < margin
    }
}

/// A source of credentials: the environment, a profile file, a metadata endpoint, or a chain of them.
public protocol AWSCredentialProvider: Sendable {
    /// The current credentials, or an error saying why this source has none.
    func credentials() async throws -> AWSCredentials
}

/// A provider that always returns the same credentials (tests, explicit keys).
public struct StaticCredentialProvider: AWSCredentialProvider {
    /// The credentials returned.
    public var value: AWSCredentials
    /// A provider of `value`.
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials { value }
}

/// Why a credential source produced no credentials.
public struct AWSCredentialError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The source that failed, e.g. `environment`, `profile default`, `ECS`, `IMDSv2`.
    public var source: String
    /// What went wrong, one line, with what to do.
    public var message: String
    /// An error for `source`.
    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }
    public var description: String { "credentials from \(source): \(message)" }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, as the
/// Lambda environment and most CI systems provide them.
public struct EnvironmentCredentialProvider: AWSCredentialProvider {
    /// The environment read (the process environment by default; tests pass their own).
    public var environment: [String: String]
    /// A provider reading `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) { self.environment = environment }

    public func credentials() async throws -> AWSCredentials {
        try resolve()
    }

    /// The credentials, synchronously.
    public func resolve() throws -> AWSCredentials {
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else {
            throw AWSCredentialError(
                source: "environment",
                message: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set; set them or use a profile"
            )
        }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token)
    }
}
