import Foundation
import InfraJSON
import StateMachine
import Testing

/// Collects the history events of child executions by execution ARN.
actor ChildHistories {
    private(set) var events: [String: [HistoryEvent]] = [:]
    func append(_ executionID: String, _ event: HistoryEvent) { events[executionID, default: []].append(event) }
}

/// Distributed Map behaviour the conformance fixtures cannot show: child executions with their own
/// histories and event quotas, concurrency beyond inline Map's 40, the bucket storages, and the
/// errors without storage.
@Suite struct DistributedMapTests {
    static func fixture(_ name: String, _ replacements: [String: String] = [:]) throws -> StateMachineDefinition {
        var text = try String(contentsOf: TestSupport.fixturesDirectory.appendingPathComponent("distributed/" + name), encoding: .utf8)
        for (placeholder, value) in replacements { text = text.replacingOccurrences(of: placeholder, with: value) }
        return try StateMachineDefinition(parsing: text)
    }

    @Test("each child execution has its own history, numbered from 1, apart from the parent's", arguments: ["STANDARD", "EXPRESS"])
    func childHistoriesAreSeparate(executionType: String) async throws {
        let definition = try Self.fixture("child-loop.asl.json", ["EXECUTION_TYPE": executionType])
        let children = ChildHistories()
        var options = TestSupport.options()
        options.onChildExecutionEvent = { id, event in await children.append(id, event) }
        let parent = EventLog()
        let result = await Interpreter(definition: definition, bindings: ResourceBindings([:]))
            .run(input: ["items": [1, 2, 3]], options: options) { await parent.append($0) }
        #expect(result == .succeeded(output: [["i": 10], ["i": 10], ["i": 10]]))
        let types = await parent.types
        #expect(types.contains("MapRunStarted") && types.contains("MapRunSucceeded"))
        #expect(!types.contains("MapIterationStarted") && !types.contains("PassStateEntered"), "\(types)")
        let histories = await children.events
        #expect(histories.count == 3)
        for (arn, events) in histories {
            #expect(arn.contains(executionType == "EXPRESS" ? ":express:Fixture/Fan:" : ":execution:Fixture/Fan:"), "\(arn)")
            #expect(events.map(\.id) == Array(1...events.count))
            #expect(events.first?.type == "ExecutionStarted" && events.last?.type == "ExecutionSucceeded")
            #expect(events.count > 20)
        }
    }

    @Test("a Standard child has its own history quota; an Express child none; the parent's quota does not count children")
    func childHistoryQuota() async throws {
        for (executionType, expectSuccess) in [("STANDARD", false), ("EXPRESS", true)] {
            let definition = try Self.fixture("child-loop.asl.json", ["EXECUTION_TYPE": executionType])
            var options = TestSupport.options()
            options.historyEventLimit = 20
            let result = await Interpreter(definition: definition, bindings: ResourceBindings([:]))
                .run(input: ["items": .array((0..<30).map { .number(Double($0)) })], options: options)
            if expectSuccess {
                guard case .succeeded(.array(let outputs)) = result else {
                    Issue.record("\(executionType): \(result)")
                    continue
                }
                #expect(outputs.count == 30)
            } else {
                guard case .failed(let error, _) = result else {
                    Issue.record("\(executionType): expected the children to hit their quota, got \(result)")
                    continue
                }
                #expect(error == "States.ExceedToleratedFailureThreshold")
            }
        }
    }

