/// The four calls of the Lambda Runtime API a custom runtime makes.
///
/// The loop is generic over this protocol so that it can be driven by the real endpoint
/// (``HTTPRuntimeAPI``) or by any other implementation.
public protocol RuntimeAPI: Sendable {
    /// `GET /runtime/invocation/next`: waits (long poll) for the next event.
    func next() async throws -> Invocation
    /// `POST /runtime/invocation/{id}/response` with the handler's result.
    func respond(requestID: String, body: [UInt8]) async throws
    /// `POST /runtime/invocation/{id}/error`: the handler failed on this event.
    func fail(requestID: String, error: ErrorReport) async throws
    /// `POST /runtime/init/error`: the function could not start.
    func initFailed(error: ErrorReport) async throws
}
