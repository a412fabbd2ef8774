import InfraJSON
import LambdaRuntime
import Pipeline

/// `_HANDLER=data-collector`: the state machine's branch payload `{"metric","execution_id","scheduled_time"}`
/// in, `{"metric","samples","key"}` out.
struct DataCollectorFunction: LambdaHandler {
    let collector: DataCollector

    func handle(_ event: JSON, context: LambdaContext) async throws -> JSON {
        try await collector.handle(payload: event).payload
    }
}