    @Test(
        "a distributed Map runs more than inline Map's 40 children at once, up to MaxConcurrency",
        arguments: [
            (#"{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"}"#, 100, 41...100),
            (#"{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"}"#, 3, 2...3),
            (#"{"Mode":"INLINE"}"#, 100, 2...40),
        ]
    )
    func concurrency(processorConfig: String, maxConcurrency: Int, expected: ClosedRange<Int>) async throws {
        let definition = try Self.fixture(
            "concurrency.asl.json",
            ["PROCESSOR_CONFIG": processorConfig, "MAX_CONCURRENCY": String(maxConcurrency)]
        )
        let gauge = ConcurrencyGauge()
        let interpreter = Interpreter(
            definition: definition,
            bindings: ResourceBindings([
                "work": { invocation in
                    await gauge.enter()
                    try await Task.sleep(nanoseconds: 50_000_000)
                    await gauge.leave()
                    return invocation.input
                }
            ])
        )
        let items = JSON.array((0..<200).map { .number(Double($0)) })
        let result = await interpreter.run(input: items, options: TestSupport.options())
        #expect(result == .succeeded(output: items))
        let highest = await gauge.highest
        #expect(expected.contains(highest), "highest concurrency \(highest)")
    }

    @Test(
        "without bucket storage, an ItemReader or an exporting ResultWriter fails with a cause naming --data-dir",
        arguments: [("reader-without-storage.asl.json", "States.ItemReaderFailed"), ("writer-without-storage.asl.json", "States.ResultWriterFailed")]
    )
    func withoutStorage(file: String, expectedError: String) async throws {
        let result = await Interpreter(definition: try Self.fixture(file), bindings: ResourceBindings([:]))
            .run(input: [1, 2], options: TestSupport.options())
        guard case .failed(let error, let cause) = result else {
            Issue.record("expected \(expectedError), got \(result)")
            return
        }
        #expect(error == expectedError)
        #expect(cause.contains("--data-dir"), "\(cause)")
    }

    @Test("the folder storage keeps each bucket as a folder: put, get and list round-trip; temporary files are not listed")
    func folderStorage() async throws {
        let root = NSTemporaryDirectory() + "bucket-storage-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = FolderBucketStorage(root: root)
        try await storage.putObject(bucket: "b", key: "logs/2026/a.jsonl", body: Array("{}\n".utf8))
        try await storage.putObject(bucket: "b", key: "other.txt", body: Array("x".utf8))
        #expect(FileManager.default.createFile(atPath: root + "/b/logs/.a.jsonl.tmp-1-2", contents: Data()))
        #expect(try await storage.getObject(bucket: "b", key: "logs/2026/a.jsonl") == Array("{}\n".utf8))
        #expect(FileManager.default.fileExists(atPath: root + "/b/logs/2026/a.jsonl"))
        let listed = try await storage.listObjects(bucket: "b", prefix: "logs/")
        #expect(listed.map(\.key) == ["logs/2026/a.jsonl"])
        #expect(listed.first?.size == 3)
        #expect(listed.first?.eTag == BucketObject.eTag(of: Array("{}\n".utf8)))
        #expect(try await storage.listObjects(bucket: "b", prefix: "").map(\.key) == ["logs/2026/a.jsonl", "other.txt"])
        await #expect(throws: BucketStorageError.noSuchKey(bucket: "b", key: "absent")) { try await storage.getObject(bucket: "b", key: "absent") }
        await #expect(throws: BucketStorageError.noSuchBucket("c")) { try await storage.listObjects(bucket: "c", prefix: "") }
    }

    @Test("keys and bucket names that would leave the bucket's folder are refused", arguments: ["../x", "/abs", "a//b", "a/./b", ""])
    func invalidKeys(key: String) async throws {
        let root = NSTemporaryDirectory() + "bucket-storage-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = FolderBucketStorage(root: root)
        await #expect(throws: BucketStorageError.invalidName(key)) { try await storage.putObject(bucket: "b", key: key, body: []) }
        await #expect(throws: BucketStorageError.invalidName("..")) { try await storage.putObject(bucket: "..", key: "k", body: []) }
    }

    @Test("ETags are the quoted MD5 of the bytes, as S3 gives them for single-part uploads")
    func eTag() {
        #expect(BucketObject.eTag(of: Array("hello".utf8)) == "\"5d41402abc4b2a76b9719d911017c592\"")
    }
}
