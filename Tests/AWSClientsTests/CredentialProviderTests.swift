import AWSClients
import AWSSigner
import Foundation
import TestSupport
import Testing

/// The standardized credential providers against moto's STS with SigV4 enforced
/// (`INITIAL_NO_AUTH_ACTION_COUNT`), and against local stand-ins for IAM Identity Center and the
/// container endpoint (`Fixtures/credential_endpoints.py`).
@Suite(.serialized) struct CredentialProviderTests {
    static let iam = SigningEnforcedTests.iam

    /// The environment of a chain that talks only to `server` and never to instance metadata.
    static func environment(_ server: LocalServer, home: String, _ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "eu-west-1",
            "AWS_ENDPOINT_URL": server.endpoint.absoluteString,
        ]
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// A client whose every request is signed with what `provider` returns.
    static func client(_ server: LocalServer, _ provider: any AWSCredentialProvider) -> AWSClient {
        AWSClient(
            configuration: AWSClientConfiguration(
                region: "eu-west-1",
                credentialProvider: provider,
                endpointURL: server.endpoint,
                retryPolicy: AWSRetryPolicy(maxAttempts: 1),
                timeout: .seconds(30)
            )
        )
    }

    /// A role `principals` may assume, allowed everything. moto compares a trust policy's
    /// principals with the caller's ARN as written (an account root does not stand for its users).
    static func makeRole(_ admin: AWSClient, name: String, principals: [String] = ["arn:aws:iam::123456789012:root"]) async throws -> String {
        let quoted = principals.map { "\"\($0)\"" }.joined(separator: ",")
        let trust =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["#
            + quoted + #"]},"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}]}"#
        let created = try await admin.query(iam, action: "CreateRole", parameters: [("RoleName", name), ("AssumeRolePolicyDocument", trust)])
        let arn = try #require(created.string("CreateRoleResult", "Role", "Arn"))
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try await admin.query(iam, action: "PutRolePolicy", parameters: [("RoleName", name), ("PolicyName", "all"), ("PolicyDocument", policy)])
        return arn
    }

    @Test func assumeRoleAndCredentialProcessProfilesSignRequestsMotoAccepts() async throws {
        try await MotoServer.with(environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"]) { server in
            let (access, secret) = try await SigningEnforcedTests.makeUser(server)
            let admin = AWSClient(configuration: MotoServer.configuration(server, accessKey: access, secret: secret))
            let roleARN = try await Self.makeRole(
                admin,
                name: "deployer",
                principals: [
                    "arn:aws:iam::123456789012:user/pipeline", "arn:aws:sts::123456789012:assumed-role/deployer/infra-monitor-test",
                ]
            )
            let home = try Fixtures.temporaryDirectory("aws-profiles")
            defer { try? FileManager.default.removeItem(atPath: home) }
            let script = home + "/print-credentials.sh"
            try "#!/bin/sh\nprintf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}' \"$1\" \"$2\"\n"
                .write(toFile: script, atomically: true, encoding: .utf8)
            let config = """
                [profile base]
                aws_access_key_id = \(access)
                aws_secret_access_key = \(secret)

                [profile app]
                role_arn = \(roleARN)
                source_profile = base
                role_session_name = infra-monitor-test

                [profile chained]
                role_arn = \(roleARN)
                source_profile = app

                [profile wrong]
                role_arn = \(roleARN)
                source_profile = wrong-base

                [profile wrong-base]
                aws_access_key_id = \(access)
                aws_secret_access_key = \(secret)x

                [profile process]
                credential_process = /bin/sh \(script) \(access) \(secret)

                [profile loop-a]
                role_arn = \(roleARN)
                source_profile = loop-b

                [profile loop-b]
                role_arn = \(roleARN)
                source_profile = loop-a
                """
            let files = AWSProfileFiles(credentialsText: nil, configText: config)

            for profile in ["app", "chained"] {
                let chain = DefaultCredentialChain(
                    environment: Self.environment(server, home: home, ["AWS_PROFILE": profile]),
                    files: files,
                    transport: HTTPClientTransport()
                )
                let assumed = try await chain.credentials()
                #expect(assumed.accessKeyID != access, "\(profile): temporary keys, not the source's")
                #expect(assumed.sessionToken?.isEmpty == false)
                #expect(assumed.expiration != nil)
                // Signed with the assumed role's keys and session token; moto checks both.
                let arn = try await SNSClient(client: Self.client(server, chain)).createTopic(name: "assumed-\(profile)")
                #expect(arn.hasSuffix(":assumed-\(profile)"))
            }

            let wrong = DefaultCredentialChain(
                environment: Self.environment(server, home: home, ["AWS_PROFILE": "wrong"]),
                files: files,
                transport: HTTPClientTransport()
            )
            do {
                _ = try await wrong.credentials()
                Issue.record("AssumeRole signed with a wrong secret succeeded")
            } catch let error as AWSCredentialError {
                #expect(error.description.contains("SignatureDoesNotMatch"), "\(error)")
            }

            let loop = DefaultCredentialChain(
                environment: Self.environment(server, home: home, ["AWS_PROFILE": "loop-a"]),
                files: files,
                transport: HTTPClientTransport()
            )
            await #expect(throws: AWSCredentialError.self) { try await loop.credentials() }

            let process = DefaultCredentialChain(
                environment: Self.environment(server, home: home, ["AWS_PROFILE": "process"]),
                files: files,
                transport: HTTPClientTransport()
            )
            #expect(try await process.credentials().accessKeyID == access)
            let dynamo = DynamoDBClient(client: Self.client(server, process))
            try await dynamo.createTable(table: "FromProcess", partitionKey: "pk")
        }
    }

    @Test func webIdentityFromTheEnvironmentAssumesTheRole() async throws {
        try await MotoServer.with { server in
            let admin = AWSClient(configuration: MotoServer.configuration(server))
            let roleARN = try await Self.makeRole(admin, name: "pod")
            let home = try Fixtures.temporaryDirectory("aws-web-identity")
            defer { try? FileManager.default.removeItem(atPath: home) }
            let tokenFile = home + "/token"
            try "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2lnbmF0dXJl\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let environment = Self.environment(
                server,
                home: home,
                ["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": roleARN, "AWS_ROLE_SESSION_NAME": "pod-session"]
            )
            let chain = DefaultCredentialChain(
                environment: environment,
                files: AWSProfileFiles(credentialsText: nil, configText: nil),
                transport: HTTPClientTransport()
            )
            let credentials = try await chain.credentials()
            #expect(credentials.sessionToken?.isEmpty == false)
            #expect(chain.providers().map(\.name).prefix(3) == ["environment", "web identity", "profile default"])

            var missing = environment
            missing["AWS_WEB_IDENTITY_TOKEN_FILE"] = home + "/absent"
            let failing = DefaultCredentialChain(
                environment: missing,
                files: AWSProfileFiles(credentialsText: nil, configText: nil),
                transport: HTTPClientTransport()
            )
            do {
                _ = try await failing.credentials()
                Issue.record("a missing token file gave credentials")
            } catch let error as AWSCredentialError {
                #expect(error.source == "web identity")
            }
        }
    }

