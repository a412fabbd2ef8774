import Foundation
import Yams

/// A group of targets as discovery yields it: addresses and the labels they share (meta labels
/// included), as in a Prometheus file_sd document.
public struct TargetGroup: Sendable, Hashable {
    /// `host:port` addresses.
    public var targets: [String]
    public var labels: [String: String]
    /// Where the group came from (`static`, a file path, `ec2:REGION`).
    public var source: String

    public init(targets: [String], labels: [String: String] = [:], source: String) {
        self.targets = targets
        self.labels = labels
        self.source = source
    }
}

/// A target after relabeling, ready to scrape.
public struct ScrapeTarget: Sendable, Hashable {
    public var job: String
    /// `host:port` (the final `__address__`).
    public var address: String
    public var scheme: ScrapeScheme
    public var metricsPath: String
    /// The final labels without the `__`-prefixed ones: `job`, `instance` and the operator's labels.
    public var labels: [String: String]
    /// The labels before relabeling (as Prometheus's targets page shows them).
    public var discoveredLabels: [String: String]
    public var timeoutSeconds: Double
    public var tls: TLSConfig
    public var basicAuth: BasicAuth?
    public var authorization: Authorization?

    public init(
        job: String,
        address: String,
        scheme: ScrapeScheme = .http,
        metricsPath: String = "/metrics",
        labels: [String: String] = [:],
        discoveredLabels: [String: String] = [:],
        timeoutSeconds: Double = 10,
        tls: TLSConfig = TLSConfig(),
        basicAuth: BasicAuth? = nil,
        authorization: Authorization? = nil
    ) {
        self.job = job
        self.address = address
        self.scheme = scheme
        self.metricsPath = metricsPath
        self.labels = labels
        self.discoveredLabels = discoveredLabels
        self.timeoutSeconds = timeoutSeconds
        self.tls = tls
        self.basicAuth = basicAuth
        self.authorization = authorization
    }

    /// `scheme://address/metrics_path`.
    public var url: String { "\(scheme.rawValue)://\(address)\(metricsPath)" }

    /// The key of this target's collector state: job and URL.
    public var stateKey: String { "\(job)|\(url)" }

    /// The `host` label after relabeling, if any.
    public var hostLabel: String? { labels["host"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The labels the target adds to its samples: every final label except `host` (the sample's host).
    public var sampleLabels: [String: String] {
        var result = labels
        result["host"] = nil
        return result
    }

    /// The host of the target's samples: its `host` label; else `nodename` from
    /// `node_uname_info`; else the address without its port.
    public func host(nodename: String?) -> String {
        if let hostLabel { return hostLabel }
        if let nodename, !nodename.isEmpty { return nodename }
        return Self.hostPart(of: address)
    }

    /// `10.0.0.5:9100` → `10.0.0.5`, `[::1]:9100` → `::1`, `name` → `name`.
    public static func hostPart(of address: String) -> String {
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<close])
        }
        let colons = address.filter { $0 == ":" }.count
        if colons == 1, let colon = address.lastIndex(of: ":") { return String(address[..<colon]) }
        return address
    }
}

/// A target that relabeling dropped or that has no usable address, for the targets page.
public struct DroppedTarget: Sendable, Hashable {
    public var job: String
    public var discoveredLabels: [String: String]
    /// Why: `dropped by relabeling` or the address problem.
    public var reason: String

    public init(job: String, discoveredLabels: [String: String], reason: String) {
        self.job = job
        self.discoveredLabels = discoveredLabels
        self.reason = reason
    }
}

