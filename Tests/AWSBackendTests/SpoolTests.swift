import AWSBackend
import Foundation
import TestSupport
import Testing

@Suite struct SpoolTests {
    @Test func storedBatchesAreListedReadAndRemovedWithTheirKeys() throws {
        let folder = try Fixtures.temporaryDirectory("spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = Spool(root: folder + "/spool")
        #expect(try spool.pending().isEmpty)
        let keys = [
            "raw-metrics/2026/11/25/20261125T180000Z_e1_memory_usage.jsonl.gz",
            "raw-metrics/2026/11/25/20261125T180000Z_e1_cpu_utilization.jsonl.gz",
        ]
        for (index, key) in keys.enumerated() { try spool.store([UInt8(index), 0x1f, 0x8b], key: key) }
        try spool.store([9], key: keys[0])
        #expect(try spool.pending() == keys.sorted())
        #expect(try spool.body(key: keys[0]) == [9])
        #expect(try spool.body(key: keys[1]) == [1, 0x1f, 0x8b])
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: folder + "/spool").filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
        for key in keys { try spool.remove(key: key) }
        #expect(try spool.pending().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/spool").isEmpty)
    }

    @Test(arguments: ["", "/etc/passwd", "raw-metrics/../../escape", "./a"])
    func keysThatLeaveTheSpoolAreRefused(key: String) throws {
        let folder = try Fixtures.temporaryDirectory("spool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: AWSBackendError.self) { try Spool(root: folder).store([1], key: key) }
    }
}
