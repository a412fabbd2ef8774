public import InfraJSON

/// A target that discovery found, as the targets page lists it before any scrape.
public struct DiscoveredTarget: Sendable, Hashable {
    public var job: String
    /// The final `__address__`.
    public var target: String
    /// The host known before scraping: the `host` label, else the address without its port.
    public var host: String
    /// The final labels after relabeling.
    public var labels: [String: String]

    public init(job: String, target: String, host: String, labels: [String: String]) {
        self.job = job
        self.target = target
        self.host = host
        self.labels = labels
    }

    /// The JSON of `/api/targets` for a target no execution has scraped yet.
    public var unknownJSON: JSON {
        [
            "job": .string(job), "target": .string(target), "host": .string(host), "labels": .object(labels.mapValues(JSON.string)),
            "health": .string("unknown"), "scrape_seconds": .null, "error": .null, "last_scrape": .null, "execution_id": .null,
        ]
    }
}

/// The targets `serve` discovered last (when file_sd files changed), and the problems of that
/// discovery (a malformed file keeps its previous targets), for the targets page and `/api/targets`.
public actor DiscoveredTargets {
    /// The targets of the newest discovery; nil before the first.
    public private(set) var targets: [DiscoveredTarget]?
    /// The problems of the newest discovery, as one line each.
    public private(set) var problems: [String] = []
    /// When the newest discovery ran.
    public private(set) var updated: Timestamp?

    public init() {}

    /// Replaces the targets and problems with those of a new discovery.
    public func update(targets: [DiscoveredTarget], problems: [String], at time: Timestamp = .now()) {
        self.targets = targets
        self.problems = problems
        updated = time
    }

    /// The discovered targets that `health` does not list (by job and address): never scraped.
    public func unscraped(besides health: [TargetStatus]) -> [DiscoveredTarget] {
        let known = Set(health.map { $0.job + "\u{0}" + $0.target })
        return (targets ?? []).filter { !known.contains($0.job + "\u{0}" + $0.target) }
    }
}
