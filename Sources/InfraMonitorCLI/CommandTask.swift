import Foundation
import InfraJSON
import StateMachine
import Synchronization

/// A Task resource bound to a shell command, for `states run --task RESOURCE=COMMAND`: a stand-in
/// for a Lambda function or service integration while a state machine is developed locally.
///
/// The command runs with `/bin/sh -c`, gets the task's effective input as JSON on stdin and the
/// environment variables `STATES_RESOURCE`, `STATES_STATE_NAME` and `STATES_ATTEMPT`. It answers
/// like a Lambda function: exit 0 with the result JSON on stdout (nothing means `null`); or a
/// non-zero exit, with `{"errorType": …, "errorMessage": …}` on stdout to fail with that error
/// name (which Retry and Catch match), else `States.TaskFailed` with the last stderr line as the
/// cause. Every write to stderr counts as a heartbeat (`HeartbeatSeconds`); a task that times out
/// has its command and everything it started killed (SIGKILL to its process group) and ends at
/// once: it never waits for the end of pipes that a process which escaped the group (`setsid`)
/// still holds. Otherwise the task ends when the command and
/// whatever it left running have closed their output.
struct CommandTask: Sendable {
    /// The exact `Resource` string, or `*` for every resource without a binding of its own.
    let resource: String
    let command: String

    /// Parses `RESOURCE=COMMAND` (split at the first `=`).
    init(parsing text: String) throws {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex, text.index(after: equals) != text.endIndex else {
            throw CLIError.usage(
                "--task '\(text)' must be RESOURCE=COMMAND, e.g. --task 'arn:aws:states:::lambda:invoke=./stub.sh' or --task '*=cat'"
            )
        }
        resource = String(text[..<equals])
        command = String(text[text.index(after: equals)...])
    }

    /// Bindings for `tasks`: exact resources first, then the `*` entry, if any.
    static func bindings(_ tasks: [CommandTask]) -> ResourceBindings {
        let exact = Dictionary(tasks.filter { $0.resource != "*" }.map { ($0.resource, $0.command) }, uniquingKeysWith: { _, last in last })
        let fallback = tasks.last { $0.resource == "*" }?.command
        return ResourceBindings { resource in
            guard let command = exact[resource] ?? fallback else { return nil }
            return { invocation in try await run(command, invocation) }
        }
    }

    /// Runs `command` for one task attempt and turns its answer into the task result or failure.
    static func run(_ command: String, _ invocation: TaskInvocation) async throws -> JSON {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["STATES_RESOURCE"] = invocation.resource
        environment["STATES_STATE_NAME"] = invocation.stateName
        environment["STATES_ATTEMPT"] = String(invocation.attempt)
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = try inputFile(invocation.input)
        process.standardOutput = output
        process.standardError = errors
        let stdout = CollectedOutput()
        let stderr = CollectedOutput()
        output.fileHandleForReading.readabilityHandler = { handle in stdout.append(handle.availableData) }
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            stderr.append(data)
            if !data.isEmpty { invocation.sendHeartbeat() }
        }
        let running = RunningProcess(process)
        let status: Int32 = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do {
                    try process.run()
                    running.started()
                } catch {
                    process.terminationHandler = nil
                    let cause = "cannot start /bin/sh: \(error.localizedDescription)"
                    continuation.resume(throwing: TaskFailure(error: StatesErrors.taskFailed, cause: cause))
                    return
                }
            }
        } onCancel: {
            running.stop()
        }
        let ends = PipeEnds()
        for (pipe, collected) in [(output, stdout), (errors, stderr)] {
            let handle = pipe.fileHandleForReading
            handle.readabilityHandler = nil
            // A dedicated thread reads to the end of the pipe, so that no thread of the cooperative
            // pool blocks; a cancelled task stops waiting for it (an escaped child may hold the pipe).
            Thread {
                collected.append(handle.readDataToEndOfFile())
                ends.closed()
            }.start()
        }
        await withTaskCancellationHandler {
            await ends.bothClosed()
        } onCancel: {
            ends.abandon()
        }
        try Task.checkCancellation()
        return try answer(status: status, stdout: stdout.text, stderr: stderr.text)
    }

    /// `input` as JSON text in an already unlinked temporary file, open for reading: the command may
    /// read it or not, and nothing is left behind.
    static func inputFile(_ input: JSON) throws -> FileHandle {
        let path = NSTemporaryDirectory() + "/infra-monitor-task-\(UUID().uuidString).json"
        guard FileManager.default.createFile(atPath: path, contents: Data(input.text.utf8)), let handle = FileHandle(forReadingAtPath: path) else {
            throw TaskFailure(error: StatesErrors.taskFailed, cause: "cannot write the task input to \(NSTemporaryDirectory())")
        }
        unlink(path)
        return handle
    }

    /// The task result for exit status 0, else the failure the command reported.
    static func answer(status: Int32, stdout: String, stderr: String) throws -> JSON {
        let printed = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let value = printed.isEmpty ? JSON.null : try? JSON(parsing: printed)
        guard status == 0 else {
            if let errorType = value?["errorType"]?.stringValue {
                throw TaskFailure(error: errorType, cause: value?["errorMessage"]?.stringValue ?? "")
            }
            let lastLine = stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            let cause = "the command exited with status \(status)" + (lastLine.isEmpty ? "" : ": \(lastLine)")
            throw TaskFailure(error: StatesErrors.taskFailed, cause: cause)
        }
        guard let value else {
            throw TaskFailure(error: StatesErrors.taskFailed, cause: "the command's output is not JSON: \(printed.prefix(200))")
        }
        return value
    }
}

/// A started child process and the processes it starts. Foundation starts the child as the
/// leader of a process group of its own; signalling that group reaches what the command started too.
private final class RunningProcess: Sendable {
    private let process: Process
    /// The child's process group once it runs (0 before, or when it leads no group).
    private let group = Mutex<pid_t>(0)

    init(_ process: Process) { self.process = process }

    /// Records the child's process group; call right after `run()`.
    func started() {
        let pid = process.processIdentifier
        group.withLock { $0 = getpgid(pid) == pid ? pid : 0 }
    }

    /// Sends `signal` to the command's process group.
    func signalGroup(_ signal: Int32) {
        let leader = group.withLock { $0 }
        if leader > 0 { kill(-leader, signal) }
    }

    /// SIGKILL to the process group at once: the deadline has passed, and a command that traps
    /// SIGTERM must not outlive it. (A process that left the group with `setsid` is out of reach
    /// of group signals; the task no longer waits for it.)
    func stop() {
        signalGroup(SIGKILL)
    }
}

/// The end of the child's two output pipes: awaited once both reached end of file, or given up
/// when the task is cancelled (a process that left the group may hold them open for ever).
private final class PipeEnds: Sendable {
    private struct State {
        var open = 2
        var abandoned = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// One pipe reached end of file.
    func closed() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.open -= 1
            guard state.open <= 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Stops waiting for the pipes.
    func abandon() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.abandoned = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once both pipes reached end of file or the wait was abandoned.
    func bothClosed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.open <= 0 || state.abandoned { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

/// Bytes a child process wrote, gathered from a pipe's readability handler.
private final class CollectedOutput: Sendable {
    private let data = Mutex(Data())

    func append(_ chunk: Data) { data.withLock { $0.append(chunk) } }

    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}
