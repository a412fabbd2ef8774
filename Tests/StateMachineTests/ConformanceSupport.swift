import Foundation
import InfraJSON
import StateMachine

/// One case of the conformance suite under `Fixtures/conformance`: a definition, an input, optional
/// canned Task outcomes, and the expected output or error.
struct ConformanceCase: Sendable, CustomStringConvertible {
    var file: String
    var name: String
    var json: JSON

    var description: String { "\(file): \(name)" }

    var definition: JSON { json["definition"] ?? .null }
    var input: JSON { json["input"] ?? [:] }
    var expected: JSON { json["expected"] ?? [:] }

    /// Whether moto's Step Functions interpreter can run the case: only Pass, Choice, Parallel, Map,
    /// Succeed and Fail states, and not marked `"moto": false`.
    var runsOnMoto: Bool {
        if json["moto"] == .bool(false) { return false }
        return Self.stateTypes(definition).isSubset(of: ["Pass", "Choice", "Parallel", "Map", "Succeed", "Fail"])
    }

    private static func stateTypes(_ value: JSON) -> Set<String> {
        switch value {
        case .object(let members):
            var types: Set<String> = []
            if case .object(let states)? = members["States"] {
                for state in states.values { if let type = state["Type"]?.stringValue { types.insert(type) } }
            }
            for member in members.values { types.formUnion(stateTypes(member)) }
            return types
        case .array(let elements):
            return elements.reduce(into: []) { $0.formUnion(stateTypes($1)) }
        default:
            return []
        }
    }

    /// Every case of every file in `Fixtures/conformance`, in file and case order.
    static func all() -> [ConformanceCase] {
        TestSupport.fixtureNames(in: "conformance").flatMap { file -> [ConformanceCase] in
            guard let fixture = try? TestSupport.fixture("conformance/" + file), let cases = fixture["cases"]?.arrayValue else {
                return [ConformanceCase(file: file, name: "unreadable", json: [:])]
            }
            return cases.map { ConformanceCase(file: file, name: $0["name"]?.stringValue ?? "unnamed", json: $0) }
        }
    }

    /// The buckets the case starts with (`"bucket": {name: {key: content}}`): a string content is the
    /// object's bytes, any other JSON value its text.
    var buckets: [String: [String: [UInt8]]] {
        var buckets: [String: [String: [UInt8]]] = [:]
        for (bucket, objects) in json["bucket"]?.objectValue ?? [:] {
            var contents: [String: [UInt8]] = [:]
            for (key, value) in objects.objectValue ?? [:] { contents[key] = Array((value.stringValue ?? value.text).utf8) }
            buckets[bucket] = contents
        }
        return buckets
    }

    /// Runs the case in the interpreter with its canned Task outcomes; records the sleeps it requests.
    func run(sleeps: SleepRecorder) async throws -> ExecutionResult {
        try await run(sleeps: sleeps, storage: InMemoryBucketStorage(objects: buckets))
    }

    /// Runs the case with `storage` as its buckets (seeded from ``buckets`` by the caller).
    func run(sleeps: SleepRecorder, storage: InMemoryBucketStorage) async throws -> ExecutionResult {
        let definition = try StateMachineDefinition(json: definition)
        var handlers: [String: TaskHandler] = [:]
        for (resource, outcomes) in json["tasks"]?.objectValue ?? [:] {
            let attempts = outcomes.arrayValue ?? []
            let counter = Counter()
            handlers[resource] = { invocation in
                let index = await counter.next() - 1
                guard !attempts.isEmpty else { return .null }
                let outcome = attempts[min(index, attempts.count - 1)]
                if let expected = outcome["expectInput"], expected != invocation.input {
                    throw TaskFailure(error: "Fixture.UnexpectedInput", cause: invocation.input.text)
                }
                if let error = outcome["error"]?.stringValue { throw TaskFailure(error: error, cause: outcome["cause"]?.stringValue ?? "") }
                return outcome["result"] ?? .null
            }
        }
        return await Interpreter(definition: definition, bindings: ResourceBindings(handlers), storage: storage)
            .run(input: input, options: TestSupport.options(sleeps: sleeps))
    }

    /// Why the objects in `storage` do not match the case's `expectedObjects` and `absentObjects`,
    /// or an empty list. A `.jsonl` object is compared as the array of its lines' values.
    func objectMismatches(in storage: InMemoryBucketStorage) -> [String] {
        var mismatches: [String] = []
        for (bucket, objects) in json["expectedObjects"]?.objectValue ?? [:] {
            for (key, expected) in objects.objectValue ?? [:] {
                guard let bytes = storage.object(bucket: bucket, key: key) else {
                    mismatches.append("s3://\(bucket)/\(key) was not written (keys: \(storage.keys(bucket: bucket)))")
                    continue
                }
                let text = String(decoding: bytes, as: UTF8.self)
                let actual: JSON? =
                    key.hasSuffix(".jsonl")
                    ? (try? text.split(separator: "\n").map { try JSON(parsing: String($0)) }).map(JSON.array)
                    : try? JSON(parsing: text)
                guard let actual, Self.matches(actual, expected) else {
                    mismatches.append("s3://\(bucket)/\(key) is \(text), expected it to match \(expected.text)")
                    continue
                }
            }
        }
        for (bucket, keys) in json["absentObjects"]?.objectValue ?? [:] {
            for key in keys.arrayValue?.compactMap(\.stringValue) ?? [] where storage.object(bucket: bucket, key: key) != nil {
                mismatches.append("s3://\(bucket)/\(key) was written, expected it absent")
            }
        }
        return mismatches
    }

    /// Whether `actual` has every member `expected` gives (recursively); arrays must have the same length.
    static func matches(_ actual: JSON, _ expected: JSON) -> Bool {
        switch (actual, expected) {
        case (.object(let members), .object(let wanted)):
            return wanted.allSatisfy { key, value in members[key].map { matches($0, value) } ?? false }
        case (.array(let elements), .array(let wanted)):
            return elements.count == wanted.count && zip(elements, wanted).allSatisfy { matches($0, $1) }
        default:
            return actual == expected
        }
    }
}
