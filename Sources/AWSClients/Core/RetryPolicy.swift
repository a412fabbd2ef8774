/// How failed requests are retried, as the AWS SDKs' standard retry mode does: up to
/// `maxAttempts` attempts in all, waiting a random time between zero and
/// `min(maxBackoff, baseDelay × 2^attempt)` (full jitter) before each retry.
public struct AWSRetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included (standard mode: 3).
    public var maxAttempts: Int
    /// The backoff base.
    public var baseDelay: Duration
    /// The longest wait between attempts (standard mode: 20 s).
    public var maxBackoff: Duration

    /// A policy; the defaults are the SDKs' standard mode.
    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxBackoff = maxBackoff
    }

    /// The SDKs' standard mode.
    public static let standard = AWSRetryPolicy()
    /// One attempt, no retries.
    public static let none = AWSRetryPolicy(maxAttempts: 1)

    /// The upper bound of the wait before retry number `retry` (0 for the first retry).
    public func backoffCeiling(retry: Int) -> Duration {
        let factor = 1 << min(retry, 30)
        let ceiling = baseDelay * factor
        return ceiling < maxBackoff ? ceiling : maxBackoff
    }

    /// A full-jitter wait before retry number `retry`: uniform in `0...backoffCeiling(retry:)`.
    public func delay(retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = backoffCeiling(retry: retry)
        let nanos = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: 0...max(0, nanos), using: &generator))
    }
}
