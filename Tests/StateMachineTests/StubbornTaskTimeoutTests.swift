import Foundation
import InfraJSON
import StateMachine
import Testing

/// `TimeoutSeconds` fires on time even when the handler ignores cancellation (a command whose
/// escaped child keeps its pipes open): the state fails with `States.Timeout` by the deadline.
@Suite struct StubbornTaskTimeoutTests {
    /// A handler that blocks a thread of its own for `seconds`, deaf to cancellation.
    static func stubborn(seconds: Double) -> TaskHandler {
        { _ in
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { continuation.resume() }
            }
            return ["finished": true]
        }
    }

    @Test(arguments: [
        #"{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","TimeoutSeconds":1,"End":true}}}"#,
        #"{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","TimeoutSeconds":2,"HeartbeatSeconds":1,"End":true}}}"#,
    ])
    func aHandlerThatIgnoresCancellationStillTimesOutByTheDeadline(definition: String) async throws {
        let started = ContinuousClock.now
        let (result, events) = try await HeartbeatTests.run(definition, handler: Self.stubborn(seconds: 20))
        let elapsed = ContinuousClock.now - started
        guard case .failed(let error, _) = result else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
        #expect(["States.Timeout", "States.HeartbeatTimeout"].contains(error))
        #expect(elapsed < .seconds(5), "took \(elapsed)")
        #expect(events.contains { $0.type == "TaskTimedOut" })
    }

    @Test func aHandlerThatFinishesFirstStillSucceeds() async throws {
        let (result, _) = try await HeartbeatTests.run(
            #"{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"work","TimeoutSeconds":5,"End":true}}}"#,
            handler: Self.stubborn(seconds: 0.1)
        )
        guard case .succeeded(let output) = result else {
            Issue.record("expected success, got \(result)")
            return
        }
        #expect(output["finished"] == true)
    }
}