    /// Starts `Fixtures/credential_endpoints.py` answering `token` with the given keys.
    static func endpoints(token: String, access: String = "SSOKEY", secret: String = "SSOSECRET") async throws -> LocalServer {
        let port = try await CommandRunner.freePort()
        return try await LocalServer(
            executable: "/usr/bin/env",
            arguments: ["python3", Fixtures.path("credential_endpoints.py"), String(port), token, access, secret],
            port: port,
            readyPath: "/ready"
        )
    }

    @Test func identityCenterUsesTheCachedTokenOfTheSession() async throws {
        let server = try await Self.endpoints(token: "cached-access-token")
        defer { server.stop() }
        let home = try Fixtures.temporaryDirectory("aws-sso")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let cache = home + "/.aws/sso/cache"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        let config = """
            [profile dev]
            sso_session = my-sso
            sso_account_id = 111122223333
            sso_role_name = Operator
            region = eu-west-1

            [sso-session my-sso]
            sso_region = eu-west-1
            sso_start_url = https://example.awsapps.com/start
            sso_registration_scopes = sso:account:access
            """
        let files = AWSProfileFiles(credentialsText: nil, configText: config)
        #expect(files.ssoSessions["my-sso"]?["sso_region"] == "eu-west-1")
        let environment = [
            "HOME": home, "AWS_PROFILE": "dev", "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_SSO": server.endpoint.absoluteString,
        ]
        let chain = DefaultCredentialChain(environment: environment, files: files, transport: HTTPClientTransport())
        // No cached token yet: the profile is configured, so its error is final and says what to run.
        do {
            _ = try await chain.credentials()
            Issue.record("credentials without a cached token")
        } catch let error as AWSCredentialError {
            #expect(error.description.contains("aws sso login --sso-session my-sso"), "\(error)")
        }
        // `aws sso login` names the cache file after the SHA-1 of the session name.
        let file = cache + "/0ad374308c5a4e22f723adf10145eafad7c4031c.json"
        func writeToken(_ token: String, expiresIn seconds: TimeInterval) throws {
            let expires = Date().addingTimeInterval(seconds).formatted(.iso8601)
            try #"{"startUrl":"https://example.awsapps.com/start","region":"eu-west-1","accessToken":"\#(token)","expiresAt":"\#(expires)"}"#
                .write(toFile: file, atomically: true, encoding: .utf8)
        }
        try writeToken("cached-access-token", expiresIn: 3600)
        let credentials = try await chain.credentials()
        #expect(credentials.accessKeyID == "SSOKEY")
        #expect(credentials.sessionToken == "sso-111122223333-Operator")
        #expect(credentials.expiration.map { $0 > Date() } == true)

        try writeToken("cached-access-token", expiresIn: -60)
        do {
            _ = try await chain.credentials()
            Issue.record("an expired token was used")
        } catch let error as AWSCredentialError {
            #expect(error.message.contains("expired"), "\(error)")
        }
        try writeToken("revoked-token", expiresIn: 3600)
        do {
            _ = try await chain.credentials()
            Issue.record("a refused token gave credentials")
        } catch let error as AWSCredentialError {
            #expect(error.message.contains("refused"), "\(error)")
        }
    }

