import Foundation
import Hummingbird

/// Refuses every request that does not carry the token: `Authorization: Bearer T`, `?token=T`
/// (which also sets a cookie, so that a browser can follow links) or the `infra_monitor_token` cookie.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    static var cookieName: String { "infra_monitor_token" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            TokenCheck.constantTimeEqual(String(header.dropFirst(7)), token)
        {
            return try await next(request, context)
        }
        if let cookies = request.headers[.cookie] {
            for part in cookies.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(Self.cookieName + "="), TokenCheck.constantTimeEqual(String(pair.dropFirst(Self.cookieName.count + 1)), token) {
                    return try await next(request, context)
                }
            }
        }
        if let query = request.uri.queryParameters.get("token"), TokenCheck.constantTimeEqual(query, token) {
            var response = try await next(request, context)
            response.headers[.setCookie] = "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
            return response
        }
        var response = Response(
            status: .unauthorized,
            body: .init(byteBuffer: ByteBuffer(string: "401 Unauthorized: send Authorization: Bearer <token> or add ?token=<token>\n"))
        )
        response.headers[.contentType] = "text/plain; charset=utf-8"
        response.headers[.wwwAuthenticate] = "Bearer realm=\"infra-monitor\""
        return response
    }
}

/// Token comparison.
enum TokenCheck {
    /// Compares without an early exit, so that the time taken does not tell how many bytes matched.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            let left = index < x.count ? x[index] : 0
            let right = index < y.count ? y[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
