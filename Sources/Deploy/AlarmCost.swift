import Foundation

/// What the config's alarms add to the bill (docs/alarms.md, "On AWS"): each alarm that pins every
/// dimension is one CloudWatch alarm ($0.10 a month, standard resolution); the fan-out alarms are
/// evaluated by the log-processor, whose cost is DynamoDB reading: a `Scan` of InfraMetrics (all
/// records kept 90 days) for each processed batch of a metric that has fan-out alarms, plus a read
/// of the instances' states and a write per transition.
public struct AlarmCost: Sendable {
    /// CloudWatch alarms the stack creates from the config.
    public var pinnedAlarms: Int
    /// Fan-out alarms the log-processor evaluates, and the metrics they watch.
    public var fanOutAlarms: Int
    public var fanOutMetrics: Int
    public var hosts: Int
    public var seriesPerHost: Int
    public var executionsPerMonth: Double
    public var recordBytes: Double
    public var stateItemBytes = 300.0
    public var prices: PriceTable

    public init(
        pinnedAlarms: Int,
        fanOutAlarms: Int,
        fanOutMetrics: Int,
        hosts: Int,
        seriesPerHost: Int,
        executionsPerMonth: Double,
        recordBytes: Double,
        prices: PriceTable = PriceTable()
    ) {
        self.pinnedAlarms = pinnedAlarms
        self.fanOutAlarms = fanOutAlarms
        self.fanOutMetrics = fanOutMetrics
        self.hosts = hosts
        self.seriesPerHost = seriesPerHost
        self.executionsPerMonth = executionsPerMonth
        self.recordBytes = recordBytes
        self.prices = prices
    }

    /// Records InfraMetrics holds in steady state: every series of every execution of 90 days.
    public var recordsKept: Double { Double(hosts * seriesPerHost) * executionsPerMonth * 3 }

    /// Read request units a month: a Scan reads every item, 0.5 unit per 4 KB eventually
    /// consistent (https://aws.amazon.com/dynamodb/pricing/on-demand/); the states are read
    /// strongly consistent, 1 unit per 4 KB, one instance per host and alarm.
    public var readUnitsPerMonth: Double {
        guard fanOutAlarms > 0 else { return 0 }
        let scan = (recordsKept * recordBytes / 4_096).rounded(.up) * 0.5
        let states = (Double(hosts * fanOutAlarms) * stateItemBytes / 4_096).rounded(.up)
        return executionsPerMonth * Double(fanOutMetrics) * (scan + states)
    }

    /// Dollars a month for the fan-out evaluation's reads (writes happen only on transitions).
    public var fanOutDollars: Double { readUnitsPerMonth / 1_000_000 * prices.dynamoPerMillionReads }

    /// The lines printed under `deploy cost`.
    public var text: String {
        guard pinnedAlarms + fanOutAlarms > 0 else { return "" }
        var lines = ["Alarms from the config:"]
        lines.append(
            "  \(pinnedAlarms) alarm(s) pinning every dimension: CloudWatch alarms, priced with the stack's alarms above "
                + "($\(String(format: "%.2f", prices.cloudWatchPerAlarm)) a month each beyond the free \(Int(prices.cloudWatchFreeAlarms)))"
        )
        if fanOutAlarms > 0 {
            lines.append(
                "  \(fanOutAlarms) fan-out alarm(s) on \(fanOutMetrics) metric(s), evaluated by the log-processor: "
                    + "\(Int(readUnitsPerMonth)) DynamoDB read units a month (a Scan of ~\(Int(recordsKept)) InfraMetrics records per batch) "
                    + "= $\(String(format: "%.2f", fanOutDollars)) a month, plus $\(String(format: "%.4f", prices.dynamoPerMillionWrites / 1_000_000 * 2)) "
                    + "per state change (2 writes) and SNS per notification; one CloudWatch alarm per instance instead would be "
                    + "$\(String(format: "%.2f", Double(hosts * fanOutAlarms) * prices.cloudWatchPerAlarm)) a month"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
