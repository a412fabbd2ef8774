import AWSClients
import AWSSigner
import Foundation
import InfraJSON
import TestSupport
import Testing

/// The retry policy against `Fixtures/fault_server.py`: each failure mode is retried (or not) as
/// the AWS SDKs' standard mode does, and the attempts the server saw are counted.
@Suite struct RetryTests {
    /// Runs `body` against a fault server in `mode`, then returns how many requests it saw.
    static func withFaultServer(_ mode: String, _ body: (AWSClientConfiguration) async throws -> Void) async throws -> Int {
        let port = try await CommandRunner.freePort()
        let countFile = try Fixtures.temporaryDirectory("aws-fault") + "/count"
        let server = try await LocalServer(
            executable: "/usr/bin/env",
            arguments: ["python3", Fixtures.path("fault_server.py"), String(port), mode, countFile],
            port: port,
            readyPath: "/ready"
        )
        defer {
            server.stop()
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: countFile).deletingLastPathComponent().path)
        }
        let before = Int((try? String(contentsOfFile: countFile, encoding: .utf8)) ?? "0") ?? 0
        let configuration = AWSClientConfiguration(
            region: "eu-west-1",
            credentialProvider: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "SECRET")),
            endpointURL: server.endpoint,
            retryPolicy: AWSRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxBackoff: .milliseconds(20)),
            timeout: .seconds(10)
        )
        try await body(configuration)
        let after = Int((try? String(contentsOfFile: countFile, encoding: .utf8)) ?? "0") ?? 0
        return after - before
    }

    @Test(arguments: [
        ("internal", "InternalServerError", 500),
        ("throttle", "ThrottlingException", 400),
    ])
    func jsonFailuresAreRetriedThenReported(mode: String, code: String, status: Int) async throws {
        let attempts = try await Self.withFaultServer(mode) { configuration in
            let dynamo = DynamoDBClient(client: AWSClient(configuration: configuration))
            do {
                try await dynamo.putItem(table: "T", item: ["pk": DynamoDBValue.string("a")])
                Issue.record("a failing endpoint reported success")
            } catch let error as AWSRetriesExhaustedError {
                #expect(error.attempts == 3)
                let last = try #require(error.lastError as? AWSError)
                #expect(last.code == code)
                #expect(last.status == status)
                #expect(last.requestID?.hasPrefix("fake-") == true)
                #expect(error.description.contains("gave up after 3 attempts"))
            }
        }
        #expect(attempts == 3)
    }

    @Test func s3SlowDownIsRetried() async throws {
        let attempts = try await Self.withFaultServer("slowdown") { configuration in
            let s3 = S3Client(client: AWSClient(configuration: configuration))
            do {
                try await s3.putObject(bucket: "b", key: "k", body: [1, 2, 3])
                Issue.record("a throttling endpoint reported success")
            } catch let error as AWSRetriesExhaustedError {
                let last = try #require(error.lastError as? AWSError)
                #expect(last.code == "SlowDown")
                #expect(last.status == 503)
                #expect(last.isThrottling)
            }
        }
        #expect(attempts == 3)
    }

    @Test func droppedConnectionsAreRetried() async throws {
        let attempts = try await Self.withFaultServer("drop") { configuration in
            let sns = SNSClient(client: AWSClient(configuration: configuration))
            do {
                try await sns.publish(topicARN: "arn:aws:sns:eu-west-1:1:t", message: "m")
                Issue.record("a dropping endpoint reported success")
            } catch let error as AWSRetriesExhaustedError {
                #expect(error.lastError is AWSTransportError)
                #expect(error.attempts == 3)
            }
        }
        #expect(attempts == 3)
    }

    @Test func accessDeniedIsNotRetried() async throws {
        let attempts = try await Self.withFaultServer("denied") { configuration in
            do {
                _ = try await DynamoDBClient(client: AWSClient(configuration: configuration)).describeTable(table: "T")
                Issue.record("a denied request reported success")
            } catch let error as AWSError {
                #expect(error.code == "AccessDeniedException")
                #expect(error.message == "User is not authorized")
                #expect(error.status == 403)
            }
        }
        #expect(attempts == 1)
    }

    @Test func recoversWithinTheAttempts() async throws {
        let attempts = try await Self.withFaultServer("flaky") { configuration in
            let output = try await AWSClient(configuration: configuration).json(.dynamoDB, operation: "ListTables", input: [:])
            #expect(output == [:])
        }
        #expect(attempts == 3)
    }

    @Test func aRefusedPortIsAClearTransportError() async throws {
        let port = try await CommandRunner.freePort()
        let configuration = AWSClientConfiguration(
            region: "eu-west-1",
            credentialProvider: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "SECRET")),
            endpointURL: URL(string: "http://127.0.0.1:\(port)")!,
            retryPolicy: .none,
            timeout: .seconds(5)
        )
        do {
            _ = try await S3Client(client: AWSClient(configuration: configuration)).getObject(bucket: "b", key: "k")
            Issue.record("a closed port reported success")
        } catch let error as AWSTransportError {
            #expect(error.url == "http://127.0.0.1:\(port)/b/k")
            #expect(error.description.contains("check the endpoint URL"))
        }
    }

    @Test func backoffIsFullJitterUnderAnExponentialCeiling() {
        let policy = AWSRetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxBackoff: .seconds(1))
        #expect(policy.backoffCeiling(retry: 0) == .milliseconds(100))
        #expect(policy.backoffCeiling(retry: 1) == .milliseconds(200))
        #expect(policy.backoffCeiling(retry: 3) == .milliseconds(800))
        #expect(policy.backoffCeiling(retry: 4) == .seconds(1))
        #expect(policy.backoffCeiling(retry: 40) == .seconds(1))
        var generator = SystemRandomNumberGenerator()
        let delays = (0..<200).map { _ in policy.delay(retry: 2, using: &generator) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .milliseconds(400) })
        #expect(Set(delays).count > 1)
    }
}