    @Test func containerEndpointSendsTheTokenFromItsFile() async throws {
        let server = try await Self.endpoints(token: "pod-identity-token", access: "PODKEY", secret: "PODSECRET")
        defer { server.stop() }
        let home = try Fixtures.temporaryDirectory("aws-container")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let tokenFile = home + "/eks-pod-identity-token"
        try "pod-identity-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let environment = [
            "HOME": home, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.endpoint.absoluteString + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-when-the-file-is-set",
        ]
        let chain = DefaultCredentialChain(
            environment: environment,
            files: AWSProfileFiles(credentialsText: nil, configText: nil),
            transport: HTTPClientTransport()
        )
        let credentials = try await chain.credentials()
        #expect(credentials.accessKeyID == "PODKEY")
        #expect(credentials.sessionToken == "container-token")

        try "rotated-away\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        await #expect(throws: AWSCredentialError.self) { try await chain.credentials() }
    }

    @Test func containerURIsOutsideTheAllowedHostsAreRefused() async throws {
        #expect(ContainerCredentialProvider.isAllowed(URL(string: "http://127.0.0.1:8080/creds")!))
        #expect(ContainerCredentialProvider.isAllowed(URL(string: "http://169.254.170.23/v1/credentials")!))
        #expect(ContainerCredentialProvider.isAllowed(URL(string: "http://[fd00:ec2::23]/v1/credentials")!))
        #expect(ContainerCredentialProvider.isAllowed(URL(string: "https://credentials.example.com/")!))
        #expect(!ContainerCredentialProvider.isAllowed(URL(string: "http://credentials.example.com/")!))
        #expect(!ContainerCredentialProvider.isAllowed(URL(string: "http://10.0.0.1/creds")!))
        let provider = ContainerCredentialProvider(
            environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.10/creds"],
            transport: HTTPClientTransport()
        )
        do {
            _ = try await provider.credentials()
            Issue.record("a plain-http URI to another host was called")
        } catch let error as AWSCredentialError {
            #expect(error.message.contains("neither https nor"))
        }
    }

    @Test func processOutputIsValidated() async throws {
        let bad = ProcessCredentialProvider(command: #"printf '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "B"}'"#)
        await #expect(throws: AWSCredentialError.self) { try await bad.credentials() }
        let failing = ProcessCredentialProvider(command: "exit 3")
        do {
            _ = try await failing.credentials()
            Issue.record("a failing command gave credentials")
        } catch let error as AWSCredentialError {
            #expect(error.message.contains("status 3"))
        }
        let good = ProcessCredentialProvider(
            command:
                #"printf '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "B", "SessionToken": "T", "Expiration": "2030-01-01T00:00:00Z"}'"#
        )
        let credentials = try await good.credentials()
        #expect(credentials.sessionToken == "T")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_893_456_000))
    }

    @Test func environmentKeysComeFirstAndStaticProfilesStillWork() async throws {
        let files = AWSProfileFiles(
            credentialsText: "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n",
            configText: "[default]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 4\n"
        )
        #expect(files.profiles["default"]?["max_concurrent_requests"] == nil)
        let base = ["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"]
        let fromFile = try await DefaultCredentialChain(environment: base, files: files, transport: HTTPClientTransport()).credentials()
        #expect(fromFile.accessKeyID == "FILEKEY")
        var withKeys = base
        withKeys["AWS_ACCESS_KEY_ID"] = "ENVKEY"
        withKeys["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET"
        let fromEnvironment = try await DefaultCredentialChain(environment: withKeys, files: files, transport: HTTPClientTransport()).credentials()
        #expect(fromEnvironment.accessKeyID == "ENVKEY")
    }
}
