/// The shards of a fleet in the cost estimate: `deploy cost --hosts N --shard-size S` prices
/// ⌈N / S⌉ data-collector invocations per metric plus the plan, and their state transitions.
public enum ShardedCost {
    /// ⌈hosts / shardSize⌉, at least one.
    public static func shards(hosts: Int, shardSize: Int) -> Int {
        max(1, (hosts + max(shardSize, 1) - 1) / max(shardSize, 1))
    }

    /// One line under the estimate that says how the invocations were counted.
    public static func note(hosts: Int, shardSize: Int, shards: Int) -> String {
        "Sharding: \(hosts) target(s) at most \(shardSize) per invocation = \(shards) shard(s); each execution runs the plan "
            + "and \(4 * shards) data-collector invocation(s) (4 metrics × \(shards)); each shard's Task is one more state transition. "
            + "The plan is one more short invocation per execution, not priced above (under $0.0001 a month at rate(3 hours))."
    }
}
