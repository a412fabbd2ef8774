import Collectors
import Foundation
import InfraJSON
import InfraMonitorCore
import InfraMonitorTesting
import Pipeline
import Testing

/// A fleet of `hosts` that collects one sample per host, by shard as the fleet collector deals them.
struct ShardedHosts: ShardedCollector {
    let hosts: [String]

    func targetCount() async -> Int { hosts.count }

    func collect(_ metric: Metric, state: any CollectorStateStore, now: Timestamp) async throws -> CollectedMetric {
        CollectedMetric(samples: hosts.map { sample(metric, $0) })
    }

    func collect(_ metric: Metric, shard: CollectionShard, state: any CollectorStateStore, now: Timestamp) async throws -> CollectedMetric {
        guard shard.count > 1 else { return try await collect(metric, state: state, now: now) }
        return CollectedMetric(samples: hosts.enumerated().filter { shard.contains(position: $0.offset) }.map { sample(metric, $0.element) })
    }

    func sample(_ metric: Metric, _ host: String) -> Sample {
        Sample(
            metric: metric.rawValue,
            host: host,
            timestamp: PipelineRunnerTests.scheduled,
            value: 1,
            unit: metric.unit,
            labels: metric == .diskUsage ? ["mountpoint": "/"] : metric == .networkTraffic ? ["device": "eth0", "direction": "rx"] : [:]
        )
    }
}

/// The definition's shards, run by the embedded interpreter: the plan, a Map per metric, one batch
/// per shard, and the unsharded result when there is one shard.
@Suite struct ShardedPipelineTests {
    static func runner(_ memory: InMemoryBackend, hosts: Int, shardSize: Int) throws -> PipelineRunner {
        var substitutions = PipelineDefinition.localSubstitutions(region: "eu-west-1")
        substitutions["ShardSize"] = String(shardSize)
        let definition = try PipelineDefinition(
            path: PipelineRunnerTests.repositoryFile(PipelineDefinition.relativePath),
            substitutions: substitutions
        )
        var runner = PipelineRunner(
            definition: definition,
            backend: memory.backend,
            collector: ShardedHosts(hosts: (0..<hosts).map { "host-\($0)" })
        )
        runner.sleep = { _ in }
        return runner
    }

    @Test(arguments: [(5, 2, 3), (5, 5, 1), (1, 250, 1), (7, 3, 3)])
    func everyTargetIsCollectedOnceInExactlyOneShard(hosts: Int, shardSize: Int, shards: Int) async throws {
        let memory = InMemoryBackend()
        let outcome = try await Self.runner(memory, hosts: hosts, shardSize: shardSize).run(
            scheduledTime: PipelineRunnerTests.scheduled,
            executionID: "sharded"
        )
        #expect(outcome.summary.status == .succeeded, "\(outcome.summary)")
        let keys = try await memory.objects.list(prefix: ObjectKeys.rawPrefix)
        #expect(keys.count == 4 * shards)
        #expect(keys.allSatisfy { ObjectKeys.parseRawBatch($0)?.executionID == "sharded" })
        #expect(keys.contains { $0.contains(".shard-") } == (shards > 1))
        #expect(outcome.samplesPerMetric == Dictionary(uniqueKeysWithValues: Metric.allCases.map { ($0.rawValue, hosts) }))
        let hostsStored = Set(await memory.samples.all.map(\.host))
        #expect(hostsStored.count == hosts)
        let branches = outcome.summary.output?["branches"]?.arrayValue ?? []
        #expect(branches.count == 4)
        for branch in branches {
            if shards == 1 {
                #expect(Set(branch.objectValue?.keys.map { $0 } ?? []) == ["metric", "samples", "key"], "unsharded shape: \(branch)")
            } else {
                #expect(branch["shards"] == .number(Double(shards)))
                #expect(branch["keys"]?.arrayValue?.count == shards)
            }
            #expect(branch["samples"] == .number(Double(hosts)))
        }
        let sent = await memory.notifier.sent
        #expect(sent.first?.message["objects"]?.arrayValue?.count == 4 * shards)
    }

    @Test func aPlanPayloadWithABadShardSizeIsRefused() async throws {
        let collector = DataCollector(
            collector: ShardedHosts(hosts: ["a"]),
            backend: InMemoryBackend().backend
        )
        await #expect(throws: PipelineError.self) { try await collector.plan(payload: ["action": "plan", "shard_size": "0"]) }
        let plan = try await collector.plan(payload: ["action": "plan", "shard_size": 250])
        #expect(plan == ["targets": 1, "shards": [["shard": 0, "shards": 1]]])
        await #expect(throws: PipelineError.self) {
            try await collector.handle(payload: [
                "metric": "memory_usage", "execution_id": "x", "scheduled_time": "2026-11-25T18:00:00Z", "shard": 2, "shards": 2,
            ])
        }
    }
}