/// Prometheus's target labeling: group labels, `__address__`, the job's defaults, relabeling,
/// then `instance` defaulting to the address and `__`-prefixed labels removed.
public enum TargetLabeling {
    /// The targets of `groups` for `config`, in group order, and those that were dropped.
    public static func targets(for config: ScrapeConfig, groups: [TargetGroup]) -> (targets: [ScrapeTarget], dropped: [DroppedTarget]) {
        var targets: [ScrapeTarget] = []
        var dropped: [DroppedTarget] = []
        var seen = Set<String>()
        for group in groups {
            for address in group.targets {
                var labels = group.labels
                labels["__address__"] = address
                if labels["job"] == nil { labels["job"] = config.jobName }
                if labels["__scheme__"] == nil { labels["__scheme__"] = config.scheme.rawValue }
                if labels["__metrics_path__"] == nil { labels["__metrics_path__"] = config.metricsPath }
                if labels["__scrape_timeout__"] == nil { labels["__scrape_timeout__"] = formatDuration(config.scrapeTimeoutSeconds) }
                let discovered = labels
                guard let relabeled = RelabelConfig.apply(config.relabelConfigs, to: labels) else {
                    dropped.append(DroppedTarget(job: config.jobName, discoveredLabels: discovered, reason: "dropped by relabeling"))
                    continue
                }
                guard let finalAddress = relabeled["__address__"], !finalAddress.isEmpty, !finalAddress.contains("/") else {
                    dropped.append(DroppedTarget(job: config.jobName, discoveredLabels: discovered, reason: "no valid __address__ after relabeling"))
                    continue
                }
                let scheme = ScrapeScheme(rawValue: relabeled["__scheme__"] ?? "") ?? config.scheme
                var path = relabeled["__metrics_path__"] ?? config.metricsPath
                if !path.hasPrefix("/") { path = "/" + path }
                let timeout = relabeled["__scrape_timeout__"].flatMap(YAMLValue.parseDuration) ?? config.scrapeTimeoutSeconds
                var final: [String: String] = [:]
                for (name, value) in relabeled where !name.hasPrefix("__") && !value.isEmpty { final[name] = value }
                if final["instance"] == nil { final["instance"] = finalAddress }
                let target = ScrapeTarget(
                    job: config.jobName,
                    address: finalAddress,
                    scheme: scheme,
                    metricsPath: path,
                    labels: final,
                    discoveredLabels: discovered,
                    timeoutSeconds: timeout,
                    tls: config.tls,
                    basicAuth: config.basicAuth,
                    authorization: config.authorization
                )
                guard seen.insert(target.stateKey + "|" + final.sorted(by: { $0.key < $1.key }).description).inserted else { continue }
                targets.append(target)
            }
        }
        return (targets, dropped)
    }

    static func formatDuration(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(Int((seconds * 1000).rounded()))ms"
    }
}

/// Reads Prometheus file_sd documents: a JSON or YAML list of `{targets: [...], labels: {...}}`.
public enum FileSD {
    /// The groups of one file's contents; each group gets `__meta_filepath`.
    /// - Throws: ``FleetError/malformedTargetFile(path:detail:)``.
    public static func parse(_ text: String, path: String) throws(FleetError) -> [TargetGroup] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw .malformedTargetFile(path: path, detail: "not JSON or YAML: \(error)")
        }
        guard let root else { return [] }
        var groups: [TargetGroup] = []
        do throws(FleetError) {
            for (index, item) in try YAMLValue.sequence(root, path: "the document").enumerated() {
                let itemPath = "group \(index)"
                let map = try YAMLValue.mapping(item, path: itemPath, keys: ["targets", "labels"])
                var labels = try map["labels"].map { node throws(FleetError) in try YAMLValue.labels(node, path: itemPath + ".labels") } ?? [:]
                labels["__meta_filepath"] = path
                let targets = try map["targets"].map { node throws(FleetError) in try YAMLValue.strings(node, path: itemPath + ".targets") } ?? []
                groups.append(TargetGroup(targets: targets, labels: labels, source: path))
            }
        } catch {
            throw .malformedTargetFile(path: path, detail: "\(error)")
        }
        return groups
    }

    /// The files a pattern names now (`glob(3)`, sorted).
    public static func expand(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths.sorted()
    }
}

