import Collectors
public import InfraJSON

extension DataCollector {
    /// The shard size when the plan payload names none.
    public static let defaultShardSize = 250

    /// Answers the definition's `PlanShards` task, payload `{"action": "plan", "shard_size": N}`:
    /// `{"targets": T, "shards": [{"shard": 0, "shards": K}, …]}` with K = ⌈T / N⌉, at least one,
    /// so that a collector without targets (this machine) is collected once, as before sharding.
    /// - Throws: ``PipelineError/badPayload(_:)`` for a shard size that is not a positive integer.
    public func plan(payload: JSON) async throws -> JSON {
        let size: Int
        switch payload["shard_size"] {
        case .none, .some(.null): size = Self.defaultShardSize
        case .some(let value):
            guard let parsed = value.doubleValue.map({ Int($0) }) ?? value.stringValue.flatMap({ Int($0) }), parsed > 0 else {
                throw PipelineError.badPayload("\"shard_size\" must be a positive number of targets")
            }
            size = parsed
        }
        let targets = await (collector as? any ShardedCollector)?.targetCount() ?? 0
        let shards = CollectionShard.plan(targets: targets, size: size)
        return [
            "targets": .number(Double(targets)),
            "shards": .array(shards.map { ["shard": .number(Double($0.index)), "shards": .number(Double($0.count))] }),
        ]
    }

    /// Whether a payload asks for the plan rather than a collection.
    public static func isPlan(_ payload: JSON) -> Bool { payload["action"]?.stringValue == "plan" }

    /// The payload's `shard` and `shards`, when both are there.
    /// - Throws: ``PipelineError/badPayload(_:)`` when they are not a valid pair.
    static func shard(in payload: JSON) throws -> CollectionShard? {
        guard payload["shard"] != nil || payload["shards"] != nil else { return nil }
        guard let index = payload["shard"]?.doubleValue, let count = payload["shards"]?.doubleValue, count >= 1, index >= 0, index < count,
            index == index.rounded(), count == count.rounded()
        else {
            throw PipelineError.badPayload("\"shard\" and \"shards\" must be integers with 0 <= shard < shards")
        }
        return CollectionShard(index: Int(index), count: Int(count))
    }
}
