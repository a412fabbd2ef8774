import InfraJSON

/// Reads an error response in each protocol's format.
public enum AWSErrorParser {
    /// The error an unsuccessful `response` from `service` carries.
    ///
    /// JSON: `__type` (after its last `#`) and `message`/`Message`, or the `x-amzn-errortype`
    /// header; Query: `<ErrorResponse><Error><Code>`; REST-XML: `<Error><Code>`. A body that
    /// matches none gives a code from the status (`HTTP503`).
    public static func parse(_ response: AWSHTTPResponse, service: AWSService) -> AWSError {
        let requestID = response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
        var code: String?
        var message = ""
        var bodyRequestID: String?
        if let json = try? JSON(parsing: response.body), case .object = json {
            code = (json["__type"]?.stringValue ?? json["code"]?.stringValue ?? json["Code"]?.stringValue).map(strip)
            message = json["message"]?.stringValue ?? json["Message"]?.stringValue ?? json["errorMessage"]?.stringValue ?? ""
        } else if let xml = try? XMLNode.parse(response.body) {
            let error = xml.name == "Error" ? xml : xml.find("Error")
            code = error?.string("Code")
            message = error?.string("Message") ?? ""
            bodyRequestID = xml.string("RequestId") ?? xml.string("RequestID") ?? error?.string("RequestId")
        }
        if code == nil || code?.isEmpty == true, let header = response.header("x-amzn-errortype") {
            code = strip(String(header.split(separator: ":").first ?? ""))
        }
        if code == nil || code?.isEmpty == true {
            code = statusCode(response.status)
            if message.isEmpty { message = String(response.text.prefix(200)) }
            if message.isEmpty && response.status == 403 {
                message = "the request was refused without an error body (as for HEAD): a wrong secret, an unknown key or a missing permission"
            }
        }
        return AWSError(
            code: code ?? "HTTP\(response.status)",
            message: message,
            status: response.status,
            requestID: requestID ?? bodyRequestID,
            service: service.signingName
        )
    }

    private static func strip(_ type: String) -> String {
        guard let hash = type.lastIndex(of: "#") else { return type }
        return String(type[type.index(after: hash)...])
    }

    private static func statusCode(_ status: Int) -> String {
        switch status {
        case 301: return "PermanentRedirect"
        case 400: return "BadRequest"
        case 403: return AWSError.forbiddenWithoutDetails
        case 404: return "NotFound"
        case 429: return "TooManyRequestsException"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        default: return "HTTP\(status)"
        }
    }
}
