import Foundation
public import InfraMonitorCore

/// How the log-processor labels its CloudWatch custom metrics (``CloudWatchDimensions``, the
/// config's `aws.cloudwatch_dimensions`). CloudWatch bills each distinct namespace × metric name ×
/// dimension set as one custom metric, $0.30 a month each for the first 10,000, prorated by the
/// hours in which it receives data (https://aws.amazon.com/cloudwatch/pricing/).
public typealias MetricDimensions = CloudWatchDimensions

extension CloudWatchDimensions {
    /// The mode whose custom metrics cost less for `hosts` (a planning aid; the estimate prices
    /// the mode the configuration publishes).
    public static func cheaper(hosts: Int, seriesPerHost: Int, prices: PriceTable = .euWest1) -> MetricDimensions {
        hosts <= perHostFreeUpTo(seriesPerHost: seriesPerHost, prices: prices) ? .perHost : .fleet
    }

    /// The largest host count whose per-host series stay within the free custom metrics.
    public static func perHostFreeUpTo(seriesPerHost: Int, prices: PriceTable = .euWest1) -> Int {
        Int(prices.cloudWatchFreeMetrics) / max(1, seriesPerHost)
    }
}

/// What the estimate assumes besides the price table; every figure is printed with the estimate.
public struct CostAssumptions: Sendable {
    public var hosts = 1
    public var schedule = ScheduleFrequency.seed
    /// The dimension mode the publisher is configured with; `nil` is the publisher's default,
    /// per-host. The estimate never picks a mode the configuration does not publish.
    public var dimensions: MetricDimensions?
    public var architecture = LambdaArchitecture.x86_64
    /// Series (records, custom metrics) per host per execution: cpu and memory one each, disk one
    /// per mount point, network one per interface and direction. The default 9 is a host with
    /// 3 mount points and 2 interfaces (2 + 3 + 2 × 2), what `SystemCollector` reports for a
    /// typical VM; ``series(mountPoints:interfaces:)`` computes it for other hosts.
    public var seriesPerHost = 9
    /// Raw batch bytes per host per file: the seed's ~20 MB for 960 files a month.
    public var batchBytesPerHost = 20.0 * 1_048_576 / 960
    public var collectorMillisBase = 1_000.0
    public var collectorMillisPerHost = 10.0
    public var processorMillisBase = 200.0
    public var processorMillisPerHost = 5.0
    public var memoryMB = 128.0
    /// Athena queries a month, each over one day's partition.
    public var athenaQueriesPerMonth = 200.0
    /// `records` look-ups (one read unit each) a month.
    public var tableReadsPerMonth = 200.0
    public var recordBytes = 400.0
    public var logBytesPerInvocation = 1_024.0
    public var logRetentionDays = 30.0
    public var alarms = 3.0
    public var dashboards = 1.0

    public init() {}

    /// The series a host sends: 2 + mount points + 2 × network interfaces.
    public static func series(mountPoints: Int, interfaces: Int) -> Int { 2 + mountPoints + 2 * interfaces }
}

/// One line of the bill.
public struct CostLine: Sendable, Hashable {
    public var service: String
    public var item: String
    public var quantity: Double
    public var unit: String
    public var unitPrice: String
    /// At list price, before free tiers.
    public var listCost: Double
    /// After the always-free allowance.
    public var billedCost: Double
    /// What makes the line grow: `executions`, `hosts`, `executions × hosts` or `fixed`.
    public var growsWith: String
    /// Whether the line counts in the total (the unchosen dimension line does not).
    public var counted = true
}

/// The monthly bill of the stack for a configuration, line by line.
public struct CostEstimate: Sendable {
    public let assumptions: CostAssumptions
    public let prices: PriceTable
    /// Executions in a 30-day month.
    public let executions: Double
    /// State transitions per execution, counted from the definition.
    public let transitionsPerExecution: Int
    /// Lambda invocations of the data-collector per execution (Task states on `lambda:invoke`).
    public let collectorTasksPerExecution: Int
    public let dimensions: MetricDimensions
    public private(set) var lines: [CostLine] = []
    public private(set) var notes: [String] = []

