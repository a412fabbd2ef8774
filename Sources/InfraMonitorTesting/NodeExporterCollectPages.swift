/// What node_exporter serves for `collect[]=NAME` from one full page, for the fake fleets of the
/// tests and benchmarks: the families of the collector asked for (cpu, meminfo, filesystem or
/// netdev), plus `node_uname_` (the branches ask for `uname` too) and the exporter's own `go_`,
/// `process_` and `promhttp_` series, as node_exporter serves them whatever the filter.
public struct NodeExporterCollectPages: Sendable {
    /// The whole page, for a request without a known `collect[]`.
    public let full: [UInt8]
    /// The filtered page of each collector.
    public let filtered: [String: [UInt8]]

    public init(fullPage: String) {
        full = Array(fullPage.utf8)
        let prefixes: [String: [String]] = [
            "cpu": ["node_cpu_"], "meminfo": ["node_memory_"], "filesystem": ["node_filesystem_"], "netdev": ["node_network_"],
        ]
        let common = ["node_uname_", "go_", "process_", "promhttp_"]
        let lines = fullPage.split(separator: "\n", omittingEmptySubsequences: false)
        var filtered: [String: [UInt8]] = [:]
        for (collector, own) in prefixes {
            let wanted = own + common
            var out = ""
            for line in lines where !line.isEmpty {
                let name = line.hasPrefix("# ") ? String(line.split(separator: " ").dropFirst(2).first ?? "") : String(line)
                if wanted.contains(where: { name.hasPrefix($0) }) { out += line + "\n" }
            }
            filtered[collector] = Array(out.utf8)
        }
        self.filtered = filtered
    }

    /// The page for a request's URI: the filtered page of the collector its `collect[]` names
    /// (percent-encoded or not), else the whole page.
    public func page(for uri: String) -> [UInt8] {
        guard uri.contains("collect") else { return full }
        for (collector, page) in filtered where uri.contains("collect%5B%5D=\(collector)") || uri.contains("collect[]=\(collector)") {
            return page
        }
        return full
    }
}
