import Collectors
public import InfraMonitorCore

/// A failed target as the notification body and `executions show` list it:
/// `{"target": "10.0.0.7:9100", "error": "…"}`.
public struct FailedTarget: Sendable, Hashable {
    /// The target's address.
    public var target: String
    public var host: String
    public var error: String

    public init(target: String, host: String, error: String) {
        self.target = target
        self.host = host
        self.error = error
    }
}

extension FleetMetricResult {
    /// The failed targets with their errors as text.
    public var failedTargetList: [FailedTarget] {
        failedTargets.map { FailedTarget(target: $0.target.address, host: $0.host, error: $0.error.map { "\($0)" } ?? "unknown") }
    }
}

/// Discovery and scraping together, for one branch of the pipeline: discover the targets of
/// the scrape configs now, then scrape them for one metric.
public struct FleetCollector: Sendable {
    public let discovery: TargetDiscovery
    public let scraper: FleetScraper

    public init(discovery: TargetDiscovery, scraper: FleetScraper) {
        self.discovery = discovery
        self.scraper = scraper
    }

    /// The discovery (targets, dropped targets, problems) and the metric's result over its targets.
    public func collect(_ metric: Metric, now: Timestamp) async -> (discovery: DiscoveryResult, result: FleetMetricResult) {
        let found = await discovery.discover()
        return (found, await scraper.collect(metric, targets: found.targets, now: now))
    }
}
