public import Yams

/// `scheme` of a scrape config.
public enum ScrapeScheme: String, Sendable, Hashable {
    case http
    case https
}

/// `tls_config`: how https targets are verified.
public struct TLSConfig: Sendable, Hashable {
    /// A PEM file of CA certificates to trust instead of the system's.
    public var caFile: String?
    /// Accept any certificate (Prometheus's `insecure_skip_verify`).
    public var insecureSkipVerify: Bool

    public init(caFile: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// `basic_auth`: a user name and a password, inline or read from a file at scrape time.
public struct BasicAuth: Sendable, Hashable {
    public var username: String
    public var password: String?
    public var passwordFile: String?

    public init(username: String, password: String? = nil, passwordFile: String? = nil) {
        self.username = username
        self.password = password
        self.passwordFile = passwordFile
    }
}

/// `authorization`: an `Authorization: TYPE CREDENTIALS` header, the credentials inline or from a file.
public struct Authorization: Sendable, Hashable {
    /// Default `Bearer`.
    public var type: String
    public var credentials: String?
    public var credentialsFile: String?

    public init(type: String = "Bearer", credentials: String? = nil, credentialsFile: String? = nil) {
        self.type = type
        self.credentials = credentials
        self.credentialsFile = credentialsFile
    }
}

/// One `static_configs` entry: targets (`host:port`) and the labels they share.
public struct StaticConfig: Sendable, Hashable {
    public var targets: [String]
    public var labels: [String: String]

    public init(targets: [String], labels: [String: String] = [:]) {
        self.targets = targets
        self.labels = labels
    }
}

/// One `file_sd_configs` entry: file globs of Prometheus file_sd documents (JSON or YAML).
public struct FileSDConfig: Sendable, Hashable {
    public var files: [String]

    public init(files: [String]) { self.files = files }
}

/// One `ec2_sd_configs` filter (`DescribeInstances` `Filter.N`).
public struct EC2Filter: Sendable, Hashable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// One `ec2_sd_configs` entry.
public struct EC2SDConfig: Sendable, Hashable {
    public var region: String
    /// The port scraped on each instance's private IP (Prometheus's default 80).
    public var port: Int
    public var filters: [EC2Filter]
    /// Another EC2 endpoint (a test server, a VPC endpoint).
    public var endpoint: String?

    public init(region: String, port: Int = 80, filters: [EC2Filter] = [], endpoint: String? = nil) {
        self.region = region
        self.port = port
        self.filters = filters
        self.endpoint = endpoint
    }
}

/// One `scrape_configs` entry, with Prometheus's defaults.
public struct ScrapeConfig: Sendable, Hashable {
    public var jobName: String
    /// Default 10 s.
    public var scrapeTimeoutSeconds: Double
    /// Default `/metrics`.
    public var metricsPath: String
    public var scheme: ScrapeScheme
    public var tls: TLSConfig
    public var basicAuth: BasicAuth?
    public var authorization: Authorization?
    public var staticConfigs: [StaticConfig]
    public var fileSDConfigs: [FileSDConfig]
    public var ec2SDConfigs: [EC2SDConfig]
    public var relabelConfigs: [RelabelConfig]
    /// The line of the entry in the configuration (0 when built in code).
    public var line: Int

    public init(
        jobName: String,
        scrapeTimeoutSeconds: Double = 10,
        metricsPath: String = "/metrics",
        scheme: ScrapeScheme = .http,
        tls: TLSConfig = TLSConfig(),
        basicAuth: BasicAuth? = nil,
        authorization: Authorization? = nil,
        staticConfigs: [StaticConfig] = [],
        fileSDConfigs: [FileSDConfig] = [],
        ec2SDConfigs: [EC2SDConfig] = [],
        relabelConfigs: [RelabelConfig] = [],
        line: Int = 0
    ) {
        self.jobName = jobName
        self.scrapeTimeoutSeconds = scrapeTimeoutSeconds
        self.metricsPath = metricsPath
        self.scheme = scheme
        self.tls = tls
        self.basicAuth = basicAuth
        self.authorization = authorization
        self.staticConfigs = staticConfigs
        self.fileSDConfigs = fileSDConfigs
        self.ec2SDConfigs = ec2SDConfigs
        self.relabelConfigs = relabelConfigs
        self.line = line
    }
}

/// Reading `scrape_configs` from YAML, as Prometheus writes them.
public enum ScrapeConfigLoader {
    /// The `scrape_configs` of a whole configuration file; other top-level keys are left to the
    /// rest of the configuration. An empty list when the key is absent.
    /// - Throws: ``FleetError`` naming the key and line of the first problem.
    public static func load(yaml: String) throws(FleetError) -> [ScrapeConfig] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw .invalidYAML(detail: "\(error)")
        }
        guard let root, let mapping = root.mapping else { return [] }
        for (key, value) in mapping where key.string == "scrape_configs" {
            return try parse(scrapeConfigs: value)
        }
        return []
    }

