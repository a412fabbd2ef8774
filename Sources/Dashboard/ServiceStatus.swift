public import InfraMonitorCore

/// What `serve` itself has done since it started: the scheduler's ticks and the requests served.
public actor ServiceStatus {
    /// The schedule as written (`rate(3 hours)`, or the test override).
    public nonisolated let schedule: String
    public private(set) var nextTick: Timestamp?
    public private(set) var ticksRun = 0
    /// Ticks that fell while an execution was still running, or while `infra-monitor run` held the data directory.
    public private(set) var ticksSkipped = 0
    public private(set) var runningExecution = false
    public private(set) var lastProblem: String?
    public private(set) var requests = 0

    public init(schedule: String) {
        self.schedule = schedule
    }

    func scheduled(next: Timestamp?) { nextTick = next }
    func executionStarted() { runningExecution = true }

    func executionEnded(problem: String?) {
        runningExecution = false
        ticksRun += 1
        lastProblem = problem
    }

    func skipped(_ count: Int, problem: String) {
        ticksSkipped += count
        lastProblem = problem
    }

    func requestServed() { requests += 1 }
}
