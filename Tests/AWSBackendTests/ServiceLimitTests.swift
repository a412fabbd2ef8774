import AWSBackend
import AWSClients
import Deploy
import Foundation
import InfraJSON
import InfraMonitorCore
import Pipeline
import Testing

/// The log-processor over the AWS adapters against moto: poison lines quarantined while the rest
/// lands, and the custom metrics the publisher creates in each dimension mode against what
/// `deploy cost` prices (docs/design.md, "Values and labels the services accept").
@Suite(.serialized) struct ServiceLimitTests {
    /// Sample lines stamped now, so that CloudWatch's two-week window takes them.
    static func line(metric: String, host: String, value: String, labels: String = "{}", unit: String = "Percent") -> String {
        let time = Timestamp.now().iso8601Milliseconds
        return #"{"metric":"\#(metric)","host":"\#(host)","timestamp":"\#(time)","value":\#(value),"unit":"\#(unit)","labels":\#(labels)}"#
    }

    static func processor(_ services: AWSServices) -> LogProcessor {
        LogProcessor(
            objects: services.objects,
            table: services.metricTable,
            publisher: services.publisher,
            index: RawObjectSampleIndex(),
            logs: CloudWatchLogsSink(logs: services.logs, streamName: "limits-test")
        )
    }

    /// Stores `lines` as the raw object `key` and processes it as S3's event would have it processed.
    static func process(_ lines: [String], key: String, services: AWSServices) async throws -> LogProcessor.Report {
        let body = Array((lines.joined(separator: "\n") + "\n").utf8)
        try await services.s3.putObject(bucket: services.bucket, key: key, body: body)
        return try await processor(services).handle(ObjectCreatedEvent(bucket: services.bucket, key: key, size: body.count))
    }