    /// The entries of a `scrape_configs` node.
    public static func parse(scrapeConfigs node: Node) throws(FleetError) -> [ScrapeConfig] {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~" { return [] }
        let items = try YAMLValue.sequence(node, path: "scrape_configs")
        var configs: [ScrapeConfig] = []
        var seen = Set<String>()
        for (index, item) in items.enumerated() {
            let config = try parseScrapeConfig(item, path: "scrape_configs[\(index)]")
            guard seen.insert(config.jobName).inserted else { throw .duplicateJob(name: config.jobName, line: config.line) }
            configs.append(config)
        }
        return configs
    }

    /// Keys of a scrape config that Prometheus has and that do not change what is scraped here
    /// (the schedule is InfraMonitor's own); accepted and ignored.
    static let ignoredKeys: Set<String> = ["scrape_interval", "honor_labels", "honor_timestamps"]

    static func parseScrapeConfig(_ node: Node, path: String) throws(FleetError) -> ScrapeConfig {
        let keys: Set<String> = [
            "job_name", "scrape_timeout", "metrics_path", "scheme", "tls_config", "basic_auth", "authorization", "static_configs",
            "file_sd_configs", "ec2_sd_configs", "relabel_configs",
        ]
        let map = try YAMLValue.mapping(node, path: path, keys: keys.union(ignoredKeys))
        let line = YAMLValue.line(node)
        guard let jobNode = map["job_name"] else { throw .missingKey(key: "job_name", path: path, line: line) }
        var config = ScrapeConfig(jobName: try YAMLValue.string(jobNode, path: path + ".job_name"), line: line)
        guard !config.jobName.isEmpty else { throw .invalidValue(path: path + ".job_name", line: line, detail: "it is empty") }
        if let value = map["scrape_timeout"] {
            config.scrapeTimeoutSeconds = try YAMLValue.duration(value, path: path + ".scrape_timeout")
        }
        if let value = map["metrics_path"] {
            config.metricsPath = try YAMLValue.string(value, path: path + ".metrics_path")
            guard config.metricsPath.hasPrefix("/") else {
                throw .invalidValue(path: path + ".metrics_path", line: YAMLValue.line(value), detail: "it must start with /")
            }
        }
        if let value = map["scheme"] {
            let text = try YAMLValue.string(value, path: path + ".scheme")
            guard let scheme = ScrapeScheme(rawValue: text) else {
                throw .invalidValue(path: path + ".scheme", line: YAMLValue.line(value), detail: "\"\(text)\" is neither http nor https")
            }
            config.scheme = scheme
        }
        if let value = map["tls_config"] {
            let tls = try YAMLValue.mapping(value, path: path + ".tls_config", keys: ["ca_file", "insecure_skip_verify"])
            config.tls.caFile = try tls["ca_file"].map { node throws(FleetError) in try YAMLValue.string(node, path: path + ".tls_config.ca_file") }
            if let skip = tls["insecure_skip_verify"] {
                config.tls.insecureSkipVerify = try YAMLValue.bool(skip, path: path + ".tls_config.insecure_skip_verify")
            }
        }
        if let value = map["basic_auth"] {
            let auth = try YAMLValue.mapping(value, path: path + ".basic_auth", keys: ["username", "password", "password_file"])
            guard let user = auth["username"] else { throw .missingKey(key: "username", path: path + ".basic_auth", line: YAMLValue.line(value)) }
            config.basicAuth = BasicAuth(
                username: try YAMLValue.string(user, path: path + ".basic_auth.username"),
                password: try auth["password"].map { node throws(FleetError) in try YAMLValue.string(node, path: path + ".basic_auth.password") },
                passwordFile: try auth["password_file"].map { node throws(FleetError) in
                    try YAMLValue.string(node, path: path + ".basic_auth.password_file")
                }
            )
            if config.basicAuth?.password != nil && config.basicAuth?.passwordFile != nil {
                throw .invalidValue(
                    path: path + ".basic_auth",
                    line: YAMLValue.line(value),
                    detail: "password and password_file are mutually exclusive"
                )
            }
        }
        if let value = map["authorization"] {
            let auth = try YAMLValue.mapping(value, path: path + ".authorization", keys: ["type", "credentials", "credentials_file"])
            var authorization = Authorization()
            if let type = auth["type"] { authorization.type = try YAMLValue.string(type, path: path + ".authorization.type") }
            authorization.credentials = try auth["credentials"].map { node throws(FleetError) in
                try YAMLValue.string(node, path: path + ".authorization.credentials")
            }
            authorization.credentialsFile = try auth["credentials_file"].map { node throws(FleetError) in
                try YAMLValue.string(node, path: path + ".authorization.credentials_file")
            }
            if authorization.credentials != nil && authorization.credentialsFile != nil {
                throw .invalidValue(
                    path: path + ".authorization",
                    line: YAMLValue.line(value),
                    detail: "credentials and credentials_file are mutually exclusive"
                )
            }
            config.authorization = authorization
        }
        if config.basicAuth != nil && config.authorization != nil {
            throw .invalidValue(path: path, line: line, detail: "basic_auth and authorization are mutually exclusive")
        }
        if let value = map["static_configs"] {
            for (index, item) in try YAMLValue.sequence(value, path: path + ".static_configs").enumerated() {
                let itemPath = path + ".static_configs[\(index)]"
                let group = try YAMLValue.mapping(item, path: itemPath, keys: ["targets", "labels"])
                let targets = try group["targets"].map { node throws(FleetError) in try YAMLValue.strings(node, path: itemPath + ".targets") } ?? []
                let labels = try group["labels"].map { node throws(FleetError) in try YAMLValue.labels(node, path: itemPath + ".labels") } ?? [:]
                config.staticConfigs.append(StaticConfig(targets: targets, labels: labels))
            }
        }
        if let value = map["file_sd_configs"] {
            for (index, item) in try YAMLValue.sequence(value, path: path + ".file_sd_configs").enumerated() {
                let itemPath = path + ".file_sd_configs[\(index)]"
                let entry = try YAMLValue.mapping(item, path: itemPath, keys: ["files", "refresh_interval"])
                guard let files = entry["files"] else { throw .missingKey(key: "files", path: itemPath, line: YAMLValue.line(item)) }
                config.fileSDConfigs.append(FileSDConfig(files: try YAMLValue.strings(files, path: itemPath + ".files")))
            }
        }
        if let value = map["ec2_sd_configs"] {
            for (index, item) in try YAMLValue.sequence(value, path: path + ".ec2_sd_configs").enumerated() {
                config.ec2SDConfigs.append(try parseEC2(item, path: path + ".ec2_sd_configs[\(index)]"))
            }
        }
        if let value = map["relabel_configs"] {
            for (index, item) in try YAMLValue.sequence(value, path: path + ".relabel_configs").enumerated() {
                config.relabelConfigs.append(try RelabelConfig.parse(item, path: path + ".relabel_configs[\(index)]"))
            }
        }
        return config
    }