    /// Raw batch files a month (one per collector invocation).
    public var files: Double { executions * Double(collectorTasksPerExecution) }
    /// InfraMetrics records a month.
    public var records: Double { executions * Double(assumptions.hosts * assumptions.seriesPerHost) }
    public var total: Double { lines.filter(\.counted).reduce(0) { $0 + $1.billedCost } }
    /// The custom metrics CloudWatch bills for `mode`: per-host hosts × series, fleet the series
    /// of one host (the same label sets, aggregated over the hosts).
    public func customMetrics(_ mode: MetricDimensions) -> Int {
        mode == .perHost ? assumptions.hosts * assumptions.seriesPerHost : assumptions.seriesPerHost
    }
    public var listTotal: Double { lines.filter(\.counted).reduce(0) { $0 + $1.listCost } }

    /// The line for `service` and `item`.
    public func line(_ service: String, _ item: String) -> CostLine? {
        lines.first { $0.service == service && $0.item == item }
    }

    public init(
        assumptions: CostAssumptions,
        transitionsPerExecution: Int,
        collectorTasksPerExecution: Int,
        prices: PriceTable = .euWest1
    ) {
        self.assumptions = assumptions
        self.prices = prices
        self.executions = assumptions.schedule.firesPerMonth
        self.transitionsPerExecution = transitionsPerExecution
        self.collectorTasksPerExecution = collectorTasksPerExecution
        self.dimensions = assumptions.dimensions ?? .perHost
        addCompute()
        addStorage()
        addMonitoring()
        addQueriesAndNotifications()
    }

    private static let gib = 1_073_741_824.0
    private static let tib = 1_099_511_627_776.0

    private mutating func add(
        _ service: String,
        _ item: String,
        _ quantity: Double,
        _ unit: String,
        _ unitPrice: String,
        list: Double,
        free: Double = 0,
        perUnit: Double = 0,
        grows: String,
        counted: Bool = true
    ) {
        let billed = perUnit > 0 ? max(0, quantity - free) * perUnit : list
        lines.append(
            CostLine(
                service: service,
                item: item,
                quantity: quantity,
                unit: unit,
                unitPrice: unitPrice,
                listCost: list,
                billedCost: billed,
                growsWith: grows,
                counted: counted
            )
        )
    }

    private mutating func addCompute() {
        let a = assumptions
        let p = prices
        let hosts = Double(a.hosts)
        let requests = files * 2
        add(
            "Lambda",
            "requests (data-collector + log-processor)",
            requests,
            "requests",
            "$0.20 / 1M",
            list: requests / 1e6 * p.lambdaPerMillionRequests,
            free: p.lambdaFreeRequests,
            perUnit: p.lambdaPerMillionRequests / 1e6,
            grows: "executions"
        )
        let seconds =
            files * ((a.collectorMillisBase + a.collectorMillisPerHost * hosts) + (a.processorMillisBase + a.processorMillisPerHost * hosts))
            / 1000
        let gbSeconds = seconds * a.memoryMB / 1024
        let rate = a.architecture == .arm64 ? p.lambdaPerGBSecondArm : p.lambdaPerGBSecondX86
        add(
            "Lambda",
            "duration (\(Int(a.memoryMB)) MB, \(a.architecture.rawValue))",
            gbSeconds,
            "GB-s",
            String(format: "$%.10f / GB-s", rate),
            list: gbSeconds * rate,
            free: p.lambdaFreeGBSeconds,
            perUnit: rate,
            grows: "executions × hosts"
        )
        let transitions = executions * Double(transitionsPerExecution)
        add(
            "Step Functions",
            "state transitions (\(transitionsPerExecution) per execution)",
            transitions,
            "transitions",
            "$0.025 / 1,000",
            list: transitions / 1000 * p.stepFunctionsPerThousandTransitions,
            free: p.stepFunctionsFreeTransitions,
            perUnit: p.stepFunctionsPerThousandTransitions / 1000,
            grows: "executions"
        )
    }

