public import Collectors
public import InfraMonitorCore

/// The fleet as the pipeline's ``MetricCollector``: each branch discovers the scrape targets and
/// scrapes every one for its own metric, with the counter state of each target kept in the
/// pipeline's collector state; with `local`, this machine is collected too.
///
/// A failing or slow target never fails the branch: it is listed in ``CollectedMetric/failedTargets``
/// (and so in the notification's `failed_targets`). Only when every target failed (and there is no
/// local collection) does the branch fail, with the first target's error.
public struct FleetMetricCollector: MetricCollector {
    public let discovery: TargetDiscovery
    public let fetcher: any TargetFetcher
    public let options: FleetScrapeOptions
    /// This machine's collector, when `collect_local: true`.
    public let local: (any MetricCollector)?

    public init(discovery: TargetDiscovery, fetcher: any TargetFetcher, options: FleetScrapeOptions, local: (any MetricCollector)?) {
        self.discovery = discovery
        self.fetcher = fetcher
        self.options = options
        self.local = local
    }

    public func collect(_ metric: Metric, state: any CollectorStateStore, now: Timestamp) async throws -> CollectedMetric {
        let scraper = FleetScraper(fetcher: fetcher, stateStore: state, options: options)
        let (found, result) = await FleetCollector(discovery: discovery, scraper: scraper).collect(metric, now: now)
        var failed = result.failedTargetList.map { TargetFailure(target: $0.target, error: $0.error) }
        failed += found.problems.map { TargetFailure(target: "(discovery)", error: "\($0)") }
        let health = Self.health(of: result, metric: metric, at: now)
        var samples = result.samples
        if let local {
            samples += try await local.collect(metric, state: state, now: now).samples
        } else if let error = result.error {
            throw CollectionFailure(error: error, targets: health)
        }
        return CollectedMetric(samples: samples, failedTargets: failed, targets: health)
    }

    /// Each target's scrape as the target-health store keeps it.
    static func health(of result: FleetMetricResult, metric: Metric, at now: Timestamp) -> [TargetHealth] {
        result.targets.map { scrape in
            TargetHealth(
                job: scrape.target.job,
                target: scrape.target.address,
                metric: metric.rawValue,
                host: scrape.host,
                labels: scrape.target.labels,
                up: scrape.up,
                scrapeSeconds: scrape.scrapeSeconds,
                error: scrape.error.map { "\($0)" },
                scrapedAt: now
            )
        }
    }
}
