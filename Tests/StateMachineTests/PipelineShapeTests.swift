import InfraJSON
import StateMachine
import Testing

/// The pipeline's shape: Parallel of 4 collector Tasks, then a notification, then Succeed or Fail.
@Suite struct PipelineShapeTests {
    actor Published {
        var messages: [JSON] = []
        func add(_ message: JSON) { messages.append(message) }
    }

    static func bindings(failingMetric: String?, published: Published) -> ResourceBindings {
        ResourceBindings([
            "arn:aws:states:::lambda:invoke": { invocation in
                let payload = invocation.input["Payload"] ?? .null
                #expect(invocation.input["FunctionName"] == "${DataCollectorFunctionArn}")
                #expect(payload["execution_id"] == "run-42")
                #expect(payload["scheduled_time"] == "2026-11-25T18:00:00Z")
                let metric = payload["metric"]?.stringValue ?? "?"
                if metric == failingMetric { throw TaskFailure(error: "Collector.Failed", cause: "\(metric) unavailable") }
                return ["StatusCode": 200, "Payload": ["metric": .string(metric), "samples": 3, "key": .string("raw-metrics/\(metric)")]]
            },
            "arn:aws:states:::sns:publish": { invocation in
                await published.add(invocation.input)
                return ["MessageId": "m-1"]
            },
        ])
    }

    static func run(failingMetric: String?) async throws -> (ExecutionResult, [HistoryEvent], [JSON], [Double]) {
        let definition = try StateMachineDefinition(json: try TestSupport.fixture("pipeline.asl.json"))
        #expect(definition.taskResources == ["arn:aws:states:::lambda:invoke", "arn:aws:states:::sns:publish"])
        let published = Published()
        let events = EventLog()
        let sleeps = SleepRecorder()
        var options = TestSupport.options(sleeps: sleeps)
        options.executionName = "run-42"
        let result = await Interpreter(definition: definition, bindings: bindings(failingMetric: failingMetric, published: published))
            .run(input: ["time": "2026-11-25T18:00:00Z"], options: options) { await events.append($0) }
        return (result, await events.events, await published.messages, await sleeps.sleeps)
    }

    @Test func successPath() async throws {
        let (result, events, messages, sleeps) = try await Self.run(failingMetric: nil)
        let branches: JSON = .array(
            ["cpu_utilization", "memory_usage", "disk_usage", "network_traffic"].map {
                ["metric": .string($0), "samples": 3, "key": .string("raw-metrics/\($0)")]
            }
        )
        #expect(result == .succeeded(output: ["time": "2026-11-25T18:00:00Z", "branches": branches]))
        #expect(sleeps.isEmpty)
        #expect(messages.count == 1)
        #expect(messages.first?["Subject"] == "InfraMonitor: Pipeline Success")
        #expect(messages.first?["Message"] == .string(branches.text))
        // Branch events interleave; compare the execution's own sequence and the per-branch counts.
        let outer = events.filter { $0.stateName == nil || !$0.stateName!.hasPrefix("Collect_") }.map(\.type)
        #expect(
            outer == [
                "ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "ParallelStateSucceeded", "ParallelStateExited",
                "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
                "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded",
            ]
        )
        let cpu = events.filter { $0.stateName == "Collect_cpu_utilization" }.map(\.type)
        #expect(cpu == ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited"])
        #expect(events.map(\.id) == Array(1...events.count))
        #expect(events.allSatisfy { $0.previousEventID < $0.id })
        let scheduled = events.first { $0.type == "TaskScheduled" && $0.stateName == "Collect_disk_usage" }
        #expect(scheduled?.details["resourceType"] == "lambda")
        #expect(scheduled?.details["resource"] == "invoke")
        let parameters = try JSON(parsing: scheduled?.details["parameters"]?.stringValue ?? "")
        #expect(parameters["Payload"]?["metric"] == "disk_usage")
    }

    @Test func failurePath() async throws {
        let (result, events, messages, sleeps) = try await Self.run(failingMetric: "memory_usage")
        #expect(result == .failed(error: "Collector.Failed", cause: "memory_usage unavailable"))
        #expect(sleeps == [2, 4])
        #expect(messages.count == 1)
        #expect(messages.first?["Subject"] == "InfraMonitor: Pipeline Failure")
        let error = try JSON(parsing: messages.first?["Message"]?.stringValue ?? "")
        #expect(error == ["Error": "Collector.Failed", "Cause": "memory_usage unavailable"])
        let outer = events.filter { $0.stateName == nil || !$0.stateName!.hasPrefix("Collect_") }.map(\.type)
        #expect(
            outer == [
                "ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "ParallelStateFailed", "ParallelStateExited",
                "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
                "FailStateEntered", "ExecutionFailed",
            ]
        )
        #expect(events.filter { $0.type == "TaskFailed" }.count == 3)
        #expect(events.last?.details == ["error": "Collector.Failed", "cause": "memory_usage unavailable"])
        #expect(events.map(\.id) == Array(1...events.count))
    }
}
