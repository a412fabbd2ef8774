import AWSClients
import Collectors
import Fleet
import InfraMonitorCore

/// Where the data-collector finds its scrape configs on AWS: the object `deploy apply` uploaded to
/// the code bucket (`SCRAPE_CONFIG_BUCKET`, `SCRAPE_CONFIG_KEY`). Not an environment variable:
/// Lambda allows 4 KB for all of a function's variables together
/// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), which a fleet's
/// scrape jobs outgrow. The key is content-addressed, so a changed config is a new key, set by the
/// stack update that `deploy apply` makes, and a warm sandbox reads each key once.
actor FleetSource {
    let s3: S3Client
    let bucket: String
    let key: String
    private var cached: FleetMetricCollector?

    init(s3: S3Client, bucket: String, key: String) {
        self.s3 = s3
        self.bucket = bucket
        self.key = key
    }

    /// The fleet collector of the deployed scrape configs, read and parsed on the first call. The
    /// same discovery serves every later invocation of the sandbox.
    /// - Throws: ``FunctionSetupError`` when the object cannot be read or parsed.
    func collector() async throws -> FleetMetricCollector {
        if let cached { return cached }
        let bytes: [UInt8]
        do {
            bytes = try await s3.getObject(bucket: bucket, key: key)
        } catch {
            throw FunctionSetupError(reason: "cannot read the scrape configs s3://\(bucket)/\(key): \(error); run `infra-monitor deploy apply` again")
        }
        let configs: [ScrapeConfig]
        do {
            configs = try ScrapeConfigLoader.load(yaml: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw FunctionSetupError(reason: "the scrape configs s3://\(bucket)/\(key) are invalid: \(error)")
        }
        let collector = FleetMetricCollector(
            discovery: TargetDiscovery(configs: configs, ec2: { try await EC2Discovery.list($0) }),
            fetcher: HTTPTargetFetcher(client: Self.client),
            options: FleetScrapeOptions(),
            local: nil
        )
        cached = collector
        return collector
    }

    /// The scrapes' HTTP client, for the life of the sandbox.
    static let client = HTTPTargetFetcher.makeClient()
}
