public import InfraMonitorCore

/// Publishes to `primary` (SNS) and, when that fails, to `fallback` (a local notifier), so that a
/// failure notification is never lost because the topic is unreachable.
public struct FallbackNotifier: Notifier {
    public let primary: any Notifier
    public let fallback: any Notifier
    let onFallback: @Sendable (any Error) async -> Void

    public init(primary: any Notifier, fallback: any Notifier, onFallback: @escaping @Sendable (any Error) async -> Void = { _ in }) {
        self.primary = primary
        self.fallback = fallback
        self.onFallback = onFallback
    }

    public func publish(_ notification: PipelineNotification) async throws {
        do {
            try await primary.publish(notification)
        } catch {
            await onFallback(error)
            try await fallback.publish(notification)
        }
    }
}
