import AWSClients
import AsyncHTTPClient
import Fleet
import Foundation
import InfraMonitorCore
import TestSupport
import Testing

/// The fixture config with its file_sd globs pointing at the fixture folder.
func fixtureConfig() throws -> [ScrapeConfig] {
    let yaml = try Fixtures.text("config.yaml").replacingOccurrences(of: "FILE_SD", with: Fixtures.path("file_sd"))
    return try ScrapeConfigLoader.load(yaml: yaml)
}

@Suite("scrape_configs: loading, relabeling, file_sd and EC2 discovery")
struct FleetConfigTests {
    @Test("the fixture loads with Prometheus's defaults and every section")
    func loads() throws {
        let configs = try fixtureConfig()
        #expect(configs.map(\.jobName) == ["node", "secure", "bearer"])
        let node = configs[0]
        #expect(node.scrapeTimeoutSeconds == 2 && node.metricsPath == "/metrics" && node.scheme == .http && node.line == 4)
        #expect(
            node.staticConfigs == [
                StaticConfig(targets: ["127.0.3.1:9100", "127.0.3.2:9100"], labels: ["rack": "r1"]), StaticConfig(targets: ["127.0.3.3:9100"]),
            ]
        )
        #expect(node.fileSDConfigs.count == 1 && node.fileSDConfigs[0].files.count == 2)
        #expect(node.relabelConfigs.map(\.action) == [.drop, .replace, .labeldrop])
        #expect(node.relabelConfigs[1].separator == ";" && node.relabelConfigs[1].targetLabel == "source")
        let secure = configs[1]
        #expect(secure.scheme == .https && secure.tls == TLSConfig(caFile: "/etc/ssl/certs/ca.pem", insecureSkipVerify: true))
        #expect(secure.basicAuth == BasicAuth(username: "prom", passwordFile: "/etc/infra-monitor/password"))
        #expect(secure.ec2SDConfigs == [EC2SDConfig(region: "eu-west-1", port: 9100, filters: [EC2Filter(name: "tag:monitor", values: ["node"])])])
        #expect(secure.scrapeTimeoutSeconds == 10 && secure.metricsPath == "/metrics")
        #expect(configs[2].authorization == Authorization(type: "Bearer", credentialsFile: "/etc/infra-monitor/token"))
        let defaults = RelabelConfig()
        #expect(defaults.separator == ";" && defaults.regex.pattern == "(.*)" && defaults.replacement == "$1" && defaults.action == .replace)
        #expect(try ScrapeConfigLoader.load(yaml: "schedule: rate(1 minute)\n").isEmpty)
    }

    @Test("unknown keys anywhere are errors naming the key and its line")
    func unknownKeys() throws {
        let cases: [(String, String, Int)] = [
            ("scrape_configs:\n  - job_name: a\n    scrape_timeot: 5s\n", "scrape_timeot", 3),
            ("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [x]\n        lables: {a: b}\n", "lables", 5),
            ("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_label: [a]\n", "source_label", 4),
            ("scrape_configs:\n  - job_name: a\n    tls_config: {insecure: true}\n", "insecure", 3),
            ("scrape_configs:\n  - job_name: a\n    ec2_sd_configs:\n      - region: x\n        filter: []\n", "filter", 5),
            ("scrape_configs:\n  - job_name: a\n    metric_relabel_configs: []\n", "metric_relabel_configs", 3),
        ]
        for (yaml, key, line) in cases {
            #expect(throws: FleetError.self) { try ScrapeConfigLoader.load(yaml: yaml) }
            do {
                _ = try ScrapeConfigLoader.load(yaml: yaml)
            } catch {
                guard case .unknownKey(let found, _, let foundLine, _) = error else {
                    Issue.record("\(key): \(error)")
                    continue
                }
                #expect(found == key && foundLine == line, "\(error)")
            }
        }
    }

    @Test("invalid values are errors with their line")
    func invalidValues() {
        let cases: [(String, Int)] = [
            ("scrape_configs:\n  - job_name: a\n    scrape_timeout: soon\n", 3),
            ("scrape_configs:\n  - job_name: a\n    scheme: ftp\n", 3),
            ("scrape_configs:\n  - static_configs: []\n", 2),
            ("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: replace\n        source_labels: [a]\n", 4),
            ("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: explode\n", 4),
            ("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - regex: \"(\"\n        target_label: x\n", 4),
            ("scrape_configs:\n  - job_name: a\n  - job_name: a\n", 3),
        ]
        for (yaml, line) in cases {
            do {
                _ = try ScrapeConfigLoader.load(yaml: yaml)
                Issue.record("accepted: \(yaml)")
            } catch {
                switch error {
                case .invalidValue(_, let found, _), .missingKey(_, _, let found), .duplicateJob(_, let found): #expect(found == line, "\(error)")
                default: Issue.record("\(error)")
                }
            }
        }
    }

    @Test("durations as Prometheus writes them")
    func durations() throws {
        let yaml = "scrape_configs:\n  - job_name: a\n    scrape_timeout: 1m30s\n  - job_name: b\n    scrape_timeout: 250ms\n"
        #expect(try ScrapeConfigLoader.load(yaml: yaml).map(\.scrapeTimeoutSeconds) == [90, 0.25])
    }

    @Test("relabeling: every action, anchored regexes, $1 ${1} and named groups, target_label expansion")
    func relabel() throws {
        let labels = ["__address__": "10.0.0.5:9100", "__meta_ec2_tag_Name": "web-1", "__meta_ec2_tag_Team": "ops", "env": "prod", "tmp_x": "1"]
        func rule(_ yaml: String) throws -> RelabelConfig {
            try ScrapeConfigLoader.load(yaml: "scrape_configs:\n  - job_name: a\n    relabel_configs:\n" + yaml)[0].relabelConfigs[0]
        }
        // Anchored: "10.0.0" does not match the whole address.
        #expect(RelabelConfig.apply([try rule("      - {source_labels: [__address__], regex: '10.0.0', action: keep}\n")], to: labels) == nil)
        #expect(RelabelConfig.apply([try rule("      - {source_labels: [__address__], regex: '10.0.0.*', action: keep}\n")], to: labels) != nil)
        #expect(RelabelConfig.apply([try rule("      - {source_labels: [env], regex: prod|dev, action: drop}\n")], to: labels) == nil)
        let hostRule = try rule("      - {source_labels: [__address__], regex: '(.+):(\\d+)', target_label: host, replacement: 'h-${1}_$2'}\n")
        #expect(RelabelConfig.apply([hostRule], to: labels)?["host"] == "h-10.0.0.5_9100")
        let named = try rule("      - {source_labels: [__address__], regex: '(?<ip>[^:]+):.*', target_label: ip, replacement: '$ip'}\n")
        #expect(RelabelConfig.apply([named], to: labels)?["ip"] == "10.0.0.5")
        let joined = try rule("      - {source_labels: [env, __meta_ec2_tag_Name], separator: '/', target_label: both}\n")
        #expect(RelabelConfig.apply([joined], to: labels)?["both"] == "prod/web-1")
        let expandTarget = try rule("      - {source_labels: [env], regex: '(.*)', target_label: 'env_$1', replacement: yes}\n")
        #expect(RelabelConfig.apply([expandTarget], to: labels)?["env_prod"] == "yes")
        let empty = try rule("      - {source_labels: [missing], target_label: env}\n")
        #expect(RelabelConfig.apply([empty], to: labels)?["env"] == nil)
        let noMatch = try rule("      - {source_labels: [env], regex: dev, target_label: env, replacement: x}\n")
        #expect(RelabelConfig.apply([noMatch], to: labels)?["env"] == "prod")
        let map = try rule("      - {action: labelmap, regex: '__meta_ec2_tag_(.+)', replacement: 'tag_$1'}\n")
        #expect(RelabelConfig.apply([map], to: labels).map { $0["tag_Name"] == "web-1" && $0["tag_Team"] == "ops" } == true)
        let drop = try rule("      - {action: labeldrop, regex: 'tmp_.*|env'}\n")
        #expect(RelabelConfig.apply([drop], to: labels).map { $0["tmp_x"] == nil && $0["env"] == nil && $0["__address__"] != nil } == true)
        let keep = try rule("      - {action: labelkeep, regex: '__.*'}\n")
        #expect(
            RelabelConfig.apply([keep], to: labels).map { Set($0.keys) == ["__address__", "__meta_ec2_tag_Name", "__meta_ec2_tag_Team"] } == true
        )
        #expect(RelabelConfig.apply([try rule("      - {source_labels: [env], target_label: up, action: uppercase}\n")], to: labels)?["up"] == "PROD")
        #expect(RelabelConfig.apply([try rule("      - {source_labels: [env], target_label: env, action: keepequal}\n")], to: labels) != nil)
        #expect(RelabelConfig.apply([try rule("      - {source_labels: [env], target_label: tmp_x, action: keepequal}\n")], to: labels) == nil)
        #expect(
            RelabelConfig.apply([try rule("      - {source_labels: [env], target_label: env, replacement: '$$1 $9 $'}\n")], to: labels)?["env"]
                == "$1  $"
        )
    }

    @Test("discovery: static and file_sd targets, relabeled; instance, job and __ labels as Prometheus sets them")
    func discovery() async throws {
        let discovery = TargetDiscovery(configs: try fixtureConfig())
        let result = await discovery.discover()
        let node = result.targets.filter { $0.job == "node" }
        #expect(node.map(\.address) == ["127.0.3.1:9100", "127.0.3.2:9100", "127.0.4.1:9100", "127.0.4.2:9100", "127.0.4.3:9100", "127.0.5.1:9100"])
        #expect(node[0].labels == ["job": "node", "instance": "127.0.3.1:9100", "rack": "r1"])
        #expect(node[0].url == "http://127.0.3.1:9100/metrics" && node[0].timeoutSeconds == 2)
        #expect(node[2].labels == ["job": "node", "instance": "127.0.4.1:9100", "env": "prod", "source": "file-web"])
        #expect(node[5].labels["host"] == "db-primary" && node[5].host(nodename: "ignored") == "db-primary")
        #expect(node[5].sampleLabels == ["job": "node", "instance": "127.0.5.1:9100", "env": "staging", "source": "file-db"])
        #expect(result.dropped.count == 1 && result.dropped[0].discoveredLabels["__address__"] == "127.0.3.3:9100")
        #expect(node[0].host(nodename: "web-7") == "web-7" && node[0].host(nodename: nil) == "127.0.3.1")
        #expect(result.targets.first { $0.job == "bearer" }?.authorization?.credentialsFile == "/etc/infra-monitor/token")
        // No EC2 lister given: reported, never contacted.
        #expect(result.problems == [.ec2Discovery(region: "eu-west-1", detail: "no EC2 client is configured")])
        #expect(ScrapeTarget.hostPart(of: "[::1]:9100") == "::1" && ScrapeTarget.hostPart(of: "web") == "web")
    }

    @Test("a malformed file_sd file keeps its previous targets and is reported")
    func malformedFileKeepsTargets() async throws {
        let folder = try Fixtures.temporaryDirectory("file-sd")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/targets.json"
        try FileManager.default.copyItem(atPath: Fixtures.path("file_sd/web.json"), toPath: file)
        let config = ScrapeConfig(jobName: "node", fileSDConfigs: [FileSDConfig(files: [folder + "/*.json"])])
        let discovery = TargetDiscovery(configs: [config])
        let first = await discovery.discover()
        #expect(first.targets.count == 3 && first.problems.isEmpty)
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.copyItem(atPath: Fixtures.path("file_sd_malformed.json"), toPath: file)
        let second = await discovery.discover()
        #expect(second.targets.map(\.address) == first.targets.map(\.address))
        #expect(second.problems.count == 1)
        if case .malformedTargetFile(let path, let detail)? = second.problems.first {
            #expect(path == file && detail.contains("lables"))
        } else {
            Issue.record("\(second.problems)")
        }
        try Data("- targets: ['127.0.7.1:9100']\n".utf8).write(to: URL(fileURLWithPath: file))
        let third = await discovery.discover()
        #expect(third.targets.map(\.address) == ["127.0.7.1:9100"] && third.problems.isEmpty)
    }

    @Test("an unchanged file_sd file gives the previous result; a rewrite of the same size in place is seen")
    func unchangedFilesAreNotParsedAgain() async throws {
        let folder = try Fixtures.temporaryDirectory("file-sd-cache")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/targets.yaml"
        try Data("- targets: ['127.0.7.1:9100']\n".utf8).write(to: URL(fileURLWithPath: file))
        let config = ScrapeConfig(jobName: "node", fileSDConfigs: [FileSDConfig(files: [folder + "/*.yaml"])])
        let discovery = TargetDiscovery(configs: [config])
        let first = await discovery.discover()
        #expect(first.targets.map(\.address) == ["127.0.7.1:9100"])
        #expect(await discovery.discover() == first)
        // Same size, same second, same inode: only the contents tell.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.write(contentsOf: Data("- targets: ['127.0.7.2:9100']\n".utf8))
        try handle.close()
        #expect(await discovery.discover().targets.map(\.address) == ["127.0.7.2:9100"])
        try Data("- targets: ['127.0.7.3:9100']\n".utf8).write(to: URL(fileURLWithPath: folder + "/more.yaml"))
        #expect(await discovery.discover().targets.map(\.address) == ["127.0.7.3:9100", "127.0.7.2:9100"])
    }

    @Test("EC2: DescribeInstances pages become targets with Prometheus's meta labels; relabeling sets the host")
    func ec2() throws {
        let config = EC2SDConfig(region: "eu-west-1", port: 9100)
        let page1 = try XMLNode.parse(Array(try Fixtures.data("describe_instances_page1.xml")))
        let page2 = try XMLNode.parse(Array(try Fixtures.data("describe_instances_page2.xml")))
        let (groups1, token) = EC2Discovery.targetGroups(response: page1, config: config, availabilityZoneIDs: ["eu-west-1a": "euw1-az1"])
        let (groups2, end) = EC2Discovery.targetGroups(response: page2, config: config)
        #expect(token == "page-2" && end == nil)
        #expect(groups1.count == 1 && groups2.count == 1)
        #expect(groups1[0].targets == ["10.0.1.5:9100"])
        #expect(
            groups1[0].labels == [
                "__meta_ec2_instance_id": "i-0598c7d356eba48d7", "__meta_ec2_region": "eu-west-1", "__meta_ec2_owner_id": "123456789012",
                "__meta_ec2_private_ip": "10.0.1.5", "__meta_ec2_private_dns_name": "ip-10-0-1-5.eu-west-1.compute.internal",
                "__meta_ec2_public_ip": "54.194.252.215", "__meta_ec2_public_dns_name": "ec2-54-194-252-215.eu-west-1.compute.amazonaws.com",
                "__meta_ec2_ami": "ami-0abcdef1234567890", "__meta_ec2_availability_zone": "eu-west-1a",
                "__meta_ec2_availability_zone_id": "euw1-az1",
                "__meta_ec2_instance_state": "running", "__meta_ec2_instance_type": "t3.micro", "__meta_ec2_architecture": "x86_64",
                "__meta_ec2_vpc_id": "vpc-1111", "__meta_ec2_primary_subnet_id": "subnet-aaaa", "__meta_ec2_subnet_id": ",subnet-aaaa,subnet-bbbb,",
                "__meta_ec2_ipv6_addresses": ",2001:db8::5,2001:db8::6,", "__meta_ec2_primary_ipv6_addresses": ",2001:db8::5,",
                "__meta_ec2_tag_Name": "web-1", "__meta_ec2_tag_monitor": "node", "__meta_ec2_tag_aws_autoscaling_groupName": "web-asg",
            ]
        )
        #expect(groups2[0].labels["__meta_ec2_platform"] == "windows" && groups2[0].labels["__meta_ec2_instance_lifecycle"] == "spot")
        #expect(groups2[0].labels["__meta_ec2_public_ip"] == nil && groups2[0].labels["__meta_ec2_availability_zone_id"] == "")
        let scrape = try fixtureConfig()[1]
        let (targets, _) = TargetLabeling.targets(for: scrape, groups: groups1 + groups2)
        #expect(targets.map(\.address) == ["10.0.1.5:9100", "10.0.2.7:9100"])
        #expect(targets[0].host(nodename: "ip-10-0-1-5") == "web-1" && targets[1].host(nodename: nil) == "10.0.2.7")
        #expect(targets[0].url == "https://10.0.1.5:9100/metrics" && targets[0].labels["instance"] == "10.0.1.5:9100")
        #expect(
            EC2Discovery.parameters(for: EC2SDConfig(region: "r", filters: [EC2Filter(name: "tag:monitor", values: ["node", "db"])]), nextToken: "t")
                .map { "\($0.0)=\($0.1)" } == ["Filter.1.Name=tag:monitor", "Filter.1.Value.1=node", "Filter.1.Value.2=db", "NextToken=t"]
        )
    }
}

