import InfraMonitorCore

/// Collector counters kept in memory: they survive between invocations of a warm function, and a
/// cold start falls back to the collector's short sampling window (docs/design.md, "Metrics").
actor MemoryCollectorState: CollectorStateStore {
    private var values: [String: String] = [:]

    func load(host: String, name: String) async throws -> String? { values[host + "\u{0}" + name] }

    func save(host: String, name: String, value: String) async throws { values[host + "\u{0}" + name] = value }
}
