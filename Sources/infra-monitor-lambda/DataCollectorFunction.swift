import InfraJSON
import LambdaRuntime
import Pipeline

/// `_HANDLER=data-collector`: the state machine's branch payload `{"metric","execution_id","scheduled_time"}`
/// in (with `shard` and `shards` for one share of a fleet), `{"metric","samples","key"}` out; the
/// plan payload `{"action": "plan", "shard_size": N}` in, the shards out. With deployed scrape configs (``FleetSource``) it scrapes
/// the fleet, each target's counter state in the collector's state table.
struct DataCollectorFunction: LambdaHandler {
    let collector: DataCollector
    let fleet: FleetSource?

    func handle(_ event: JSON, context: LambdaContext) async throws -> JSON {
        guard let fleet else {
            if DataCollector.isPlan(event) { return try await collector.plan(payload: event) }
            return try await collector.handle(payload: event).payload
        }
        let scraping = DataCollector(
            collector: try await fleet.collector(),
            objects: collector.objects,
            state: collector.state,
            logs: collector.logs
        )
        if DataCollector.isPlan(event) { return try await scraping.plan(payload: event) }
        return try await scraping.handle(payload: event).payload
    }
}
