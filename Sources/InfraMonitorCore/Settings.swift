public import InfraJSON

/// Everything an operator can set in `config.yaml`; every field has a default so that `run`
/// works with no file at all (docs/design.md, "Configuration").
public struct Settings: Sendable, Hashable, Codable {
    /// The host name put on samples; the system's when unset.
    public var host: String?
    /// The schedule of `serve`, in EventBridge syntax.
    public var schedule: String
    /// The AWS region for the aws backend and for ARNs (unset: the environment's, else eu-west-1).
    public var region: String?
    /// Where the aws backend finds its services; unset fields fall back to the environment and the defaults.
    public var aws: AWS
    /// A state-machine definition to use instead of the project's `pipeline/state-machine.asl.json`.
    public var stateMachineDefinition: String?
    public var collection: Collection
    public var notifications: Notifications
    /// With `scrape_configs`, whether this machine is collected too (`collect_local`).
    public var collectLocal: Bool = false
    /// The `alarms:` list, in CloudWatch's `PutMetricAlarm` fields (parsed by the `Alarms` module).
    public var alarms: JSON = .array([])
    /// The `retention:` section: how long raw batches, records and alarm history are kept.
    public var retention: Retention = Retention()

    public init(
        host: String? = nil,
        schedule: String = "rate(3 hours)",
        region: String? = nil,
        stateMachineDefinition: String? = nil,
        aws: AWS = AWS(),
        collection: Collection = Collection(),
        notifications: Notifications = Notifications()
    ) {
        self.host = host
        self.schedule = schedule
        self.region = region
        self.aws = aws
        self.stateMachineDefinition = stateMachineDefinition
        self.collection = collection
        self.notifications = notifications
    }

    /// The region the embedded backend writes into local ARNs.
    public var localRegion: String { region ?? "eu-west-1" }

    /// The `aws:` section: the deployment the aws backend talks to.
    public struct AWS: Sendable, Hashable, Codable {
        /// The region (overrides the top-level `region` for the aws backend).
        public var region: String?
        /// An AWS-compatible endpoint instead of AWS itself (moto_server in tests).
        public var endpointURL: String?
        /// The data bucket (a stack with `BucketNameSuffix` names it `infra-monitoring-pipeline-data-<suffix>`).
        public var bucket: String?
        /// The metrics table.
        public var table: String?
        /// `cloudwatch_dimensions`: `per-host` (default) or `fleet`, see ``CloudWatchDimensions``.
        public var cloudWatchDimensions: String?

        public init(
            region: String? = nil,
            endpointURL: String? = nil,
            bucket: String? = nil,
            table: String? = nil,
            cloudWatchDimensions: String? = nil
        ) {
            self.region = region
            self.endpointURL = endpointURL
            self.bucket = bucket
            self.table = table
            self.cloudWatchDimensions = cloudWatchDimensions
        }

        /// The dimension mode the publisher uses; an unknown value is refused when the config is read.
        public var dimensions: CloudWatchDimensions { (try? CloudWatchDimensions(setting: cloudWatchDimensions)) ?? .perHost }

        enum CodingKeys: String, CodingKey {
            case region
            case endpointURL = "endpoint_url"
            case bucket, table
            case cloudWatchDimensions = "cloudwatch_dimensions"
        }
    }

    /// How the collectors read the system.
    public struct Collection: Sendable, Hashable, Codable {
        /// The sampling window for cpu and network when there is no previous collection.
        public var sampleWindowSeconds: Double
        /// Where procfs is mounted; tests point it elsewhere.
        public var procRoot: String
        /// `shard_size`: the most scrape targets one data-collector invocation scrapes for one
        /// metric (the definition's `${ShardSize}`); nil: the default.
        public var shardSize: Int?

        public init(sampleWindowSeconds: Double = 1, procRoot: String = "/proc", shardSize: Int? = nil) {
            self.sampleWindowSeconds = sampleWindowSeconds
            self.procRoot = procRoot
            self.shardSize = shardSize
        }

        enum CodingKeys: String, CodingKey {
            case sampleWindowSeconds = "sample_window_seconds"
            case procRoot = "proc_root"
            case shardSize = "shard_size"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            sampleWindowSeconds = try c.decodeIfPresent(Double.self, forKey: .sampleWindowSeconds) ?? 1
            procRoot = try c.decodeIfPresent(String.self, forKey: .procRoot) ?? "/proc"
            shardSize = try c.decodeIfPresent(Int.self, forKey: .shardSize)
        }
    }