    static func parseEC2(_ node: Node, path: String) throws(FleetError) -> EC2SDConfig {
        let map = try YAMLValue.mapping(node, path: path, keys: ["region", "port", "filters", "endpoint", "refresh_interval"])
        guard let region = map["region"] else { throw .missingKey(key: "region", path: path, line: YAMLValue.line(node)) }
        var config = EC2SDConfig(region: try YAMLValue.string(region, path: path + ".region"))
        if let port = map["port"] {
            let text = try YAMLValue.string(port, path: path + ".port")
            guard let number = Int(text), (1...65535).contains(number) else {
                throw .invalidValue(path: path + ".port", line: YAMLValue.line(port), detail: "\"\(text)\" is not a port")
            }
            config.port = number
        }
        if let endpoint = map["endpoint"] { config.endpoint = try YAMLValue.string(endpoint, path: path + ".endpoint") }
        if let filters = map["filters"] {
            for (index, item) in try YAMLValue.sequence(filters, path: path + ".filters").enumerated() {
                let itemPath = path + ".filters[\(index)]"
                let filter = try YAMLValue.mapping(item, path: itemPath, keys: ["name", "values"])
                guard let name = filter["name"] else { throw .missingKey(key: "name", path: itemPath, line: YAMLValue.line(item)) }
                guard let values = filter["values"] else { throw .missingKey(key: "values", path: itemPath, line: YAMLValue.line(item)) }
                config.filters.append(
                    EC2Filter(
                        name: try YAMLValue.string(name, path: itemPath + ".name"),
                        values: try YAMLValue.strings(values, path: itemPath + ".values")
                    )
                )
            }
        }
        return config
    }
}

