/// The facts the Runtime API sends with an event, from the headers of `GET …/invocation/next`.
public struct InvocationMetadata: Sendable, Hashable {
    /// `Lambda-Runtime-Aws-Request-Id`: names the invocation in the response and error URLs.
    public var requestID: String
    /// `Lambda-Runtime-Deadline-Ms`: when the function times out, in epoch milliseconds.
    public var deadlineMilliseconds: Int64
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    public var invokedFunctionARN: String
    /// `Lambda-Runtime-Trace-Id`, exported as `_X_AMZN_TRACE_ID` while the handler runs.
    public var traceID: String?
    /// `Lambda-Runtime-Client-Context`, when a mobile SDK sent one.
    public var clientContext: String?
    /// `Lambda-Runtime-Cognito-Identity`, when a mobile SDK sent one.
    public var cognitoIdentity: String?

    public init(
        requestID: String,
        deadlineMilliseconds: Int64,
        invokedFunctionARN: String,
        traceID: String? = nil,
        clientContext: String? = nil,
        cognitoIdentity: String? = nil
    ) {
        self.requestID = requestID
        self.deadlineMilliseconds = deadlineMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
    }

    /// Reads the metadata from response headers; `header` answers a case-insensitive name.
    /// - Throws: ``LambdaRuntimeError/missingHeader(_:)`` or ``LambdaRuntimeError/invalidDeadline(_:)``.
    public init(header: (String) -> String?) throws(LambdaRuntimeError) {
        guard let requestID = header("Lambda-Runtime-Aws-Request-Id"), !requestID.isEmpty else {
            throw .missingHeader("Lambda-Runtime-Aws-Request-Id")
        }
        guard let deadlineText = header("Lambda-Runtime-Deadline-Ms") else {
            throw .missingHeader("Lambda-Runtime-Deadline-Ms")
        }
        guard let deadline = Int64(deadlineText) else { throw .invalidDeadline(deadlineText) }
        guard let arn = header("Lambda-Runtime-Invoked-Function-Arn"), !arn.isEmpty else {
            throw .missingHeader("Lambda-Runtime-Invoked-Function-Arn")
        }
        self.init(
            requestID: requestID,
            deadlineMilliseconds: deadline,
            invokedFunctionARN: arn,
            traceID: header("Lambda-Runtime-Trace-Id"),
            clientContext: header("Lambda-Runtime-Client-Context"),
            cognitoIdentity: header("Lambda-Runtime-Cognito-Identity")
        )
    }
}

/// One event to handle: its metadata and the raw body.
public struct Invocation: Sendable, Hashable {
    public var metadata: InvocationMetadata
    /// The event body as the Runtime API sent it (JSON for every trigger the pipeline uses).
    public var event: [UInt8]

    public init(metadata: InvocationMetadata, event: [UInt8]) {
        self.metadata = metadata
        self.event = event
    }
}

/// The body of an invocation error or init error: `{"errorType","errorMessage"}`.
public struct ErrorReport: Sendable, Hashable {
    public var errorType: String
    public var errorMessage: String

    public init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
    }

    /// The report for a thrown error: its type's name and its description, as Lambda shows them.
    public init(_ error: any Error) {
        self.init(errorType: String(describing: type(of: error)), errorMessage: "\(error)")
    }
}