@Suite("FleetCollector: discovery then scraping")
struct FleetCollectorTests {
    @Test("discovers the static targets and scrapes them; a target nothing listens on is a failed target")
    func collect() async throws {
        let fleet = try await LoopbackFleet(addresses: ["127.0.8.1"]) { _ in
            ServedResponse(body: Array(SyntheticFleet.page(target: 0, request: 0, nodename: "n8").utf8))
        }
        let refused = "127.0.8.2:\(try closedPort(on: "127.0.8.2"))"
        let config = ScrapeConfig(jobName: "node", staticConfigs: [StaticConfig(targets: fleet.targets + [refused], labels: ["rack": "r8"])])
        let client = HTTPTargetFetcher.makeClient()
        let collector = FleetCollector(
            discovery: TargetDiscovery(configs: [config]),
            scraper: FleetScraper(fetcher: HTTPTargetFetcher(client: client), stateStore: MemoryStateStore())
        )
        let (found, result) = await collector.collect(.memoryUsage, now: Timestamp(seconds: 1_800_000_000))
        #expect(found.targets.count == 2 && result.targets.count == 2)
        #expect(result.samples.count == 1 && result.samples[0].host == "n8" && result.samples[0].labels["rack"] == "r8")
        #expect(result.failedTargetList.map(\.target) == [refused] && result.error == nil)
        try await client.shutdown()
        await fleet.stop()
    }
}
