import InfraMonitorCore
import LocalBackend
import TestSupport
import Testing

@Suite("collector state of many hosts in one transaction")
struct CollectorStateBatchTests {
    @Test("saveAll writes every host's state, loadAll reads back the asked hosts of one name")
    func batch() async throws {
        let store = try SQLiteStore(path: try Fixtures.temporaryDirectory("collector-state") + "/db.sqlite")
        let values = Dictionary(uniqueKeysWithValues: (0..<2000).map { ("127.0.\($0 / 250).\($0 % 250):9100", "state \($0)") })
        try await store.saveAll(values, name: "node_exporter_cpu_utilization")
        try await store.save(host: "127.0.0.0:9100", name: "node_exporter_network_traffic", value: "other name")
        let hosts = Array(values.keys) + ["127.9.9.9:9100"]
        let found = try await store.loadAll(hosts: hosts, name: "node_exporter_cpu_utilization")
        #expect(found == values)
        #expect(try await store.load(host: "127.0.1.7:9100", name: "node_exporter_cpu_utilization") == "state 257")
        let some = try await store.loadAll(hosts: ["127.0.0.0:9100", "127.0.0.1:9100"], name: "node_exporter_network_traffic")
        #expect(some == ["127.0.0.0:9100": "other name"])
        try await store.saveAll(["127.0.0.0:9100": "replaced"], name: "node_exporter_cpu_utilization")
        #expect(try await store.load(host: "127.0.0.0:9100", name: "node_exporter_cpu_utilization") == "replaced")
        try await store.saveAll([:], name: "node_exporter_cpu_utilization")
    }
}
