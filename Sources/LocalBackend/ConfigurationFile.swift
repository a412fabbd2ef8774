import Foundation
public import InfraMonitorCore
import Yams

/// Reads and writes `config.yaml`.
public enum ConfigurationFile {
    /// The configuration at `path`, or the defaults when `path` does not exist and `required` is false.
    /// - Throws: ``LocalBackendError/configuration(path:reason:)`` for unreadable or invalid YAML.
    public static func load(path: String, required: Bool) throws -> Settings {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw LocalBackendError.configuration(path: path, reason: "no such file") }
            return Settings()
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LocalBackendError.configuration(path: path, reason: "cannot read it (\(error.localizedDescription))")
        }
        return try parse(text, path: path)
    }

    /// The settings in `text`, the contents of the configuration file at `path` (named in errors).
    /// - Throws: ``LocalBackendError/configuration(path:reason:)`` for invalid YAML, an unknown
    ///   key (with its line) or a value out of range.
    public static func parse(_ text: String, path: String) throws -> Settings {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).allSatisfy({ $0 == "-" }) {
            return Settings()
        }
        do {
            let root = try Yams.compose(yaml: text)
            if let root { try checkKeys(root, schema: schema, path: "") }
            var settings = try YAMLDecoder().decode(Settings.self, from: text)
            if let root, case .mapping(let mapping) = root, let alarms = mapping["alarms"] {
                settings.alarms = try YAMLJSON.value(of: alarms)
            }
            if let problem = validate(settings) { throw YAMLJSON.Unsupported(reason: problem, line: nil) }
            return settings
        } catch let error as YAMLJSON.Unsupported {
            throw LocalBackendError.configuration(path: path, reason: error.description)
        } catch let error as DecodingError {
            throw LocalBackendError.configuration(path: path, reason: describe(error))
        } catch {
            throw LocalBackendError.configuration(path: path, reason: "\(error)")
        }
    }

    /// The keys config.yaml may hold: a nested schema per section; `nil` marks a section another
    /// module validates (`alarms` by Alarms, `scrape_configs` by the fleet's parser).
    indirect enum Schema {
        case section([String: Schema?])
        case value
    }

    static let schema: Schema = .section([
        "host": .value, "schedule": .value, "region": .value, "state_machine_definition": .value,
        "aws": .section(["region": .value, "endpoint_url": .value, "bucket": .value, "table": .value, "cloudwatch_dimensions": .value]),
        "collection": .section(["sample_window_seconds": .value, "proc_root": .value, "shard_size": .value]),
        "notifications": .section(["webhook_url": .value, "email_to": .value, "email_from": .value, "sendmail_path": .value]),
        "alarms": nil, "scrape_configs": nil, "collect_local": .value,
        "retention": .section([
            "raw_infrequent_access_days": .value, "raw_expiration_days": .value, "records_days": .value, "alarm_history_days": .value,
        ]),
    ])

    /// Refuses a key the schema does not know, naming it, where it is and its line: a misspelt
    /// key would otherwise be silently ignored.
    static func checkKeys(_ node: Node, schema: Schema, path: String) throws {
        guard case .section(let known) = schema else { return }
        guard case .mapping(let mapping) = node else {
            if path.isEmpty, case .scalar = node, node.null != nil { return }
            throw YAMLJSON.Unsupported(reason: "\(path.isEmpty ? "the file" : path) must be a mapping of keys", line: node.mark.map(\.line))
        }
        for (key, value) in mapping {
            let name = key.string ?? ""
            guard let entry = known[name] else {
                let place = path.isEmpty ? "at the top level" : "in \(path)"
                throw YAMLJSON.Unsupported(
                    reason: "unknown key '\(name)' \(place); known keys: \(known.keys.sorted().joined(separator: ", "))",
                    line: key.mark.map(\.line)
                )
            }
            if let entry { try checkKeys(value, schema: entry, path: path.isEmpty ? name : path + "." + name) }
        }
    }

    /// The first setting whose value cannot work, with what would.
    static func validate(_ settings: Settings) -> String? {
        let window = settings.collection.sampleWindowSeconds
        if !window.isFinite || window <= 0 || window > 60 {
            return "collection.sample_window_seconds is \(window); it must be a number of seconds above 0 and at most 60"
        }
        if let size = settings.collection.shardSize, size < 1 {
            return "collection.shard_size is \(size); it must be a number of targets of at least 1"
        }
        if let url = settings.notifications.webhookURL, !url.isEmpty {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host?.isEmpty == false
            else {
                return "notifications.webhook_url must be an http(s) URL such as https://hooks.example.com/infra-monitor"
            }
        }
        if let endpoint = settings.aws.endpointURL, !endpoint.isEmpty {
            guard let parsed = URL(string: endpoint), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil
            else { return "aws.endpoint_url must be an http(s) URL such as http://127.0.0.1:5000" }
        }
        if let mode = settings.aws.cloudWatchDimensions, CloudWatchDimensions(rawValue: mode) == nil, !mode.isEmpty {
            return "aws.cloudwatch_dimensions is '\(mode)'; it must be per-host (a custom metric per host and series) or fleet (one per series)"
        }
        if settings.collection.procRoot.isEmpty { return "collection.proc_root must name a folder, such as /proc" }
        return validate(settings.retention)
    }

    /// The first retention window that cannot work. The raw windows are held to what S3 accepts
    /// in a lifecycle configuration, so that the folder bucket never follows a schedule AWS would
    /// refuse: objects must stay at least 30 days in S3 Standard before a lifecycle rule moves them
    /// to S3 Standard-IA, and the expiration must come after the transition ("Constraints and
    /// considerations for transitions" in the Amazon S3 User Guide; `Transition.Days` in the S3 API
    /// Reference). Records cannot outlive the 90-day TTL (`expires_at`) they are written with,
    /// which DynamoDB applies on AWS.
    static func validate(_ retention: Settings.Retention) -> String? {
        let ia = retention.rawInfrequentAccessDays
        if ia < 30 || ia > 36_500 {
            return "retention.raw_infrequent_access_days is \(ia); it must be at least 30 (S3 moves nothing younger to STANDARD_IA) and at most 36500"
        }
        let expiration = retention.rawExpirationDays
        if expiration <= ia || expiration > 36_500 {
            return
                "retention.raw_expiration_days is \(expiration); it must be more than retention.raw_infrequent_access_days (\(ia)) and at most 36500"
        }
        if !(1...90).contains(retention.recordsDays) {
            return "retention.records_days is \(retention.recordsDays); it must be between 1 and 90 (records carry a 90-day TTL)"
        }
        if !(1...36_500).contains(retention.alarmHistoryDays) {
            return "retention.alarm_history_days is \(retention.alarmHistoryDays); it must be between 1 and 36500"
        }
        return nil
    }

    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(at(context.codingPath)) should be \(type)"
        case .valueNotFound(let type, let context): return "\(at(context.codingPath)) needs a \(type) value"
        case .keyNotFound(let key, let context): return "missing \(at(context.codingPath + [key]))"
        case .dataCorrupted(let context): return "\(at(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// The commented file `infra-monitor init` writes.
    public static func template(hostName: String) -> String {
        """
        # InfraMonitor configuration (YAML). Every setting is optional; the values shown are the defaults.
        # Commented lines (#) are examples: remove the '#' to use them.

        # Host name put on every sample. Default: the system's host name (now "\(hostName)").
        # host: web-1

        # When `infra-monitor serve` runs the pipeline, in EventBridge syntax: rate(N minutes|hours|days) or cron(...).
        schedule: rate(3 hours)

        # AWS region, used in ARNs and by the aws backend. Default: AWS_REGION, else eu-west-1.
        # region: eu-west-1

        # The deployment `--backend aws` talks to (each setting: the flag first, then this file, then the
        # environment, then the default).
        # aws:
        #   region: eu-west-1                        # --region; else the region above, AWS_REGION, the profile's
        #   endpoint_url: http://127.0.0.1:5000      # --endpoint-url; else AWS_ENDPOINT_URL
        #   bucket: infra-monitoring-pipeline-data   # --bucket; else INFRA_MONITOR_BUCKET (a suffixed stack's bucket)
        #   table: InfraMetrics                      # else INFRA_MONITOR_TABLE
        #   cloudwatch_dimensions: per-host          # or fleet: statistic sets without host (what `deploy cost` prices)

        # A state-machine definition to run instead of the project's pipeline/state-machine.asl.json.
        # state_machine_definition: /etc/infra-monitor/state-machine.asl.json

        collection:
          # Seconds cpu and network are sampled over when there is no previous collection to compare with.
          sample_window_seconds: 1
          # Where procfs is mounted (a container may mount the host's elsewhere).
          proc_root: /proc

        notifications:
          # Every "Pipeline Success" / "Pipeline Failure" message is kept in the outbox table.
          # Also POST it as JSON to this URL (keep tokens in the URL secret: they are never logged):
          # webhook_url: https://hooks.example.com/infra-monitor
          # Also mail it through the local sendmail interface:
          # email_to: ops@example.com
          email_from: infra-monitor@localhost
          sendmail_path: /usr/sbin/sendmail

        # How long data is kept, in days: applied by `infra-monitor lifecycle apply` and once a day by `serve`.
        # retention:
        #   raw_infrequent_access_days: 30   # raw batches count as STANDARD_IA (S3 moves them itself on AWS); at least 30
        #   raw_expiration_days: 90          # raw batches are deleted with their metrics samples
        #   records_days: 90                 # infra_metrics records are deleted (they carry a 90-day TTL); at most 90
        #   alarm_history_days: 14           # alarm history kept (CloudWatch keeps two weeks)

        """
    }
}
