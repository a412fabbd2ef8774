import AWSClients
import Foundation
import Testing

/// S3 against moto: objects, pagination, deletes, lifecycle, path-style addressing.
@Suite(.serialized) struct MotoS3Tests {
    @Test func objectsRoundTripAndPaginate() async throws {
        try await MotoServer.with { server in
            let s3 = S3Client(client: AWSClient(configuration: MotoServer.configuration(server)))
            try await s3.createBucket(bucket: "raw-batches")
            #expect(try await s3.headBucket(bucket: "raw-batches"))
            #expect(try await s3.headBucket(bucket: "no-such-bucket") == false)
            let keys = ["raw/2026/11/25/host a/batch-1.jsonl", "raw/2026/11/25/b+c=d&e.jsonl", "raw/ünïcode/x.jsonl", "raw/z", "other/1"]
            for (index, key) in keys.enumerated() {
                try await s3.putObject(bucket: "raw-batches", key: key, body: Array("line \(index)\n".utf8), contentType: "application/x-ndjson")
            }
            #expect(try await s3.getObject(bucket: "raw-batches", key: keys[1]) == Array("line 1\n".utf8))
            #expect(try await s3.getObject(bucket: "raw-batches", key: keys[2]) == Array("line 2\n".utf8))

            let first = try await s3.listObjectsV2(bucket: "raw-batches", prefix: "raw/", maxKeys: 2)
            #expect(first.objects.count == 2)
            #expect(first.nextContinuationToken != nil)
            let all = try await s3.listAllObjects(bucket: "raw-batches", prefix: "raw/", pageSize: 2)
            #expect(all.map(\.key) == keys.filter { $0.hasPrefix("raw/") }.sorted())
            #expect(all.allSatisfy { $0.size == 7 })

            let failures = try await s3.deleteObjects(bucket: "raw-batches", keys: [keys[0], keys[1]])
            #expect(failures.isEmpty)
            #expect(try await s3.listAllObjects(bucket: "raw-batches").map(\.key).sorted() == [keys[2], keys[3], keys[4]].sorted())

            do {
                _ = try await s3.getObject(bucket: "raw-batches", key: keys[0])
                Issue.record("a deleted key was still readable")
            } catch let error as AWSError {
                #expect(error.code == "NoSuchKey")
                #expect(error.status == 404)
                #expect(error.service == "s3")
            }
        }
    }

    @Test func moreThanOneThousandKeysPageAndDelete() async throws {
        try await MotoServer.with { server in
            let s3 = S3Client(client: AWSClient(configuration: MotoServer.configuration(server)))
            try await s3.createBucket(bucket: "many")
            let keys = (0..<1005).map { String(format: "k/%05d", $0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: keys.count, by: 100) {
                    group.addTask {
                        for key in keys[chunk..<min(keys.count, chunk + 100)] {
                            try await s3.putObject(bucket: "many", key: key, body: [1])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let first = try await s3.listObjectsV2(bucket: "many")
            #expect(first.objects.count == 1000)
            #expect(first.nextContinuationToken != nil)
            #expect(try await s3.listAllObjects(bucket: "many").map(\.key) == keys)
            #expect(try await s3.deleteObjects(bucket: "many", keys: keys).isEmpty)
            #expect(try await s3.listAllObjects(bucket: "many").isEmpty)
        }
    }

    @Test func lifecycleConfiguration() async throws {
        try await MotoServer.with { server in
            let s3 = S3Client(client: AWSClient(configuration: MotoServer.configuration(server)))
            try await s3.createBucket(bucket: "lifecycle")
            let rules = [
                S3LifecycleRule(id: "raw", prefix: "raw/", expirationDays: 7),
                S3LifecycleRule(id: "quarantine", prefix: "quarantine/", expirationDays: 30),
            ]
            try await s3.putBucketLifecycleConfiguration(bucket: "lifecycle", rules: rules)
            #expect(try await s3.getBucketLifecycleConfiguration(bucket: "lifecycle") == rules)
        }
    }

    @Test func presignedURLIsAccepted() async throws {
        try await MotoServer.with { server in
            let s3 = S3Client(client: AWSClient(configuration: MotoServer.configuration(server)))
            try await s3.createBucket(bucket: "shared")
            try await s3.putObject(bucket: "shared", key: "report.txt", body: Array("hello".utf8))
            let url = try await s3.presignedURL(bucket: "shared", key: "report.txt", expires: 300)
            #expect(url.query?.contains("X-Amz-Signature=") == true)
            let response = try await HTTPClientTransport().send(AWSHTTPRequest(url: url, method: "GET"), timeout: .seconds(10))
            #expect(response.status == 200)
            #expect(response.text == "hello")
        }
    }
}
