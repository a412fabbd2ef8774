import Foundation
import InfraJSON
import TestSupport
import Testing

/// `states run --data-dir DIR`: a distributed Map reads its items from, and writes its results to,
/// the data directory's bucket folders (`DIR/objects/<bucket>/<key>`).
@Suite("states run --data-dir (distributed Map)")
struct StatesDistributedMapCommandTests {
    static let bucket = "infra-monitoring-pipeline-data"

    @Test("a JSON Lines object in the bucket feeds the Map; the results and manifest land in the bucket")
    func readsAndWritesTheDataDirectoryBucket() async throws {
        let dataDir = try Fixtures.temporaryDirectory("states-dmap")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let bucketFolder = dataDir + "/objects/" + Self.bucket
        try FileManager.default.createDirectory(atPath: bucketFolder + "/targets", withIntermediateDirectories: true)
        try Fixtures.data("distributed-map/targets.jsonl").write(to: URL(fileURLWithPath: bucketFolder + "/targets/fleet.jsonl"))
        let definition = Fixtures.path("distributed-map/shard-targets.asl.json")

        let result = try await CommandRunner.infraMonitor([
            "states", "run", definition, "--data-dir", dataDir, "--input", #"{"targets":"targets/fleet.jsonl"}"#, "--trace",
        ])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let printed = try JSON(parsing: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(printed["status"] == "SUCCEEDED")
        let manifestKey = try #require(printed["output"]?["ResultWriterDetails"]?["Key"]?.stringValue)
        #expect(printed["output"]?["ResultWriterDetails"]?["Bucket"] == .string(Self.bucket))
        #expect(manifestKey.hasPrefix("map-results/") && manifestKey.hasSuffix("/manifest.json"))

        let manifest = try JSON(parsing: try String(contentsOfFile: bucketFolder + "/" + manifestKey, encoding: .utf8))
        let succeededKey = try #require(manifest["ResultFiles"]?["SUCCEEDED"]?[0]?["Key"]?.stringValue)
        let succeeded = try JSON(parsing: try String(contentsOfFile: bucketFolder + "/" + succeededKey, encoding: .utf8))
        #expect(succeeded == [["hosts": ["web-1", "web-2"]], ["hosts": ["db-1"]]])
        #expect(manifest["ResultFiles"]?["FAILED"] == [])

        // --trace prints the children's events too, each line naming its child execution.
        let lines = result.stderr.split(separator: "\n").compactMap { try? JSON(parsing: String($0)) }
        let childArns = Set(lines.compactMap { $0["executionArn"]?.stringValue })
        #expect(childArns.count == 2, "\(result.stderr)")
        #expect(lines.contains { $0["type"] == "MapRunStarted" && $0["executionArn"] == nil })
    }

    @Test("without --data-dir the same definition fails with a cause naming --data-dir")
    func withoutDataDirectory() async throws {
        let definition = Fixtures.path("distributed-map/shard-targets.asl.json")
        let result = try await CommandRunner.infraMonitor(["states", "run", definition, "--input", #"{"targets":"targets/fleet.jsonl"}"#])
        #expect(result.status == 1)
        let printed = try JSON(parsing: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(printed["error"] == "States.ResultWriterFailed" || printed["error"] == "States.ItemReaderFailed")
        #expect(printed["cause"]?.stringValue?.contains("--data-dir") == true, "\(printed.text)")
    }

    @Test("states validate reports distributed Map problems with their JSON paths")
    func validateReportsPaths() async throws {
        let dir = try Fixtures.temporaryDirectory("states-dmap-validate")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/bad.json"
        try #"""
        {"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b","Key":"k"}},
          "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}
        """#.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.infraMonitor(["states", "validate", file])
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("$.States.M.ItemReader.ReaderConfig.InputType"), "\(result.stderr)")
    }
}
