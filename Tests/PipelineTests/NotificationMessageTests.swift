import InfraJSON
import InfraMonitorCore
import Pipeline
import Testing

/// The Pipeline Success / Failure message built from the state machine's `sns:publish` Parameters.
@Suite struct NotificationMessageTests {
    static let finished = Timestamp.parseRFC3339("2026-11-25T18:00:02.500Z")!

    @Test func successCarriesSamplesObjectsAndDuration() throws {
        let parameters: JSON = [
            "TopicArn": "arn:aws:sns:eu-west-1:000000000000:InfraMonitoring-Alarms",
            "Message": [
                "execution_id": "e1", "status": "SUCCEEDED", "started_at": "2026-11-25T18:00:00.000Z",
                "branches": [["metric": "cpu_utilization", "samples": 1, "key": "raw-metrics/k1"]],
            ],
        ]
        let message = NotificationMessage.build(parameters: parameters, finishedAt: Self.finished, collected: [:])
        #expect(message.subject == "InfraMonitor: Pipeline Success")
        #expect(message.executionID == "e1")
        #expect(message.message["duration_ms"]?.doubleValue == 2500)
        #expect(message.message["samples"] == ["cpu_utilization": 1])
        #expect(message.message["objects"] == ["raw-metrics/k1"])
        #expect(message.message["branches"] == nil)
        #expect(message.message["error"] == nil)
    }

    @Test func failureWithoutDetailsSaysStatesRuntime() throws {
        let parameters: JSON = ["Message": .string(#"{"execution_id":"e2","status":"FAILED"}"#)]
        let message = NotificationMessage.build(parameters: parameters, finishedAt: Self.finished, collected: ["memory_usage": 3])
        #expect(message.subject == "InfraMonitor: Pipeline Failure")
        #expect(message.message["error"]?.stringValue == "States.Runtime")
        #expect(message.message["cause"]?.stringValue == "")
        #expect(message.message["samples"] == ["memory_usage": 3])
    }
}
