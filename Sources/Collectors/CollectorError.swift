/// Why a collection failed: what could not be read or understood, and what to do about it.
public enum CollectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A file or folder could not be opened or read (`reason` is the system's text).
    case unreadable(path: String, reason: String)
    /// A file was read but did not have the expected content.
    case malformed(path: String, detail: String)
    /// A node_exporter scrape lacks a series the metric needs.
    case missingSeries(name: String, detail: String)
    /// Counters went backwards between two node_exporter scrapes (the target or host restarted).
    case counterReset(detail: String)
    /// A node_exporter target could not be scraped.
    case scrapeFailed(target: String, reason: String)
    /// The task was cancelled while waiting for the sampling window.
    case cancelled

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason); check that procfs is mounted there and readable (or fix the proc root)"
        case .malformed(let path, let detail):
            return "unexpected content in \(path): \(detail); check that it is a Linux procfs file"
        case .missingSeries(let name, let detail):
            return "node_exporter scrape has no \(name) (\(detail)); enable its collector on the target"
        case .counterReset(let detail):
            return "counters went backwards between two scrapes (\(detail)); the target restarted, collect again"
        case .scrapeFailed(let target, let reason):
            return "cannot scrape \(target): \(reason); check that node_exporter runs there and the address is right"
        case .cancelled:
            return "collection cancelled while waiting for the sampling window; run it again"
        }
    }
}
