public import InfraJSON

/// One target as Prometheus's targets page shows it: the scrapes of its newest execution folded
/// over the four branches (each branch scrapes every target for its own metric).
public struct TargetStatus: Sendable, Hashable {
    public var job: String
    public var target: String
    public var host: String
    /// The final labels after relabeling.
    public var labels: [String: String]
    /// Up when every branch of the newest execution scraped it.
    public var up: Bool
    /// The longest scrape of the newest execution, in seconds.
    public var scrapeSeconds: Double
    /// The first error of the newest execution, with its metric: `cpu_utilization: HTTP status 500`.
    public var error: String?
    /// The newest scrape's time.
    public var lastScrape: Timestamp
    /// The execution of the newest scrapes.
    public var executionID: String

    public init(
        job: String,
        target: String,
        host: String,
        labels: [String: String],
        up: Bool,
        scrapeSeconds: Double,
        error: String?,
        lastScrape: Timestamp,
        executionID: String
    ) {
        self.job = job
        self.target = target
        self.host = host
        self.labels = labels
        self.up = up
        self.scrapeSeconds = scrapeSeconds
        self.error = error
        self.lastScrape = lastScrape
        self.executionID = executionID
    }

    /// One status per (job, target), ordered by job and target, from per-metric scrapes: only the
    /// scrapes of the target's newest execution count, so that a metric that stopped being
    /// scraped does not keep an old result alive.
    public static func fold(_ scrapes: [TargetHealth]) -> [TargetStatus] {
        let byTarget = Dictionary(grouping: scrapes) { TargetKey(job: $0.job, target: $0.target) }
        return byTarget.keys.sorted { ($0.job, $0.target) < ($1.job, $1.target) }.compactMap { key in
            let all = byTarget[key] ?? []
            guard let newest = all.max(by: { $0.scrapedAt < $1.scrapedAt }) else { return nil }
            let current = all.filter { $0.executionID == newest.executionID }.sorted { $0.metric < $1.metric }
            let failure = current.first { !$0.up }
            return TargetStatus(
                job: key.job,
                target: key.target,
                host: (current.first { $0.up } ?? newest).host,
                labels: newest.labels,
                up: failure == nil,
                scrapeSeconds: current.map(\.scrapeSeconds).max() ?? 0,
                error: failure.map { "\($0.metric): \($0.error ?? "down")" },
                lastScrape: newest.scrapedAt,
                executionID: newest.executionID
            )
        }
    }

    private struct TargetKey: Hashable {
        var job: String
        var target: String
    }

    /// The JSON of `infra-monitor targets --format json` and `/api/targets`.
    public var json: JSON {
        [
            "job": .string(job), "target": .string(target), "host": .string(host), "labels": .object(labels.mapValues(JSON.string)),
            "health": .string(up ? "up" : "down"), "scrape_seconds": .number(scrapeSeconds), "error": error.map(JSON.string) ?? .null,
            "last_scrape": .string(lastScrape.iso8601Milliseconds), "execution_id": .string(executionID),
        ]
    }
}

/// A target an execution's branch could not scrape, read back from the execution's history.
public struct ExecutionFailedTarget: Sendable, Hashable {
    /// The branch's metric.
    public var metric: String
    public var target: String
    public var error: String

    public init(metric: String, target: String, error: String) {
        self.metric = metric
        self.target = target
        self.error = error
    }

    /// The `failed_targets` of the data-collector results in `events`: each `TaskSucceeded`
    /// event's `output` is the `lambda:invoke` result, whose `Payload` lists them (embedded and in
    /// Step Functions' history alike). In event order, each (metric, target) once.
    public static func list(in events: [ExecutionEvent]) -> [ExecutionFailedTarget] {
        var seen = Set<ExecutionFailedTarget>()
        var out: [ExecutionFailedTarget] = []
        for event in events where event.type.name == "TaskSucceeded" {
            guard let text = event.details["output"]?.stringValue, let output = try? JSON(parsing: text) else { continue }
            let payload = output["Payload"] ?? output
            let metric = payload["metric"]?.stringValue ?? ""
            for failure in payload["failed_targets"]?.arrayValue ?? [] {
                let entry = ExecutionFailedTarget(
                    metric: metric,
                    target: failure["target"]?.stringValue ?? "",
                    error: failure["error"]?.stringValue ?? ""
                )
                if seen.insert(entry).inserted { out.append(entry) }
            }
        }
        return out
    }
}
