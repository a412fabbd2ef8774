import InfraJSON
import StateMachine
import Testing

/// The table-driven conformance suite: every case under `Fixtures/conformance` (examples of the
/// States Language specification and the AWS developer guide, plus own cases for every Choice
/// operator and intrinsic function) must produce its expected output or error.
@Suite struct ConformanceTests {
    @Test(arguments: ConformanceCase.all())
    func caseProducesExpectedResult(_ testCase: ConformanceCase) async throws {
        let sleeps = SleepRecorder()
        let storage = InMemoryBucketStorage(objects: testCase.buckets)
        let result = try await testCase.run(sleeps: sleeps, storage: storage)
        for mismatch in testCase.objectMismatches(in: storage) { Issue.record("\(testCase): \(mismatch)") }
        let expected = testCase.expected
        if let output = expected["output"] {
            #expect(result == .succeeded(output: output), "\(testCase)")
        } else {
            guard case .failed(let error, let cause) = result else {
                Issue.record("\(testCase): expected the error \(expected["error"]?.text ?? "?"), got \(result)")
                return
            }
            #expect(error == expected["error"]?.stringValue, "\(testCase): \(cause)")
            if let expectedCause = expected["cause"]?.stringValue { #expect(cause == expectedCause, "\(testCase)") }
            #expect(!cause.isEmpty, "\(testCase)")
        }
        if let expectedSleeps = testCase.json["expectedSleeps"]?.arrayValue {
            #expect(await sleeps.sleeps == expectedSleeps.compactMap(\.doubleValue), "\(testCase)")
        }
    }

    @Test func suiteCoversEveryOperatorAndIntrinsic() throws {
        let text = ConformanceCase.all().map { $0.definition.text }.joined()
        for name in [
            "StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches",
            "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals",
            "BooleanEquals", "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals",
            "TimestampGreaterThanEquals", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
            "\"And\"", "\"Or\"", "\"Not\"",
        ] {
            #expect(text.contains(name), "no conformance case uses \(name)")
            if !name.hasPrefix("Is"), !name.hasPrefix("\""), name != "StringMatches" {
                #expect(text.contains(name + "Path"), "no case uses \(name)Path")
            }
        }
        for function in [
            "Format", "StringToJson", "JsonToString", "Array(", "ArrayPartition", "ArrayContains", "ArrayRange", "ArrayGetItem",
            "ArrayLength", "ArrayUnique", "Base64Encode", "Base64Decode", "Hash", "JsonMerge", "MathRandom", "MathAdd", "StringSplit", "UUID",
        ] {
            #expect(text.contains("States." + function), "no conformance case uses States.\(function)")
        }
        #expect(ConformanceCase.all().count >= 150)
    }
}
