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
        if text.trimmingCharacters(in: .whitespacesAndNewlines).allSatisfy({ $0 == "-" }) {
            return Settings()
        }
        do {
            var settings = try YAMLDecoder().decode(Settings.self, from: text)
            if let root = try Yams.compose(yaml: text), case .mapping(let mapping) = root, let alarms = mapping["alarms"] {
                settings.alarms = try YAMLJSON.value(of: alarms)
            }
            return settings
        } catch let error as YAMLJSON.Unsupported {
            throw LocalBackendError.configuration(path: path, reason: error.description)
        } catch let error as DecodingError {
            throw LocalBackendError.configuration(path: path, reason: describe(error))
        } catch {
            throw LocalBackendError.configuration(path: path, reason: "\(error)")
        }
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

        """
    }
}
