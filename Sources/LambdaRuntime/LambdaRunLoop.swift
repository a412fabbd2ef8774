import InfraJSON

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The Lambda custom-runtime loop: fetch the next event, run the handler, post its response or
/// its error, repeat until the task is cancelled.
///
/// Handler errors (and events that are not JSON) are reported through the invocation-error
/// endpoint and never end the loop; only a broken Runtime API conversation (a missing required
/// header, an unexpected status) ends it, so that Lambda restarts the runtime.
public struct LambdaRunLoop<API: RuntimeAPI>: Sendable {
    public let api: API

    public init(api: API) {
        self.api = api
    }

    /// Builds the handler and runs the loop; a failure to build it is posted to `/runtime/init/error`
    /// and rethrown.
    public func start(makeHandler: () async throws -> any LambdaHandler) async throws {
        let handler: any LambdaHandler
        do {
            handler = try await makeHandler()
        } catch {
            try await api.initFailed(error: ErrorReport(error))
            throw error
        }
        try await run(handler: handler)
    }

    /// Serves invocations until the task is cancelled.
    public func run(handler: any LambdaHandler) async throws {
        while !Task.isCancelled {
            let invocation: Invocation
            do {
                invocation = try await api.next()
            } catch {
                if Task.isCancelled { return }
                throw error
            }
            do {
                try await serve(invocation, handler: handler)
            } catch {
                if Task.isCancelled { return }
                throw error
            }
        }
    }

    /// Runs the handler on one invocation and posts the outcome.
    func serve(_ invocation: Invocation, handler: any LambdaHandler) async throws {
        let id = invocation.metadata.requestID
        if let trace = invocation.metadata.traceID {
            setenv("_X_AMZN_TRACE_ID", trace, 1)
        } else {
            unsetenv("_X_AMZN_TRACE_ID")
        }
        let event: JSON
        do {
            event = try JSON(parsing: invocation.event)
        } catch {
            try await api.fail(requestID: id, error: ErrorReport(MalformedEvent(reason: "\(error)")))
            return
        }
        let output: JSON
        do {
            output = try await handler.handle(event, context: LambdaContext(metadata: invocation.metadata))
        } catch {
            try await api.fail(requestID: id, error: ErrorReport(error))
            return
        }
        try await api.respond(requestID: id, body: Array(output.text.utf8))
    }
}

extension LambdaRunLoop where API == HTTPRuntimeAPI {
    /// The loop over the Runtime API named by `AWS_LAMBDA_RUNTIME_API`.
    /// - Throws: ``LambdaRuntimeError/badRuntimeAPIAddress(_:)``.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Self {
        Self(api: try HTTPRuntimeAPI(address: environment["AWS_LAMBDA_RUNTIME_API"]))
    }
}
