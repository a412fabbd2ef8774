import Foundation
import InfraJSON
import TestSupport
import Testing

/// `states run --task RESOURCE=COMMAND`: Task states answered by local commands, as a Lambda
/// function would answer them, with heartbeats and timeouts enforced on the command.
@Suite("states run --task")
struct StatesTaskCommandTests {
    /// Writes `definition` to a temporary file and runs `states run` on it.
    static func run(_ definition: String, input: String = "{}", tasks: [String]) async throws -> (ProcessResult, JSON?) {
        let dir = try Fixtures.temporaryDirectory("states-task")
        let file = dir + "/machine.json"
        try definition.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.infraMonitor(["states", "run", file, "--input", input] + tasks.flatMap { ["--task", $0] })
        return (result, try? JSON(parsing: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    static let lambdaTask = """
        {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"n.$":"$.n"},
          "Catch":[{"ErrorEquals":["Custom.Error"],"ResultPath":"$.error","Next":"Caught"}],"End":true},
          "Caught":{"Type":"Pass","End":true}}}
        """

    @Test("the command gets the task input on stdin and its stdout is the result")
    func commandAnswersTheTask() async throws {
        let script = #"import json, os, sys; print(json.dumps({"doubled": json.load(sys.stdin)["n"] * 2, "state": os.environ["STATES_STATE_NAME"]}))"#
        let double = "arn:aws:states:::lambda:invoke=python3 -c '\(script)'"
        let (result, output) = try await Self.run(Self.lambdaTask, input: #"{"n":21}"#, tasks: [double])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(output == ["status": "SUCCEEDED", "output": ["doubled": 42, "state": "Work"]])
    }

    @Test("errorType on stdout with a non-zero exit fails the task with that error, which Catch matches")
    func reportedErrorsAreCaught() async throws {
        let failing = #"*=echo '{"errorType":"Custom.Error","errorMessage":"out of stock"}'; exit 3"#
        let (result, output) = try await Self.run(Self.lambdaTask, input: #"{"n":1}"#, tasks: [failing])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(output?["output"]?["error"] == ["Error": "Custom.Error", "Cause": "out of stock"])
    }

    @Test("any other non-zero exit is States.TaskFailed with the last stderr line as the cause")
    func plainFailures() async throws {
        let (result, output) = try await Self.run(
            Self.lambdaTask,
            input: #"{"n":1}"#,
            tasks: [#"*=echo starting >&2; echo 'no such table' >&2; exit 4"#]
        )
        #expect(result.status == 1)
        #expect(output == ["status": "FAILED", "error": "States.TaskFailed", "cause": "the command exited with status 4: no such table"])
    }

    @Test("a silent command misses its heartbeat; one writing to stderr keeps the task alive")
    func heartbeats() async throws {
        let definition = """
            {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"slow","HeartbeatSeconds":2,"TimeoutSeconds":60,"End":true}}}
            """
        let (silent, silentOutput) = try await Self.run(definition, tasks: ["slow=sleep 5; echo 1"])
        #expect(silent.status == 1)
        #expect(silentOutput?["error"] == "States.HeartbeatTimeout")
        let ticking = #"slow=for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do echo tick >&2; sleep 0.25; done; echo '{"done":true}'"#
        let (alive, aliveOutput) = try await Self.run(definition, tasks: [ticking])
        #expect(alive.status == 0, "\(alive.stderr)")
        #expect(aliveOutput?["output"] == ["done": true])
    }

    @Test("a timed-out task has its command and what it started killed")
    func timeoutsKillTheProcessGroup() async throws {
        let marker = "600.\(Int.random(in: 100_000...999_999))"
        let definition = #"{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"slow","TimeoutSeconds":1,"End":true}}}"#
        let (result, output) = try await Self.run(definition, tasks: ["slow=sleep \(marker) >/dev/null 2>&1 </dev/null & sleep 30"])
        #expect(result.status == 1)
        #expect(output?["error"] == "States.Timeout")
        // `slee[p]` keeps pgrep from matching the shell that runs it.
        let left = try await CommandRunner.shell("pgrep -f 'slee[p] \(marker)' || true")
        #expect(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "left running: \(left.stdout)")
    }

    @Test("a child that escapes with setsid and ignores SIGTERM does not hold TimeoutSeconds")
    func anEscapedChildCannotHoldTheTimeout() async throws {
        let pidFile = try Fixtures.temporaryDirectory("setsid") + "/escaped.pid"
        let definition = #"{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"stubborn","TimeoutSeconds":2,"End":true}}}"#
        let started = Date()
        let (result, output) = try await Self.run(
            definition,
            tasks: ["stubborn=setsid sh -c 'echo $$ > \(pidFile); trap \"\" TERM; sleep 60'"]
        )
        let elapsed = Date().timeIntervalSince(started)
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(-pid, SIGKILL)
        }
        #expect(result.status == 1, "\(result.stderr)")
        #expect(output?["error"] == "States.Timeout")
        #expect(elapsed < 10, "states run took \(elapsed) s for a 2 s timeout")
    }

    @Test("an unbound resource names itself; a malformed --task is a usage error")
    func bindingErrors() async throws {
        let (unbound, output) = try await Self.run(Self.lambdaTask, input: #"{"n":1}"#, tasks: ["other=cat"])
        #expect(unbound.status == 1)
        #expect(output?["error"] == "States.Runtime")
        #expect(output?["cause"]?.stringValue?.contains("arn:aws:states:::lambda:invoke") == true)
        let (malformed, _) = try await Self.run(Self.lambdaTask, tasks: ["no-command"])
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("must be RESOURCE=COMMAND"))
    }
}
