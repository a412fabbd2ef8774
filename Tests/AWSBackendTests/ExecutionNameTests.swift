import AWSBackend
import AWSClients
import InfraMonitorCore
import Testing

/// `run --remote --execution-id`: names StartExecution accepts, and a clear answer for a name
/// already used (Step Functions keeps names for 90 days).
@Suite(.serialized) struct ExecutionNameTests {
    @Test(
        "StartExecution's name rules",
        arguments: [
            ("manual-2026_11_25", nil),
            (String(repeating: "a", count: 80), nil),
            ("ünïcode-is-allowed", nil),
            ("", "is empty"),
            (String(repeating: "a", count: 81), "is longer than 80 characters"),
            ("manual run", "contains white space"),
            ("tab\there", "contains white space"),
            ("a<b", "contains '<'"),
            ("a{b", "contains '{'"),
            ("a[b", "contains '['"),
            ("a?b", "contains '?'"),
            ("a*b", "contains '*'"),
            ("a\"b", "contains '\"'"),
            ("a#b", "contains '#'"),
            ("a%b", "contains '%'"),
            ("a\\b", "contains '\\'"),
            ("a^b", "contains '^'"),
            ("a|b", "contains '|'"),
            ("a~b", "contains '~'"),
            ("a`b", "contains '`'"),
            ("a$b", "contains '$'"),
            ("a&b", "contains '&'"),
            ("a,b", "contains ','"),
            ("a;b", "contains ';'"),
            ("a:b", "contains ':'"),
            ("a/b", "contains '/'"),
            ("a\u{01}b", "contains the control or invalid character U+1"),
            ("a\u{7F}b", "contains the control or invalid character U+7F"),
            ("a\u{9F}b", "contains the control or invalid character U+9F"),
            ("a\u{FFFE}b", "contains the control or invalid character U+FFFE"),
        ] as [(String, String?)]
    )
    func nameRules(name: String, problem: String?) {
        #expect(StepFunctionsPipeline.executionNameProblem(name) == problem)
    }

    @Test func aNameUsedBeforeIsAClearError() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let services = AWSServices(client: moto.client)
        _ = try await moto.createPipelineStateMachine(stepFunctions: services.stepFunctions)
        let pipeline = StepFunctionsPipeline(stepFunctions: services.stepFunctions, stateMachineName: AWSPipelineBackend.stateMachineName)
        _ = try await pipeline.start(name: "once-1", scheduledTime: Timestamp(seconds: 1_795_629_600))
        let error = await #expect(throws: AWSBackendError.self) {
            try await pipeline.start(name: "once-1", scheduledTime: Timestamp(seconds: 1_795_640_400))
        }
        #expect(error == .executionAlreadyExists(name: "once-1"))
        #expect(error?.description.contains("90 days") == true)
    }
}
