public import InfraMonitorCore
public import Scheduler
public import ServiceLifecycle

/// What one scheduler tick did.
public enum TickOutcome: Sendable {
    /// The execution ran (whatever its status).
    case executed(ExecutionSummary)
    /// The data directory was busy (another `infra-monitor run`): the tick is skipped.
    case busy(String)
    /// The execution could not start.
    case failed(String)
}

/// The EventBridge rule of the embedded backend: fires the pipeline on `schedule`, one execution at
/// a time.
///
/// Policies: ticks never overlap — ticks that fall while an execution runs are skipped and counted;
/// on start, when the tick after the newest recorded execution has already passed (or nothing ever
/// ran), one execution runs at once. On graceful shutdown the wait stops and a running execution
/// is allowed to finish.
public struct ScheduleService: Service {
    public let schedule: ScheduleExpression
    /// The newest scheduled time already executed, from the executions table.
    public let lastScheduled: Timestamp?
    public let status: ServiceStatus
    public let execute: @Sendable (Timestamp) async -> TickOutcome
    public let log: @Sendable (String) -> Void

    public init(
        schedule: ScheduleExpression,
        lastScheduled: Timestamp?,
        status: ServiceStatus,
        execute: @escaping @Sendable (Timestamp) async -> TickOutcome,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.schedule = schedule
        self.lastScheduled = lastScheduled
        self.status = status
        self.execute = execute
        self.log = log
    }

    /// Whether a tick was missed since `lastScheduled`: true when nothing ever ran.
    public static func missedTick(schedule: ScheduleExpression, lastScheduled: Timestamp?, now: Timestamp) -> Bool {
        guard let lastScheduled else { return true }
        guard let next = schedule.next(after: lastScheduled) else { return false }
        return next <= now
    }

    public func run() async throws {
        if Self.missedTick(schedule: schedule, lastScheduled: lastScheduled, now: .now()) {
            log("a tick was missed since the last execution; running once now")
            await tick(at: .now())
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let now = Timestamp.now()
            guard let next = schedule.next(after: now) else {
                log("the schedule \(schedule) has no more fire times; the scheduler stops, the dashboard keeps running")
                await status.scheduled(next: nil)
                try await gracefulShutdown()
                return
            }
            await status.scheduled(next: next)
            let wait = max(0, next.secondsSince(now))
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                }
            } catch {
                return
            }
            if Task.isShuttingDownGracefully { return }
            await tick(at: next)
        }
    }

    /// Runs one execution for `time`, then counts the ticks that fell while it ran.
    func tick(at time: Timestamp) async {
        await status.executionStarted()
        let outcome = await execute(time)
        switch outcome {
        case .executed(let summary):
            log("execution \(summary.id) \(summary.status.rawValue) (scheduled \(summary.scheduledTime.iso8601Milliseconds))")
            await status.executionEnded(problem: summary.status == .succeeded ? nil : summary.error)
        case .busy(let reason):
            log("tick at \(time.iso8601Milliseconds) skipped: \(reason)")
            await status.executionEnded(problem: reason)
            await status.skipped(1, problem: reason)
        case .failed(let reason):
            log("tick at \(time.iso8601Milliseconds) failed: \(reason)")
            await status.executionEnded(problem: reason)
        }
        let missed = schedule.nextN(1000, after: time).prefix { $0 <= .now() }.count
        if missed > 0 {
            log("\(missed) tick(s) fell while the execution ran and were skipped (executions never overlap)")
            await status.skipped(missed, problem: "\(missed) tick(s) skipped while an execution ran")
        }
    }
}