    private mutating func addStorage() {
        let a = assumptions
        let p = prices
        let fileBytes = Double(a.hosts) * a.batchBytesPerHost
        let monthlyGB = files * fileBytes / Self.gib
        let transitions = fileBytes >= p.s3MinimumTransitionBytes
        let standardGB = transitions ? monthlyGB : monthlyGB * 3
        let iaGB = transitions ? monthlyGB * 2 : 0
        add(
            "S3",
            "STANDARD storage (steady state)",
            standardGB,
            "GB-month",
            "$0.023 / GB-month",
            list: standardGB * p.s3StandardPerGBMonth,
            grows: "executions × hosts"
        )
        add(
            "S3",
            "STANDARD_IA storage (days 30-90)",
            iaGB,
            "GB-month",
            "$0.0125 / GB-month",
            list: iaGB * p.s3StandardIAPerGBMonth,
            grows: "executions × hosts"
        )
        if transitions {
            add(
                "S3",
                "lifecycle transitions to STANDARD_IA",
                files,
                "requests",
                "$0.01 / 1,000",
                list: files / 1000 * p.s3PerThousandIATransitions,
                grows: "executions"
            )
        } else {
            notes.append(
                String(
                    format: "raw batches of %.0f KB are under S3's 128 KB lifecycle minimum: they stay in STANDARD until they expire at 90 days",
                    fileBytes / 1024
                )
            )
        }
        let puts = files + a.athenaQueriesPerMonth
        add(
            "S3",
            "PUT requests (raw batches, Athena results)",
            puts,
            "requests",
            "$0.005 / 1,000",
            list: puts / 1000 * p.s3PerThousandPuts,
            grows: "executions"
        )
        let filesPerDay = files / 30
        let gets = files + a.athenaQueriesPerMonth * filesPerDay
        add(
            "S3",
            "GET requests (log-processor, Athena scans)",
            gets,
            "requests",
            "$0.0004 / 1,000",
            list: gets / 1000 * p.s3PerThousandGets,
            grows: "executions"
        )
        let writes = records * max(1, (a.recordBytes / 1024).rounded(.up))
        add(
            "DynamoDB",
            "on-demand writes (InfraMetrics records)",
            writes,
            "write units",
            "$0.7068 / 1M",
            list: writes / 1e6 * p.dynamoPerMillionWrites,
            grows: "executions × hosts"
        )
        add(
            "DynamoDB",
            "on-demand reads",
            a.tableReadsPerMonth,
            "read units",
            "$0.1413 / 1M",
            list: a.tableReadsPerMonth / 1e6 * p.dynamoPerMillionReads,
            grows: "fixed"
        )
        let tableGB = records * 3 * a.recordBytes / Self.gib
        add(
            "DynamoDB",
            "storage (90 days of records, TTL)",
            tableGB,
            "GB-month",
            "$0.283 / GB-month",
            list: tableGB * p.dynamoPerGBMonth,
            free: p.dynamoFreeGB,
            perUnit: p.dynamoPerGBMonth,
            grows: "executions × hosts"
        )
        add(
            "DynamoDB",
            "point-in-time recovery",
            tableGB,
            "GB-month",
            "$0.2263 / GB-month",
            list: tableGB * p.dynamoPITRPerGBMonth,
            grows: "executions × hosts"
        )
    }

