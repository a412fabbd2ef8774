import AWSClients
import Foundation
import Testing

@Suite struct ZZDebugTests {
    @Test func debugS3Auth() async throws {
        try await MotoServer.with(environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"]) { server in
            let (access, secret) = try await SigningEnforcedTests.makeUser(server)
            let good = AWSClient(configuration: MotoServer.configuration(server, accessKey: access, secret: secret))
            let s3 = S3Client(client: good)
            do { try await s3.createBucket(bucket: "signed"); print("DBG createBucket ok") } catch { print("DBG createBucket \(error)") }
            do { try await s3.putObject(bucket: "signed", key: "plain.txt", body: Array("x".utf8)); print("DBG put plain ok") } catch { print("DBG put plain \(error)") }
            do { try await s3.putObject(bucket: "signed", key: "a b.txt", body: Array("x".utf8)); print("DBG put space ok") } catch { print("DBG put space \(error)") }
            do { try await s3.putObject(bucket: "signed", key: "ü+1.txt", body: Array("x".utf8)); print("DBG put utf ok") } catch { print("DBG put utf \(error)") }
            do { _ = try await s3.listAllObjects(bucket: "signed", prefix: "a b/"); print("DBG list ok") } catch { print("DBG list \(error)") }
            do { _ = try await s3.listAllObjects(bucket: "signed"); print("DBG list2 ok") } catch { print("DBG list2 \(error)") }
        }
    }
}
