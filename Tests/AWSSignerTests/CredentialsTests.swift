import Foundation
import Testing

@testable import AWSSigner

/// Environment variables, the shared files and the region order.
@Suite struct CredentialsTests {
    @Test func environmentWithSessionToken() throws {
        let credentials = try EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "TOKEN",
        ]).resolve()
        #expect(credentials == AWSCredentials(accessKeyID: "AKID", secretAccessKey: "SECRET", sessionToken: "TOKEN"))
    }

    @Test func environmentWithoutKeysSaysWhat() {
        #expect(throws: AWSCredentialError.self) { try EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKID"]).resolve() }
    }

    static let credentialsFile = """
        [default]
        aws_access_key_id = DEFAULTKEY
        aws_secret_access_key = DEFAULTSECRET

        # a comment
        [ops]
        aws_access_key_id=OPSKEY
        aws_secret_access_key=OPSSECRET
        aws_session_token=OPSTOKEN
        """
    static let configFile = """
        [default]
        region = us-west-2
        [profile ops]
        region=ap-southeast-2
        output = json
        """

    @Test func profilesFromBothFiles() throws {
        let files = AWSProfileFiles(credentialsText: Self.credentialsFile, configText: Self.configFile)
        #expect(try files.credentials(profile: "default") == AWSCredentials(accessKeyID: "DEFAULTKEY", secretAccessKey: "DEFAULTSECRET"))
        #expect(
            try files.credentials(profile: "ops")
                == AWSCredentials(accessKeyID: "OPSKEY", secretAccessKey: "OPSSECRET", sessionToken: "OPSTOKEN")
        )
        #expect(files.region(profile: "ops") == "ap-southeast-2")
        #expect(throws: AWSCredentialError.self) { try files.credentials(profile: "missing") }
    }

    /// A line with no setting name (`= value`) is skipped, as Python's configparser (which the AWS
    /// CLI uses) refuses it; found by Fuzz/FuzzProfile.
    @Test func aLineWithoutASettingNameIsSkipped() {
        let files = AWSProfileFiles(credentialsText: "[dev]\n= orphan\naws_access_key_id = K\n", configText: nil)
        #expect(files.profiles["dev"] == ["aws_access_key_id": "K"])
    }

    @Test func filesAreFoundThroughTheEnvironment() throws {
        let folder = NSTemporaryDirectory() + "aws-files-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.credentialsFile.write(toFile: folder + "/creds", atomically: true, encoding: .utf8)
        try Self.configFile.write(toFile: folder + "/config", atomically: true, encoding: .utf8)
        let environment = [
            "AWS_SHARED_CREDENTIALS_FILE": folder + "/creds", "AWS_CONFIG_FILE": folder + "/config", "AWS_PROFILE": "ops", "HOME": folder,
        ]
        let files = AWSProfileFiles.load(environment: environment)
        #expect(try files.credentials(profile: AWSProfileFiles.selectedProfile(environment: environment)).accessKeyID == "OPSKEY")
        #expect(AWSRegionResolver.resolve(environment: environment) == "ap-southeast-2")
    }

    @Test func regionOrder() {
        let files = AWSProfileFiles(credentialsText: nil, configText: Self.configFile)
        let environment = ["AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "us-east-2"]
        #expect(AWSRegionResolver.resolve(explicit: "sa-east-1", environment: environment, files: files) == "sa-east-1")
        #expect(AWSRegionResolver.resolve(environment: environment, files: files) == "eu-central-1")
        #expect(AWSRegionResolver.resolve(environment: ["AWS_DEFAULT_REGION": "us-east-2"], files: files) == "us-east-2")
        #expect(AWSRegionResolver.resolve(environment: [:], files: files) == "us-west-2")
        #expect(AWSRegionResolver.resolve(environment: [:], files: AWSProfileFiles(credentialsText: nil, configText: nil)) == "eu-west-1")
    }

    @Test func expiringCredentials() {
        let now = Date()
        #expect(AWSCredentials(accessKeyID: "a", secretAccessKey: "b", expiration: now.addingTimeInterval(60)).isExpiring(at: now))
        #expect(!AWSCredentials(accessKeyID: "a", secretAccessKey: "b", expiration: now.addingTimeInterval(3600)).isExpiring(at: now))
        #expect(!AWSCredentials(accessKeyID: "a", secretAccessKey: "b").isExpiring(at: now))
    }

    @Test func ssoSessionSectionsAndTheirCacheFileName() {
        let config = """
            [profile dev]
            sso_session = my-sso
            sso_account_id = 111122223333

            [sso-session my-sso]
            sso_region = eu-west-1
            sso_start_url = https://example.awsapps.com/start
            """
        let files = AWSProfileFiles(credentialsText: nil, configText: config)
        #expect(files.profiles["dev"]?["sso_session"] == "my-sso")
        #expect(files.profiles["sso-session my-sso"] == nil, "a session is not a profile")
        #expect(files.ssoSessions["my-sso"]?["sso_start_url"] == "https://example.awsapps.com/start")
        // `aws sso login --sso-session my-sso` caches its token as ~/.aws/sso/cache/<sha1("my-sso")>.json.
        #expect(CredentialDigest.sha1Hex("my-sso") == "0ad374308c5a4e22f723adf10145eafad7c4031c")
        #expect(!files.hasStaticKeys(profile: "dev"))
    }
}