    private mutating func addMonitoring() {
        let a = assumptions
        let p = prices
        let billedFraction = min(1, a.schedule.hoursWithFiresPerMonth / (30 * 24))
        let choices: [(MetricDimensions, Double, String)] = [
            (.perHost, Double(customMetrics(.perHost)), "hosts"),
            (.fleet, Double(customMetrics(.fleet)), "fixed"),
        ]
        for (choice, count, grows) in choices {
            let marker = choice == dimensions ? "" : " [not chosen]"
            add(
                "CloudWatch",
                "custom metrics, \(choice.rawValue) dimensions\(marker)",
                count,
                "metrics",
                String(format: "$0.30 / metric-month × %.2f of hours with data", billedFraction),
                list: count * p.cloudWatchPerMetricMonth * billedFraction,
                free: p.cloudWatchFreeMetrics,
                perUnit: p.cloudWatchPerMetricMonth * billedFraction,
                grows: grows,
                counted: choice == dimensions
            )
        }
        notes.append(
            "custom metrics: priced as published, \(dimensions.rawValue) dimensions (\(customMetrics(dimensions)) metrics; "
                + "per-host sends host + labels, \(a.seriesPerHost) series a host; fleet sends statistic sets without host); "
                + "per-host stays within the \(Int(p.cloudWatchFreeMetrics)) free metrics up to "
                + "\(MetricDimensions.perHostFreeUpTo(seriesPerHost: a.seriesPerHost, prices: p)) host(s); "
                + "billed by the hour with data: \(String(format: "%.2f", billedFraction)) of the month at this schedule"
        )
        add(
            "CloudWatch",
            "PutMetricData requests",
            files,
            "requests",
            "$0.01 / 1,000",
            list: files / 1000 * p.cloudWatchPerThousandPutRequests,
            free: p.cloudWatchFreeAPIRequests,
            perUnit: p.cloudWatchPerThousandPutRequests / 1000,
            grows: "executions"
        )
        add(
            "CloudWatch",
            "dashboard InfraMonitoring",
            a.dashboards,
            "dashboards",
            "$3.00 / dashboard-month",
            list: a.dashboards * p.cloudWatchPerDashboard,
            free: p.cloudWatchFreeDashboards,
            perUnit: p.cloudWatchPerDashboard,
            grows: "fixed"
        )
        add(
            "CloudWatch",
            "alarms",
            a.alarms,
            "alarms",
            "$0.10 / alarm-month",
            list: a.alarms * p.cloudWatchPerAlarm,
            free: p.cloudWatchFreeAlarms,
            perUnit: p.cloudWatchPerAlarm,
            grows: "fixed"
        )
        let ingestedGB = files * 2 * a.logBytesPerInvocation / Self.gib
        add(
            "CloudWatch Logs",
            "ingestion (2 Lambda log groups)",
            ingestedGB,
            "GB",
            "$0.57 / GB",
            list: ingestedGB * p.logsPerGBIngested,
            free: p.logsFreeGB,
            perUnit: p.logsPerGBIngested,
            grows: "executions"
        )
        let storedGB = ingestedGB * a.logRetentionDays / 30
        add(
            "CloudWatch Logs",
            "storage (\(Int(a.logRetentionDays)) days retention)",
            storedGB,
            "GB-month",
            "$0.03 / GB-month",
            list: storedGB * p.logsPerGBStored,
            grows: "executions"
        )
    }

    private mutating func addQueriesAndNotifications() {
        let a = assumptions
        let p = prices
        let dayBytes = files / 30 * Double(a.hosts) * a.batchBytesPerHost
        let scanned = a.athenaQueriesPerMonth * max(p.athenaMinimumBytesPerQuery, dayBytes) / Self.tib
        add(
            "Athena",
            "data scanned (\(Int(a.athenaQueriesPerMonth)) queries over a day each, 10 MB minimum)",
            scanned,
            "TB",
            "$5.00 / TB",
            list: scanned * p.athenaPerTBScanned,
            grows: "hosts (past 10 MB a day)"
        )
        let emails = executions
        add(
            "SNS",
            "email notifications",
            emails,
            "emails",
            "$2.00 / 100,000",
            list: emails / 100_000 * p.snsPerHundredThousandEmails,
            free: p.snsFreeEmails,
            perUnit: p.snsPerHundredThousandEmails / 100_000,
            grows: "executions"
        )
        add(
            "SNS",
            "publish requests",
            emails,
            "requests",
            "$0.50 / 1M",
            list: emails / 1e6 * p.snsPerMillionPublishes,
            free: p.snsFreePublishes,
            perUnit: p.snsPerMillionPublishes / 1e6,
            grows: "executions"
        )
        add("EventBridge", "scheduled rule", executions, "invocations", "free", list: 0, grows: "executions")
        add("Glue Data Catalog", "database and table", 2, "objects", "free under 1M objects", list: 0, grows: "fixed")
    }
}
