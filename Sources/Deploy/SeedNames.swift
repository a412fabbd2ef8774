/// The exact names of docs/design.md, "Architecture", shared by the template, the cost estimate and the checks.
public enum SeedNames {
    public static let bucket = "infra-monitoring-pipeline-data"
    public static let rawPrefix = "raw-metrics/"
    public static let quarantinePrefix = "quarantine/"
    public static let athenaResultsPrefix = "athena-results/"
    public static let table = "InfraMetrics"
    /// The data-collector's counter state table and its key attribute.
    public static let stateTable = "InfraMonitorCollectorState"
    public static let stateKey = "state_key"
    public static let dataCollector = "data-collector"
    public static let logProcessor = "log-processor"
    public static let stateMachine = "InfraMonitoring-Pipeline-Orch"
    public static let topic = "InfraMonitoring-Alarms"
    public static let glueDatabase = "infra_monitoring"
    public static let glueTable = "metrics"
    public static let workGroup = "InfraMonitoring"
    public static let dashboard = "InfraMonitoring"
    public static let namespace = "InfraMonitoring"
    public static let scheduleRule = "InfraMonitoring-Schedule"
    public static let stateMachineLogGroup = "/aws/vendedlogs/states/InfraMonitoring-Pipeline-Orch"
    public static let stackName = "infra-monitor"
    /// The four metrics of docs/design.md, "Metrics", in the order of the state machine's branches.
    public static let metrics = ["cpu_utilization", "memory_usage", "disk_usage", "network_traffic"]
    /// Days in STANDARD before the transition to STANDARD_IA.
    public static let transitionToIADays = 30
    /// Days after which raw batches expire.
    public static let expirationDays = 90

    /// `/aws/lambda/<function>`.
    public static func logGroup(_ function: String) -> String { "/aws/lambda/" + function }
}
