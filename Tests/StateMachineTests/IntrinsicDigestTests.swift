import InfraJSON
import StateMachine
import Testing

/// `States.Hash` against the published test vectors (RFC 1321, RFC 3174, FIPS 180-4 examples), and
/// `States.MathRandom` with a seed.
@Suite struct IntrinsicDigestTests {
    static let vectors: [(String, String, String)] = [
        ("MD5", "", "d41d8cd98f00b204e9800998ecf8427e"),
        ("MD5", "abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("MD5", "12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
        ("SHA-1", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("SHA-1", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("SHA-256", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("SHA-256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("SHA-256", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("SHA-384", "abc", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
        (
            "SHA-512", "abc",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        ),
        (
            "SHA-512", "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"
        ),
    ]

    static func evaluate(_ expression: String, input: JSON) async throws -> ExecutionResult {
        let definition = try StateMachineDefinition(
            json: ["StartAt": "S", "States": ["S": ["Type": "Pass", "Parameters": ["r.$": .string(expression)], "OutputPath": "$.r", "End": true]]]
        )
        return await Interpreter(definition: definition, bindings: ResourceBindings([:])).run(input: input, options: TestSupport.options())
    }

    @Test(arguments: vectors)
    func hashMatchesTheKnownVector(algorithm: String, data: String, digest: String) async throws {
        let result = try await Self.evaluate("States.Hash($.d, $.a)", input: ["d": .string(data), "a": .string(algorithm)])
        #expect(result == .succeeded(output: .string(digest)))
    }

    @Test func hashesAMillionBytes() async throws {
        let result = try await Self.evaluate("States.Hash($.d, 'SHA-256')", input: ["d": .string(String(repeating: "a", count: 1_000_000))])
        #expect(result == .succeeded(output: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"))
    }

    @Test func seededRandomIsRepeatableAndInRange() async throws {
        let first = try await Self.evaluate("States.MathRandom(1, 1000000, 7)", input: [:])
        let second = try await Self.evaluate("States.MathRandom(1, 1000000, 7)", input: [:])
        #expect(first == second)
        guard case .succeeded(let value) = first, let number = value.intValue else {
            Issue.record("unexpected \(first)")
            return
        }
        #expect((1..<1_000_000).contains(number))
        let other = try await Self.evaluate("States.MathRandom(1, 1000000, 8)", input: [:])
        #expect(other != first)
    }

    @Test func unseededRandomStaysInRange() async throws {
        for _ in 0..<50 {
            let result = try await Self.evaluate("States.MathRandom(-3, 3)", input: [:])
            guard case .succeeded(let value) = result, let number = value.intValue else {
                Issue.record("unexpected \(result)")
                return
            }
            #expect((-3..<3).contains(number))
        }
    }

    @Test(arguments: [
        "States.MathAdd(9000000000000000000, 9000000000000000000)", "States.ArrayRange(-9000000000000000000, 9000000000000000000, 1)",
        "States.ArrayPartition(States.Array(1, 2, 3), 9000000000000000000)", "States.MathRandom(-9000000000000000000, 9000000000000000000, -1)",
    ])
    func extremeIntegersDoNotCrash(expression: String) async throws {
        let result = try await Self.evaluate(expression, input: [:])
        switch result {
        case .succeeded: break
        case .failed(let error, _): #expect(error == "States.IntrinsicFailure")
        }
    }
}
