import AWSClients
import AWSSigner
import Foundation
import TestSupport
import Testing

/// The HTTP credential sources against a real local HTTP server (`python3 -m http.server`
/// serving a credentials document).
@Suite struct CredentialChainTests {
    @Test func containerFullURIAndChainOrder() async throws {
        let folder = try Fixtures.temporaryDirectory("aws-ecs")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let document = #"{"AccessKeyId":"ECSKEY","SecretAccessKey":"ECSSECRET","Token":"ECSTOKEN","Expiration":"2030-01-01T00:00:00Z"}"#
        try document.write(toFile: folder + "/creds", atomically: true, encoding: .utf8)
        let port = try await CommandRunner.freePort()
        let server = try await LocalServer(
            executable: "/usr/bin/env",
            arguments: ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", folder, String(port)],
            port: port,
            readyPath: "/"
        )
        defer { server.stop() }
        let environment = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(port)/creds", "HOME": folder, "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let files = AWSProfileFiles(credentialsText: nil, configText: nil)
        let chain = DefaultCredentialChain(environment: environment, files: files, transport: HTTPClientTransport())
        let credentials = try await chain.credentials()
        #expect(credentials.accessKeyID == "ECSKEY")
        #expect(credentials.sessionToken == "ECSTOKEN")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_893_456_000))

        var withEnvironment = environment
        withEnvironment["AWS_ACCESS_KEY_ID"] = "ENVKEY"
        withEnvironment["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET"
        let first = try await DefaultCredentialChain(environment: withEnvironment, files: files, transport: HTTPClientTransport()).credentials()
        #expect(first.accessKeyID == "ENVKEY")
    }

    @Test func imdsV2AgainstAClosedPortFailsWithAClearError() async throws {
        let port = try await CommandRunner.freePort()
        let provider = InstanceMetadataCredentialProvider(
            environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"],
            transport: HTTPClientTransport()
        )
        do {
            _ = try await provider.credentials()
            Issue.record("credentials from a closed port")
        } catch let error as AWSCredentialError {
            #expect(error.source == "IMDSv2")
        }
        let chain = DefaultCredentialChain(
            environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)", "HOME": "/nonexistent"],
            files: AWSProfileFiles(credentialsText: nil, configText: nil),
            transport: HTTPClientTransport()
        )
        do {
            _ = try await chain.credentials()
            Issue.record("credentials from nowhere")
        } catch let error as AWSCredentialError {
            #expect(error.description.contains("AWS_ACCESS_KEY_ID"))
        }
    }
}