    /// The distinct custom metrics in the namespace: name and sorted dimensions.
    static func customMetrics(_ services: AWSServices) async throws -> Set<String> {
        let listed = try await services.cloudWatch.listMetricIdentities(namespace: CloudWatchMetricPublisher.namespace)
        return Set(
            listed.map { metric in ([metric.name] + metric.dimensions.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }).joined(separator: ",") }
        )
    }

    @Test("a DynamoDB-illegal value and a non-ASCII label are quarantined; everything else lands")
    func poisonLinesAreQuarantined() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let services = AWSServices(client: moto.client)
        try await services.createResources()
        let key = "raw-metrics/2026/11/25/20261125T180000Z_poison_disk_usage.jsonl"
        let lines = [
            Self.line(metric: "disk_usage", host: "web-1", value: "41.5", labels: #"{"mountpoint":"/"}"#),
            Self.line(metric: "disk_usage", host: "web-2", value: "1e130", labels: #"{"mountpoint":"/"}"#),
            Self.line(metric: "disk_usage", host: "web-3", value: "12", labels: #"{"mountpoint":"/daten-gr\u00f6\u00dfe"}"#),
            Self.line(metric: "disk_usage", host: "web-1", value: "7.25", labels: #"{"mountpoint":"/var"}"#),
            Self.line(metric: "disk_usage", host: "web-4", value: "1e-140", labels: #"{"mountpoint":"/"}"#),
            Self.line(metric: "disk_usage", host: "web-5", value: "3", labels: #"{"mountpoint":"/"}"#),
        ]
        let report = try await Self.process(lines, key: key, services: services)
        #expect(report.lines == 6 && report.invalidLines == 3 && report.records == 3)

        let records = try await services.metricTable.records(metricID: nil, from: nil, to: nil, limit: nil)
        #expect(
            Set(records.map(\.metricID)) == ["disk_usage#web-1#mountpoint=/", "disk_usage#web-1#mountpoint=/var", "disk_usage#web-5#mountpoint=/"]
        )
        #expect(records.first { $0.labels["mountpoint"] == "/var" }?.last == 7.25)

        let quarantineKey = "quarantine/2026/11/25/20261125T180000Z_poison_disk_usage.jsonl"
        #expect(report.quarantineKey == quarantineKey)
        let quarantined = try String(decoding: await services.objects.get(key: quarantineKey), as: UTF8.self)
            .split(separator: "\n").map { try JSON(parsing: String($0)) }
        #expect(quarantined.map { $0["line"]?.doubleValue } == [2, 3, 5])
        #expect(
            quarantined.map { $0["reason"]?.stringValue ?? "" } == [
                "value 1e+130 is beyond DynamoDB's number range (magnitude at most 9.9999999999999999999999999999999999999E+125)",
                "label \"mountpoint\" is not a CloudWatch dimension value: has a non-ASCII character (CloudWatch takes ASCII only)",
                "value 1e-140 is below DynamoDB's smallest nonzero magnitude 1E-130",
            ]
        )
        #expect(quarantined.map { $0["text"]?.stringValue } == [lines[1], lines[2], lines[4]])

        #expect(
            try await Self.customMetrics(services) == [
                "disk_usage,host=web-1,mountpoint=/", "disk_usage,host=web-1,mountpoint=/var", "disk_usage,host=web-5,mountpoint=/",
            ]
        )
    }

    /// One execution's four batches for `hosts` hosts, each with 3 mount points and 2 interfaces:
    /// the 9 series a host of `CostAssumptions` publishes.
    static func fleetBatches(hosts: Int) -> [(key: String, lines: [String])] {
        let names = (1...hosts).map { "web-\($0)" }
        let prefix = "raw-metrics/2026/11/25/20261125T180000Z_fleet_"
        return [
            (prefix + "cpu_utilization.jsonl", names.map { line(metric: "cpu_utilization", host: $0, value: "10") }),
            (prefix + "memory_usage.jsonl", names.map { line(metric: "memory_usage", host: $0, value: "20") }),
            (
                prefix + "disk_usage.jsonl",
                names.flatMap { host in
                    ["/", "/var", "/home"].map { line(metric: "disk_usage", host: host, value: "30", labels: #"{"mountpoint":"\#($0)"}"#) }
                }
            ),
            (
                prefix + "network_traffic.jsonl",
                names.flatMap { host in
                    ["eth0", "eth1"].flatMap { device in
                        ["rx", "tx"].map {
                            line(
                                metric: "network_traffic",
                                host: host,
                                value: "1000",
                                labels: #"{"device":"\#(device)","direction":"\#($0)"}"#,
                                unit: "Bytes/Second"
                            )
                        }
                    }
                }
            ),
        ]
    }

    @Test("the estimate's custom metrics are the dimension sets the publisher sent", arguments: CloudWatchDimensions.allCases)
    func estimateCountsWhatThePublisherSends(mode: CloudWatchDimensions) async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let services = AWSServices(client: moto.client, dimensions: mode)
        try await services.createResources()
        let hosts = 3
        for batch in Self.fleetBatches(hosts: hosts) {
            let report = try await Self.process(batch.lines, key: batch.key, services: services)
            #expect(report.invalidLines == 0)
        }
        let sent = try await Self.customMetrics(services)
        var assumptions = CostAssumptions()
        assumptions.hosts = hosts
        assumptions.dimensions = mode
        let estimate = CostEstimate(assumptions: assumptions, transitionsPerExecution: 12, collectorTasksPerExecution: 4)
        #expect(estimate.dimensions == mode)
        #expect(sent.count == estimate.customMetrics(mode))
        #expect(sent.count == (mode == .perHost ? hosts * 9 : 9))
        #expect(sent.allSatisfy { $0.contains("host=") } == (mode == .perHost))
    }

    @Test("fleet mode sends one statistic set per metric and label set, without host")
    func fleetStatisticSets() {
        let now = Timestamp.now()
        let records = ["a", "b"].enumerated().map { index, host in
            MetricRecord(
                metricID: "cpu_utilization#\(host)",
                timestamp: now,
                metric: "cpu_utilization",
                host: host,
                labels: [:],
                unit: "Percent",
                count: 2,
                sum: Double(10 * (index + 1)),
                min: Double(index),
                max: Double(10 * (index + 1)),
                last: 1,
                source: "k"
            )
        }
        let data = CloudWatchMetricPublisher.data(records, dimensions: .fleet, now: now)
        #expect(data.count == 1)
        #expect(data.first?.dimensions.isEmpty == true)
        #expect(data.first?.statistics == StatisticSet(sampleCount: 4, sum: 30, minimum: 0, maximum: 20))
        let old = CloudWatchMetricPublisher.data(records, dimensions: .perHost, now: now.adding(seconds: 14 * 86_400 + 1))
        #expect(old.isEmpty)
        let fields = CloudWatchClient.batches(namespace: "N", data: data).first ?? []
        #expect(fields.contains { $0 == ("MetricData.member.1.StatisticValues.SampleCount", "4.0") })
        #expect(!fields.contains { $0.0 == "MetricData.member.1.Value" })
    }
}

/// The names a stack's outputs give (item 5 of the AWS deployment issue): read once through
/// DescribeStacks, cached, and used by every `--backend aws` location that no flag, config or
/// environment overrides.
@Suite(.serialized) struct DeployedNamesTests {
    @Test func aSuffixedStacksOutputsNameTheBucketForEveryCommand() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let bucket = "infra-monitoring-pipeline-data-sfx1"
        let template: JSON = [
            "Resources": ["Data": ["Type": "AWS::S3::Bucket", "Properties": ["BucketName": .string(bucket)]]],
            "Outputs": [
                "DataBucketName": ["Value": ["Ref": "Data"]],
                "MetricsTableName": ["Value": "InfraMetrics"],
                "AthenaWorkGroupName": ["Value": "InfraMonitoring"],
            ],
        ]
        let cloudFormation = CloudFormationClient(client: moto.client)
        try await cloudFormation.createStack(name: "InfraMonitoring", templateBody: template.text)
        let described = try #require(try await cloudFormation.describeStack(name: "InfraMonitoring"))
        let names = DeployedNames(stackName: described.name, region: "eu-west-1", outputs: described.outputs)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deployed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try names.save(path: folder + "/" + DeployedNames.fileName)
        let cached = try #require(DeployedNames.load(path: folder + "/" + DeployedNames.fileName))
        #expect(cached == names && cached.bucket == bucket)

        let location = try AWSLocation.resolve(
            regionFlag: nil,
            endpointFlag: moto.endpoint,
            bucketFlag: nil,
            settings: Settings(),
            environment: [:],
            deployed: cached
        )
        #expect(location.bucket == bucket && location.table == "InfraMetrics" && location.workGroup == "InfraMonitoring")
        let flagged = try AWSLocation.resolve(
            regionFlag: nil,
            endpointFlag: nil,
            bucketFlag: "other",
            settings: Settings(),
            environment: [:],
            deployed: cached
        )
        #expect(flagged.bucket == "other")
        let elsewhere = try AWSLocation.resolve(
            regionFlag: "us-east-1",
            endpointFlag: nil,
            bucketFlag: nil,
            settings: Settings(),
            environment: [:],
            deployed: cached
        )
        #expect(elsewhere.bucket == ObjectKeys.bucket)

        let services = AWSServices(client: moto.client, bucket: location.bucket, table: location.table, workGroup: location.workGroup)
        try await services.createResources()
        let key = "raw-metrics/2026/11/25/20261125T180000Z_names_cpu_utilization.jsonl"
        let report = try await ServiceLimitTests.process(
            [ServiceLimitTests.line(metric: "cpu_utilization", host: "web-1", value: "5")],
            key: key,
            services: services
        )
        #expect(report.records == 1)
        #expect(try await !services.s3.getObject(bucket: bucket, key: key).isEmpty)
    }
}