/// The outcome of one discovery: the targets to scrape, the dropped ones and what went wrong.
public struct DiscoveryResult: Sendable, Hashable {
    public var targets: [ScrapeTarget]
    public var dropped: [DroppedTarget]
    /// Problems that did not stop discovery (a malformed file_sd file, a failed EC2 call).
    public var problems: [FleetError]

    public init(targets: [ScrapeTarget] = [], dropped: [DroppedTarget] = [], problems: [FleetError] = []) {
        self.targets = targets
        self.dropped = dropped
        self.problems = problems
    }
}

/// Finds the targets of scrape configs: static configs, file_sd files (re-read on every call
/// unless no file changed, see below; a malformed file keeps the targets it had at the previous
/// call, and is reported) and EC2 discovery through an injected function.
///
/// Without `ec2_sd_configs`, a call that finds the same file_sd files with the same contents, byte
/// for byte, as the previous call returns the previous result without parsing and relabeling
/// again: the four branches of one execution discover the same fleet.
public actor TargetDiscovery {
    /// Lists EC2 instances for one `ec2_sd_configs` entry as target groups (see ``EC2Discovery``).
    public typealias EC2Lister = @Sendable (EC2SDConfig) async throws -> [TargetGroup]

    public nonisolated let configs: [ScrapeConfig]
    private let ec2: EC2Lister?
    private var lastGoodFiles: [String: [TargetGroup]] = [:]
    private var previous: (files: [FileContents], result: DiscoveryResult)?

    /// A file_sd file as it was read: nil contents when it could not be read.
    struct FileContents: Hashable {
        var path: String
        var contents: Data?
    }

    /// - Parameter ec2: how `ec2_sd_configs` are listed; without it they are reported as problems.
    public init(configs: [ScrapeConfig], ec2: EC2Lister? = nil) {
        self.configs = configs
        self.ec2 = ec2
    }

    /// Discovers every job's targets now.
    public func discover() async -> DiscoveryResult {
        let cacheable = configs.allSatisfy { $0.ec2SDConfigs.isEmpty }
        var files: [FileContents] = []
        if cacheable {
            for config in configs {
                for entry in config.fileSDConfigs {
                    for pattern in entry.files {
                        files += FileSD.expand(pattern).map { FileContents(path: $0, contents: FileManager.default.contents(atPath: $0)) }
                    }
                }
            }
            if let previous, previous.files == files { return previous.result }
        }
        var result = DiscoveryResult()
        for config in configs {
            var groups: [TargetGroup] = []
            for entry in config.staticConfigs {
                groups.append(TargetGroup(targets: entry.targets, labels: entry.labels, source: "static"))
            }
            for entry in config.fileSDConfigs {
                for pattern in entry.files {
                    for path in FileSD.expand(pattern) {
                        do throws(FleetError) {
                            let text: String
                            do {
                                text = try String(contentsOfFile: path, encoding: .utf8)
                            } catch {
                                throw FleetError.unreadableFile(path: path, reason: "\(error.localizedDescription)")
                            }
                            let parsed = try FileSD.parse(text, path: path)
                            lastGoodFiles[path] = parsed
                            groups += parsed
                        } catch {
                            result.problems.append(error)
                            groups += lastGoodFiles[path] ?? []
                        }
                    }
                }
            }
            for entry in config.ec2SDConfigs {
                guard let ec2 else {
                    result.problems.append(.ec2Discovery(region: entry.region, detail: "no EC2 client is configured"))
                    continue
                }
                do {
                    groups += try await ec2(entry)
                } catch let error as FleetError {
                    result.problems.append(error)
                } catch {
                    result.problems.append(.ec2Discovery(region: entry.region, detail: "\(error)"))
                }
            }
            let (targets, dropped) = TargetLabeling.targets(for: config, groups: groups)
            result.targets += targets
            result.dropped += dropped
        }
        if cacheable { previous = (files, result) }
        return result
    }
}
