import AWSClients
import Fleet
import Foundation
import TestSupport
import Testing

/// A `moto_server` on a free 127.0.0.1 port, stopped by PID.
final class EC2MotoServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }
    var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "eu-west-1",
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        ]
    }

    init() async throws {
        port = try await CommandRunner.freePort()
        let path = try await CommandRunner.shell("command -v moto_server").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !path.isEmpty else { throw TestSupportError("moto_server is not installed: pip install 'moto[server]'") }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<150 {
            let probe = try await CommandRunner.run(
                "/usr/bin/env",
                ["python3", "-c", "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', \(port))))"]
            )
            if probe.status == 0 { return }
            usleep(100_000)
        }
        stop()
        throw TestSupportError("moto_server did not listen on port \(port) within 15 s")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// EC2 discovery through the signed, paginated `DescribeInstances` against moto. The instances
/// moto returns have private 10.x addresses: this test never scrapes, so no traffic goes there.
@Suite("ec2_sd_configs against moto_server", .serialized)
struct EC2MotoTests {
    @Test("tagged instances become targets with meta labels; the filter applies; relabeling sets the host")
    func discovery() async throws {
        let moto = try await EC2MotoServer()
        defer { moto.stop() }
        let client = AWSClient(
            configuration: .standard(region: "eu-west-1", endpointURL: URL(string: moto.endpoint), environment: moto.environment)
        )
        let images = try await client.query(EC2Discovery.service, action: "DescribeImages")
        let image = try #require(images.child("imagesSet")?.children(named: "item").first?.string("imageId"))
        for (name, monitor) in [("web-1", "node"), ("web-2", "node"), ("batch-1", "none")] {
            _ = try await client.query(
                EC2Discovery.service,
                action: "RunInstances",
                parameters: [
                    ("ImageId", image), ("MinCount", "1"), ("MaxCount", "1"), ("InstanceType", "t3.micro"),
                    ("TagSpecification.1.ResourceType", "instance"), ("TagSpecification.1.Tag.1.Key", "Name"),
                    ("TagSpecification.1.Tag.1.Value", name), ("TagSpecification.1.Tag.2.Key", "monitor"),
                    ("TagSpecification.1.Tag.2.Value", monitor),
                ]
            )
        }
        let yaml = """
            scrape_configs:
              - job_name: ec2
                ec2_sd_configs:
                  - region: eu-west-1
                    port: 9100
                    endpoint: \(moto.endpoint)
                    filters: [{name: "tag:monitor", values: ["node"]}]
                relabel_configs:
                  - source_labels: [__meta_ec2_tag_Name]
                    target_label: host
                  - source_labels: [__meta_ec2_instance_type]
                    target_label: type
            """
        let configs = try ScrapeConfigLoader.load(yaml: yaml)
        let environment = moto.environment
        let discovery = TargetDiscovery(configs: configs) { config in try await EC2Discovery.list(config, environment: environment) }
        let result = await discovery.discover()
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.targets.count == 2)
        #expect(Set(result.targets.map { $0.host(nodename: nil) }) == ["web-1", "web-2"])
        for target in result.targets {
            #expect(target.address.hasPrefix("10.") && target.address.hasSuffix(":9100"))
            #expect(target.labels["type"] == "t3.micro" && target.labels["job"] == "ec2")
            #expect(target.discoveredLabels["__meta_ec2_instance_state"] == "running")
            #expect(target.discoveredLabels["__meta_ec2_ami"] == image && target.discoveredLabels["__meta_ec2_region"] == "eu-west-1")
            #expect(target.discoveredLabels["__meta_ec2_private_ip"].map { target.address.hasPrefix($0 + ":") } == true)
            #expect(target.discoveredLabels["__meta_ec2_instance_id"]?.hasPrefix("i-") == true)
            #expect(target.discoveredLabels["__meta_ec2_tag_monitor"] == "node")
            #expect(target.labels.keys.allSatisfy { !$0.hasPrefix("__") })
        }
    }
}