/// Typed reads of Yams nodes with key checking and line numbers.
enum YAMLValue {
    static func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    /// The members of a mapping; a key outside `keys` is an error naming it and its line.
    static func mapping(_ node: Node, path: String, keys: Set<String>) throws(FleetError) -> [String: Node] {
        guard let mapping = node.mapping else { throw .invalidValue(path: path, line: line(node), detail: "expected a mapping") }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            let name = key.string ?? ""
            guard keys.contains(name) else {
                throw .unknownKey(key: name, path: path, line: key.mark?.line ?? 0, column: key.mark?.column ?? 0)
            }
            guard result[name] == nil else { throw .invalidValue(path: path + "." + name, line: line(key), detail: "the key is given twice") }
            result[name] = value
        }
        return result
    }

    static func sequence(_ node: Node, path: String) throws(FleetError) -> [Node] {
        if case .scalar(let scalar) = node, scalar.string == "null" || scalar.string == "~" || scalar.string.isEmpty { return [] }
        guard let sequence = node.sequence else { throw .invalidValue(path: path, line: line(node), detail: "expected a list") }
        return Array(sequence)
    }

    static func string(_ node: Node, path: String) throws(FleetError) -> String {
        guard case .scalar(let scalar) = node else { throw .invalidValue(path: path, line: line(node), detail: "expected a string") }
        return scalar.string
    }

    static func strings(_ node: Node, path: String) throws(FleetError) -> [String] {
        var result: [String] = []
        for (index, item) in try sequence(node, path: path).enumerated() {
            result.append(try string(item, path: path + "[\(index)]"))
        }
        return result
    }

    static func bool(_ node: Node, path: String) throws(FleetError) -> Bool {
        switch try string(node, path: path).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw .invalidValue(path: path, line: line(node), detail: "expected true or false")
        }
    }

    /// A label set: valid label names to strings.
    static func labels(_ node: Node, path: String) throws(FleetError) -> [String: String] {
        guard let mapping = node.mapping else { throw .invalidValue(path: path, line: line(node), detail: "expected a mapping of labels") }
        var result: [String: String] = [:]
        for (key, value) in mapping {
            let name = try string(key, path: path)
            guard RelabelConfig.isValidLabelName(name) else {
                throw .invalidValue(path: path, line: line(key), detail: "\"\(name)\" is not a valid label name")
            }
            result[name] = try string(value, path: path + "." + name)
        }
        return result
    }

    /// A Prometheus duration (`10s`, `1m30s`, `500ms`, units y w d h m s ms) in seconds.
    static func duration(_ node: Node, path: String) throws(FleetError) -> Double {
        let text = try string(node, path: path)
        guard let seconds = parseDuration(text), seconds > 0 else {
            throw .invalidValue(path: path, line: line(node), detail: "\"\(text)\" is not a duration such as 10s or 1m30s")
        }
        return seconds
    }

    static func parseDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("y", 31_536_000), ("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += number * factor
        }
        return total
    }
}
