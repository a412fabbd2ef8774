public import InfraMonitorCore
import Logging

/// The embedded backend: the data directory's folder bucket stands in for S3, its SQLite database
/// for DynamoDB, Athena and Step Functions' history, the outbox (with webhook and sendmail) for SNS,
/// and JSON Lines files for CloudWatch Logs.
public enum EmbeddedBackend {
    /// Every port over the data directory `directory` and its database `store`.
    public static func make(directory: DataDirectory, store: SQLiteStore, settings: Settings) -> Backend {
        let logs = FileLogSink(folder: directory.logsFolder)
        let objects = FolderObjectStore(root: directory.objectsRoot)
        let notifier = OutboxNotifier(store: store, settings: settings.notifications, logs: logs)
        return Backend(
            name: "local",
            objects: objects,
            table: store,
            publisher: NoMetricPublisher(),
            samples: store,
            query: QueryEngine(databasePath: store.path),
            series: store,
            notifier: notifier,
            notifications: store,
            logs: logs,
            localExecutions: store,
            collectorState: store,
            targetHealth: store,
            prepare: {
                for path in objects.removeLeftoverTemporaryFiles() {
                    await logs.log(
                        .dataCollector,
                        level: .warning,
                        message: "removed the temporary file of an interrupted write",
                        fields: ["path": path]
                    )
                }
                do {
                    try await notifier.resendPending()
                } catch {
                    await logs.log(.dataCollector, level: .error, message: "cannot send the kept notifications again", fields: ["error": "\(error)"])
                }
                return []
            }
        )
    }
}
