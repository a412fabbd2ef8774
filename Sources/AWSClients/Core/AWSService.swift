/// The wire protocol a service speaks.
public enum AWSServiceProtocol: Sendable, Hashable {
    /// JSON 1.0 or 1.1 over POST `/`, the operation in `x-amz-target: {targetPrefix}.{Operation}`.
    case json(version: String, targetPrefix: String)
    /// Form-encoded `Action=…&Version=…` over POST `/`, XML responses.
    case query(version: String)
    /// REST paths and headers with XML bodies (S3).
    case restXML

    /// The request `content-type`.
    public var contentType: String {
        switch self {
        case .json(let version, _): return "application/x-amz-json-\(version)"
        case .query: return "application/x-www-form-urlencoded; charset=utf-8"
        case .restXML: return "application/xml"
        }
    }
}

/// What the request layer needs to know about one service.
public struct AWSService: Sendable, Hashable {
    /// The SigV4 signing name, e.g. `s3`, `states`.
    public var signingName: String
    /// The host prefix of the regional endpoint, e.g. `dynamodb` in `dynamodb.eu-west-1.amazonaws.com`.
    public var endpointPrefix: String
    /// The protocol.
    public var serviceProtocol: AWSServiceProtocol

    /// A service description.
    public init(signingName: String, endpointPrefix: String, serviceProtocol: AWSServiceProtocol) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.serviceProtocol = serviceProtocol
    }

    /// Amazon S3 (REST-XML).
    public static let s3 = AWSService(signingName: "s3", endpointPrefix: "s3", serviceProtocol: .restXML)
    /// DynamoDB (JSON 1.0).
    public static let dynamoDB = AWSService(
        signingName: "dynamodb",
        endpointPrefix: "dynamodb",
        serviceProtocol: .json(version: "1.0", targetPrefix: "DynamoDB_20120810")
    )
    /// Step Functions (JSON 1.0).
    public static let stepFunctions = AWSService(
        signingName: "states",
        endpointPrefix: "states",
        serviceProtocol: .json(version: "1.0", targetPrefix: "AWSStepFunctions")
    )
    /// CloudWatch Logs (JSON 1.1).
    public static let logs = AWSService(
        signingName: "logs",
        endpointPrefix: "logs",
        serviceProtocol: .json(version: "1.1", targetPrefix: "Logs_20140328")
    )
    /// Athena (JSON 1.1).
    public static let athena = AWSService(
        signingName: "athena",
        endpointPrefix: "athena",
        serviceProtocol: .json(version: "1.1", targetPrefix: "AmazonAthena")
    )
    /// EventBridge (JSON 1.1).
    public static let eventBridge = AWSService(
        signingName: "events",
        endpointPrefix: "events",
        serviceProtocol: .json(version: "1.1", targetPrefix: "AWSEvents")
    )
    /// CloudWatch metrics (Query, 2010-08-01).
    public static let cloudWatch = AWSService(
        signingName: "monitoring",
        endpointPrefix: "monitoring",
        serviceProtocol: .query(version: "2010-08-01")
    )
    /// SNS (Query, 2010-03-31).
    public static let sns = AWSService(signingName: "sns", endpointPrefix: "sns", serviceProtocol: .query(version: "2010-03-31"))
    /// CloudFormation (Query, 2010-05-15).
    public static let cloudFormation = AWSService(
        signingName: "cloudformation",
        endpointPrefix: "cloudformation",
        serviceProtocol: .query(version: "2010-05-15")
    )
    /// STS (Query, 2011-06-15), for `GetCallerIdentity`.
    public static let sts = AWSService(signingName: "sts", endpointPrefix: "sts", serviceProtocol: .query(version: "2011-06-15"))
}
