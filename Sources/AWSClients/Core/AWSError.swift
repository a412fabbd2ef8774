/// An error response from an AWS service (or a compatible endpoint), parsed from whichever
/// protocol the service speaks.
public struct AWSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error code, e.g. `ThrottlingException`, `NoSuchKey`, `SignatureDoesNotMatch`.
    public var code: String
    /// The service's message.
    public var message: String
    /// The HTTP status.
    public var status: Int
    /// The request id AWS support asks for (`x-amzn-requestid`, `x-amz-request-id` or `<RequestId>`).
    public var requestID: String?
    /// The service, by signing name.
    public var service: String

    /// An error from its parts.
    public init(code: String, message: String, status: Int, requestID: String? = nil, service: String) {
        self.code = code
        self.message = message
        self.status = status
        self.requestID = requestID
        self.service = service
    }

    /// Throttling codes the AWS SDKs' standard retry mode retries.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "SlowDown",
        "RequestLimitExceeded", "ProvisionedThroughputExceededException", "TooManyRequestsException",
        "RequestThrottled", "BandwidthLimitExceeded", "LimitExceededException", "TransactionInProgressException",
        "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Codes that mean the credentials or signature were rejected.
    public static let authenticationCodes: Set<String> = [
        "SignatureDoesNotMatch", "InvalidSignatureException", "InvalidClientTokenId", "UnrecognizedClientException",
        "InvalidAccessKeyId", "AuthFailure", "IncompleteSignature", "ExpiredToken", "ExpiredTokenException", "AccessDenied",
        "AccessDeniedException", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
        AWSError.forbiddenWithoutDetails,
    ]

    /// Codes of a request that was authenticated but not allowed (or, for a body-less 403, maybe
    /// either): the key's permissions matter as well as the key.
    static let permissionCodes: Set<String> = ["AccessDenied", "AccessDeniedException", AWSError.forbiddenWithoutDetails]

    /// The code of a 403 without an error body (a HEAD response): the signature, the key or its
    /// permissions were refused, the response does not say which.
    public static let forbiddenWithoutDetails = "Forbidden"

    /// Whether the service asked the caller to slow down.
    public var isThrottling: Bool { Self.throttlingCodes.contains(code) || status == 429 }
    /// Whether the request was rejected for its credentials or signature.
    public var isAuthenticationFailure: Bool { Self.authenticationCodes.contains(code) }
    /// Whether the standard retry mode retries this error (throttling, 5xx, transient codes).
    public var isRetryable: Bool {
        isThrottling || status >= 500 || ["RequestTimeout", "RequestTimeoutException", "InternalError"].contains(code)
    }

    public var description: String {
        var text = "\(service) \(code) (HTTP \(status)): "
        if isAuthenticationFailure {
            text += Self.permissionCodes.contains(code) ? "access denied: " : "authentication failed: "
        }
        text += message.isEmpty ? "no message" : message
        if isAuthenticationFailure {
            if text.hasSuffix(".") { text.removeLast() }
            text += "; check the access key, secret and region"
            if Self.permissionCodes.contains(code) { text += ", and that the key's policy allows this action" }
        }
        if let requestID { text += " [request id \(requestID)]" }
        return text
    }
}

/// The request failed on every attempt the retry policy allowed.
public struct AWSRetriesExhaustedError: Error, Sendable, CustomStringConvertible {
    /// How many attempts were made.
    public var attempts: Int
    /// The error of the last attempt (an ``AWSError`` or ``AWSTransportError``).
    public var lastError: any Error
    /// An error after `attempts` attempts.
    public init(attempts: Int, lastError: any Error) {
        self.attempts = attempts
        self.lastError = lastError
    }
    public var description: String {
        "gave up after \(attempts) attempts: \(lastError); the endpoint is failing or throttling, try again later"
    }
}

/// A response that did not have the shape the client expected.
public struct AWSResponseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The service and operation, e.g. `dynamodb Query`.
    public var operation: String
    /// What was wrong with the response.
    public var message: String
    /// An error for `operation`.
    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }
    public var description: String { "unexpected response to \(operation): \(message); the endpoint may not be AWS-compatible" }
}