    /// Where "Pipeline Success" / "Pipeline Failure" messages go besides the outbox.
    public struct Notifications: Sendable, Hashable, Codable {
        /// An HTTP(S) URL that receives each message as a JSON POST.
        public var webhookURL: String?
        /// Recipient for mail through the local sendmail interface.
        public var emailTo: String?
        public var emailFrom: String
        public var sendmailPath: String

        public init(
            webhookURL: String? = nil,
            emailTo: String? = nil,
            emailFrom: String = "infra-monitor@localhost",
            sendmailPath: String = "/usr/sbin/sendmail"
        ) {
            self.webhookURL = webhookURL
            self.emailTo = emailTo
            self.emailFrom = emailFrom
            self.sendmailPath = sendmailPath
        }

        enum CodingKeys: String, CodingKey {
            case webhookURL = "webhook_url"
            case emailTo = "email_to"
            case emailFrom = "email_from"
            case sendmailPath = "sendmail_path"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            webhookURL = try c.decodeIfPresent(String.self, forKey: .webhookURL)
            emailTo = try c.decodeIfPresent(String.self, forKey: .emailTo)
            emailFrom = try c.decodeIfPresent(String.self, forKey: .emailFrom) ?? "infra-monitor@localhost"
            sendmailPath = try c.decodeIfPresent(String.self, forKey: .sendmailPath) ?? "/usr/sbin/sendmail"
        }
    }

    /// The retention windows, in days (docs/design.md, "Retention"): the seed's bucket lifecycle
    /// (STANDARD_IA at 30 days, expiry at 90), the table's TTL (90 days) and CloudWatch's two weeks
    /// of alarm history, applied by `lifecycle apply` and once a day by `serve`.
    public struct Retention: Sendable, Hashable, Codable {
        /// Days after which a raw batch counts as STANDARD_IA (S3 moves it itself on AWS).
        public var rawInfrequentAccessDays: Int
        /// Days after which a raw batch and its `metrics` samples are deleted.
        public var rawExpirationDays: Int
        /// Days after which `infra_metrics` records are deleted (at most the 90-day TTL they carry).
        public var recordsDays: Int
        /// Days of alarm history kept.
        public var alarmHistoryDays: Int

        public init(rawInfrequentAccessDays: Int = 30, rawExpirationDays: Int = 90, recordsDays: Int = 90, alarmHistoryDays: Int = 14) {
            self.rawInfrequentAccessDays = rawInfrequentAccessDays
            self.rawExpirationDays = rawExpirationDays
            self.recordsDays = recordsDays
            self.alarmHistoryDays = alarmHistoryDays
        }

        enum CodingKeys: String, CodingKey {
            case rawInfrequentAccessDays = "raw_infrequent_access_days"
            case rawExpirationDays = "raw_expiration_days"
            case recordsDays = "records_days"
            case alarmHistoryDays = "alarm_history_days"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Retention()
            rawInfrequentAccessDays = try c.decodeIfPresent(Int.self, forKey: .rawInfrequentAccessDays) ?? defaults.rawInfrequentAccessDays
            rawExpirationDays = try c.decodeIfPresent(Int.self, forKey: .rawExpirationDays) ?? defaults.rawExpirationDays
            recordsDays = try c.decodeIfPresent(Int.self, forKey: .recordsDays) ?? defaults.recordsDays
            alarmHistoryDays = try c.decodeIfPresent(Int.self, forKey: .alarmHistoryDays) ?? defaults.alarmHistoryDays
        }
    }

    enum CodingKeys: String, CodingKey {
        case host, schedule, region, aws
        case collectLocal = "collect_local"
        case stateMachineDefinition = "state_machine_definition"
        case collection, notifications
        case retention
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decodeIfPresent(String.self, forKey: .host)
        schedule = try c.decodeIfPresent(String.self, forKey: .schedule) ?? "rate(3 hours)"
        region = try c.decodeIfPresent(String.self, forKey: .region)
        aws = try c.decodeIfPresent(AWS.self, forKey: .aws) ?? AWS()
        collectLocal = try c.decodeIfPresent(Bool.self, forKey: .collectLocal) ?? false
        stateMachineDefinition = try c.decodeIfPresent(String.self, forKey: .stateMachineDefinition)
        collection = try c.decodeIfPresent(Collection.self, forKey: .collection) ?? Collection()
        notifications = try c.decodeIfPresent(Notifications.self, forKey: .notifications) ?? Notifications()
        retention = try c.decodeIfPresent(Retention.self, forKey: .retention) ?? Retention()
    }
}
