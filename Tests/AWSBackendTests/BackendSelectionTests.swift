import AWSBackend
import Foundation
import InfraMonitorCore
import Testing

/// One precedence for every aws setting: the flag, then the config, then the environment, then the default.
@Suite struct AWSLocationTests {
    static let environment = [
        "AWS_ENDPOINT_URL": "http://127.0.0.1:3", "INFRA_MONITOR_BUCKET": "env-bucket", "INFRA_MONITOR_TABLE": "EnvTable",
    ]

    static func settings(region: String? = nil, aws: Settings.AWS = Settings.AWS()) -> Settings {
        Settings(region: region, aws: aws)
    }

    @Test func theFlagWinsOverTheConfigAndTheEnvironment() throws {
        let location = try AWSLocation.resolve(
            regionFlag: "us-east-2",
            endpointFlag: "http://127.0.0.1:1",
            bucketFlag: "flag-bucket",
            settings: Self.settings(
                region: "ap-south-1",
                aws: .init(region: "us-west-2", endpointURL: "http://127.0.0.1:2", bucket: "config-bucket")
            ),
            environment: Self.environment
        )
        #expect(location.region == "us-east-2")
        #expect(location.endpointURL?.absoluteString == "http://127.0.0.1:1")
        #expect(location.bucket == "flag-bucket")
    }

    @Test func theConfigWinsOverTheEnvironmentAndAwsRegionOverRegion() throws {
        let location = try AWSLocation.resolve(
            regionFlag: nil,
            endpointFlag: nil,
            bucketFlag: nil,
            settings: Self.settings(
                region: "ap-south-1",
                aws: .init(region: "us-west-2", endpointURL: "http://127.0.0.1:2", bucket: "config-bucket", table: "ConfigTable")
            ),
            environment: Self.environment
        )
        #expect(location.region == "us-west-2")
        #expect(location.endpointURL?.absoluteString == "http://127.0.0.1:2")
        #expect(location.bucket == "config-bucket")
        #expect(location.table == "ConfigTable")
        #expect(
            try AWSLocation.resolve(
                regionFlag: nil,
                endpointFlag: nil,
                bucketFlag: nil,
                settings: Self.settings(region: "ap-south-1"),
                environment: [:]
            ).region == "ap-south-1"
        )
    }

    @Test func theEnvironmentThenTheDefaults() throws {
        let fromEnvironment = try AWSLocation.resolve(
            regionFlag: nil,
            endpointFlag: nil,
            bucketFlag: nil,
            settings: Settings(),
            environment: Self.environment
        )
        #expect(fromEnvironment.region == nil, "the region is left to the SDK chain: AWS_REGION, AWS_DEFAULT_REGION, the profile, eu-west-1")
        #expect(fromEnvironment.endpointURL?.absoluteString == "http://127.0.0.1:3")
        #expect(fromEnvironment.bucket == "env-bucket")
        #expect(fromEnvironment.table == "EnvTable")
        let defaults = try AWSLocation.resolve(regionFlag: nil, endpointFlag: nil, bucketFlag: nil, settings: Settings(), environment: [:])
        #expect(defaults.endpointURL == nil)
        #expect(defaults.bucket == "infra-monitoring-pipeline-data")
        #expect(defaults.table == "InfraMetrics")
    }

    @Test func aMalformedEndpointNamesWhereItCameFrom() {
        #expect(throws: AWSLocation.InvalidEndpoint.self) {
            try AWSLocation.resolve(
                regionFlag: nil,
                endpointFlag: nil,
                bucketFlag: nil,
                settings: Self.settings(aws: .init(endpointURL: "ftp://x")),
                environment: [:]
            )
        }
        do {
            _ = try AWSLocation.resolve(
                regionFlag: nil,
                endpointFlag: nil,
                bucketFlag: nil,
                settings: Self.settings(aws: .init(endpointURL: "nope")),
                environment: [:]
            )
        } catch {
            #expect("\(error)".contains("aws.endpoint_url in the config"))
        }
    }
}
