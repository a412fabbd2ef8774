import Alarms
import Foundation
public import Hummingbird
import InfraJSON
import InfraMonitorCore
public import Logging

/// How `serve` listens and what the query page allows.
public struct DashboardSettings: Sendable {
    public var bind: String
    public var port: Int
    /// When set, every request must carry it (bearer header, `?token=` or cookie).
    public var token: String?
    public var queryRowLimit: Int
    public var queryTimeLimitSeconds: Double
    /// Queries that may run at once (the rest are answered 503 at once).
    public var queryCapacity: Int

    public init(
        bind: String = "127.0.0.1",
        port: Int = 8080,
        token: String? = nil,
        queryRowLimit: Int = 1000,
        queryTimeLimitSeconds: Double = 5,
        queryCapacity: Int = 2
    ) {
        self.bind = bind
        self.port = port
        self.token = token
        self.queryRowLimit = queryRowLimit
        self.queryTimeLimitSeconds = queryTimeLimitSeconds
        self.queryCapacity = queryCapacity
    }

    /// The shortest token `serve` accepts.
    public static let minimumTokenLength = 16

    /// Why `token` is unfit to guard the dashboard, or nil when it is fit: too short, or with
    /// white space or control characters (which a browser or a shell would mangle).
    public static func tokenProblem(_ token: String) -> String? {
        if token.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            return "contains white space or control characters"
        }
        if token.count < minimumTokenLength { return "is shorter than \(minimumTokenLength) characters" }
        return nil
    }

    /// Loopback addresses need no token; any other bind address does.
    public static func isLoopback(_ address: String) -> Bool {
        address == "localhost" || address == "::1" || address.hasPrefix("127.")
    }
}

/// The dashboard's HTTP application: pages, `/metrics`, `/healthz` and `/api/...`.
public enum DashboardServer {
    /// Builds the Hummingbird application (a `Service`, to run in a `ServiceGroup`).
    public static func application(
        sources: DashboardSources,
        settings: DashboardSettings,
        status: ServiceStatus,
        logger: Logger
    ) -> some ApplicationProtocol {
        let router = router(sources: sources, settings: settings, status: status)
        return Application(
            router: router,
            configuration: .init(address: .hostname(settings.bind, port: settings.port), serverName: "infra-monitor"),
            logger: logger
        )
    }

    /// The routes, for the application and for in-process tests (`HummingbirdTesting`).
    public static func router(sources: DashboardSources, settings: DashboardSettings, status: ServiceStatus) -> Router<BasicRequestContext> {
        let data = DashboardData(sources: sources, settings: settings)
        let pages = Pages(data: data, status: status)
        let router = Router()
        router.add(middleware: CountingMiddleware(status: status))
        if let token = settings.token { router.add(middleware: TokenMiddleware(token: token)) }

        router.get("/healthz") { _, _ in text("ok\n") }
        router.get("/static/style.css") { _, _ in
            response(Style.css, type: "text/css; charset=utf-8")
        }
        router.get("/") { request, _ in html(try await pages.overview(try validated { try OverviewQuery.parse(request) })) }
        router.get("/metric/:name") { request, context in
            let name = try context.parameters.require("name")
            guard Metric(rawValue: name) != nil else {
                throw HTTPError(
                    .notFound,
                    message: "no metric of that name; the metrics are " + Metric.allCases.map(\.rawValue).joined(separator: ", ")
                )
            }
            return html(try await pages.metric(name: name, query: try validated { try MetricQuery.parse(request) }))
        }
        router.get("/targets") { request, _ in html(try await pages.targets(try validated { try TargetsQuery.parse(request) })) }
        router.get("/alarms") { request, _ in html(try await pages.alarms(try validated { try AlarmsQuery.parse(request) })) }
        router.get("/executions") { _, _ in html(try await pages.executions()) }
        router.get("/executions/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let page = try await pages.execution(id: id) else { throw HTTPError(.notFound, message: "no execution \(id)") }
            return html(page)
        }
        router.get("/notifications") { _, _ in html(try await pages.notifications()) }
        router.get("/query") { request, _ in html(await pages.query(sql: formValue(request, "sql"))) }
        router.get("/metrics") { _, _ in
            let body = Prometheus.exposition(
                latest: try await sources.series.latestSamples(),
                totals: try await sources.executions.totals(),
                ticksSkipped: await status.ticksSkipped,
                requests: await status.requests,
                targets: TargetStatus.fold(try await sources.targetHealth?.latestTargetHealth() ?? []),
                alarms: try await sources.alarms?.allStates() ?? []
            )
            return response(body, type: "text/plain; version=0.0.4; charset=utf-8")
        }
        APIRoutes.add(to: router, data: data, status: status)
        return router
    }
}

/// The value of a parameter parser, or the 400 that names the bad parameter.
func validated<T>(_ parse: () throws -> T) throws -> T {
    do {
        return try parse()
    } catch let error as InvalidParameter {
        throw error.httpError
    }
}

/// Counts requests for `/metrics`.
struct CountingMiddleware<Context: RequestContext>: RouterMiddleware {
    let status: ServiceStatus

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        await status.requestServed()
        return try await next(request, context)
    }
}

func response(_ body: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
    var response = Response(status: status, body: .init(byteBuffer: ByteBuffer(string: body)))
    response.headers[.contentType] = type
    response.headers[.cacheControl] = "no-store"
    response.headers[.init("X-Content-Type-Options")!] = "nosniff"
    return response
}

func html(_ body: String) -> Response {
    var result = response(body, type: "text/html; charset=utf-8")
    result.headers[.init("Content-Security-Policy")!] =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    return result
}

/// A field of the request's query string as an HTML form sends it (see ``formField(in:named:)``).
func formValue(_ request: Request, _ name: String) -> String? {
    request.uri.query.flatMap { formField(in: $0, named: name) }
}

func text(_ body: String) -> Response { response(body, type: "text/plain; charset=utf-8") }

func json(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
    response(value.text + "\n", type: "application/json", status: status)
}
