import Fleet
import Foundation
import InfraMonitorCore
import TestSupport
import Testing

/// ``FileSDWatcher`` over a temporary folder of file_sd files: polls driven by the test.
@Suite("file_sd watcher")
struct FileSDWatcherTests {
    /// The discoveries a watcher published, in order.
    actor Published {
        var results: [DiscoveryResult] = []
        func append(_ result: DiscoveryResult) { results.append(result) }
    }

    @Test func aChangedFileIsDiscoveredAgainAndAMalformedOneKeepsItsPreviousTargetsWithTheError() async throws {
        let folder = try Fixtures.temporaryDirectory("file-sd-watcher")
        try #"[{"targets": ["127.0.5.1:9100"], "labels": {"rack": "r1"}}]"#.write(toFile: folder + "/a.json", atomically: true, encoding: .utf8)
        let config = ScrapeConfig(jobName: "node", fileSDConfigs: [FileSDConfig(files: [folder + "/*.json"])])
        let published = Published()
        let watcher = FileSDWatcher(discovery: TargetDiscovery(configs: [config]), interval: .seconds(1)) { await published.append($0) }
        #expect(watcher.patterns == [folder + "/*.json"])

        var stamps = await watcher.poll(since: [])
        #expect(stamps.map(\.path) == [folder + "/a.json"])
        #expect(await published.results.count == 1)

        stamps = await watcher.poll(since: stamps)
        #expect(await published.results.count == 1, "nothing changed: no discovery")

        try #"[{"targets": ["127.0.5.2:9100"]}]"#.write(toFile: folder + "/b.json", atomically: true, encoding: .utf8)
        stamps = await watcher.poll(since: stamps)
        let added = try #require(await published.results.last)
        #expect(await published.results.count == 2)
        #expect(added.targets.map(\.address) == ["127.0.5.1:9100", "127.0.5.2:9100"])
        #expect(added.discoveredTargets.first?.labels["rack"] == "r1")
        #expect(added.problems.isEmpty)

        try "[{targets: [127.0.5.3:9100".write(toFile: folder + "/b.json", atomically: true, encoding: .utf8)
        stamps = await watcher.poll(since: stamps)
        let broken = try #require(await published.results.last)
        #expect(await published.results.count == 3)
        #expect(broken.targets.map(\.address) == ["127.0.5.1:9100", "127.0.5.2:9100"], "the malformed file keeps its previous targets")
        #expect(broken.problems.count == 1)
        #expect(broken.problems.first?.description.contains(folder + "/b.json") == true, "\(broken.problems)")
        #expect(broken.problems.first?.description.contains("previous targets are kept") == true)

        try FileManager.default.removeItem(atPath: folder + "/b.json")
        _ = await watcher.poll(since: stamps)
        #expect(await published.results.last?.targets.map(\.address) == ["127.0.5.1:9100"], "a removed file's targets go")
        #expect(await published.results.last?.problems.isEmpty == true)
    }

    @Test func runPublishesAtOnceAndStopsWhenCancelled() async throws {
        let folder = try Fixtures.temporaryDirectory("file-sd-watcher-run")
        let config = ScrapeConfig(jobName: "node", fileSDConfigs: [FileSDConfig(files: [folder + "/*.yaml"])])
        let published = Published()
        let watcher = FileSDWatcher(discovery: TargetDiscovery(configs: [config]), interval: .milliseconds(100)) { await published.append($0) }
        let task = Task { await watcher.run() }
        try "- targets: [\"127.0.5.9:9100\"]\n".write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        var seen = false
        for _ in 0..<100 where !seen {
            try await Task.sleep(for: .milliseconds(50))
            seen = await published.results.last?.targets.map(\.address) == ["127.0.5.9:9100"]
        }
        #expect(seen, "the new file was seen by a poll")
        task.cancel()
        await task.value
    }
}
