import Foundation
import InfraMonitorCore

/// The text of `deploy cost`: the price table's date and source, the assumptions, the lines, the
/// total, and how the total grows with hosts and with the schedule.
public enum CostReport {
    /// Renders `estimate` with a growth table over `growthHosts` and `growthSchedules`.
    public static func text(
        _ estimate: CostEstimate,
        growthHosts: [Int] = [1, 10, 100, 1_000],
        growthSchedules: [String] = ["rate(3 hours)", "rate(1 hour)", "rate(15 minutes)", "rate(1 minute)"]
    ) -> String {
        let a = estimate.assumptions
        let p = estimate.prices
        var out: [String] = []
        out.append("Monthly estimate for the InfraMonitor stack in \(p.region) (30-day month, USD)")
        out.append("Prices: \(p.source), read \(p.date) (Sources/Deploy/PriceTable.swift)")
        out.append(
            "Schedule \(a.schedule.text): \(format(estimate.executions)) executions; \(a.hosts) host(s); "
                + "\(format(estimate.files)) raw batch files and data-collector invocations; \(format(estimate.records)) records; "
                + "\(estimate.transitionsPerExecution) state transitions per execution"
        )
        out.append("")
        let header = ["service", "item", "quantity", "unit price", "list $", "billed $", "grows with"]
        var rows: [[String]] = []
        for line in estimate.lines {
            rows.append([
                line.service, line.item, format(line.quantity) + " " + line.unit, line.unitPrice, money(line.listCost),
                line.counted ? money(line.billedCost) : "(" + money(line.billedCost) + ")", line.growsWith,
            ])
        }
        out += table(header, rows)
        out.append("")
        out.append("Total: $\(money(estimate.total)) a month billed after the always-free tiers ($\(money(estimate.listTotal)) at list price)")
        for note in estimate.notes { out.append("Note: " + note) }
        out.append("")
        out.append("Growth (billed $ a month, schedule \(a.schedule.text)):")
        var growthRows: [[String]] = []
        for hosts in growthHosts {
            var row = ["\(hosts) host(s)"]
            for mode in MetricDimensions.allCases {
                var changed = a
                changed.hosts = hosts
                changed.dimensions = mode
                let grown = estimate.with(changed)
                row += ["\(grown.customMetrics(mode))", money(grown.total)]
            }
            growthRows.append(row)
        }
        out += table(["hosts", "per-host metrics", "per-host $", "fleet metrics", "fleet $"], growthRows)
        out.append("(the total above prices \(estimate.dimensions.rawValue), the mode the publisher is configured with)")
        out.append("")
        out.append("Growth (billed $ a month, \(a.hosts) host(s)):")
        var scheduleRows: [[String]] = []
        for text in growthSchedules {
            guard let schedule = try? ScheduleFrequency(text) else { continue }
            var changed = a
            changed.schedule = schedule
            let grown = estimate.with(changed)
            scheduleRows.append([text, format(grown.executions), money(grown.total)])
        }
        out += table(["schedule", "executions", "billed $"], scheduleRows)
        return out.joined(separator: "\n") + "\n"
    }

    /// Dollars with 4 decimals below $1 so that small lines stay visible, else 2.
    static func money(_ value: Double) -> String {
        value < 1 ? String(format: "%.4f", value) : String(format: "%.2f", value)
    }

    /// A quantity: whole numbers plainly, small fractions with significant digits.
    static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
        return value >= 1 ? String(format: "%.2f", value) : String(format: "%.3g", value)
    }

    private static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}

extension CostEstimate {
    /// The same estimate for other assumptions (same definition and prices).
    public func with(_ assumptions: CostAssumptions) -> CostEstimate {
        CostEstimate(
            assumptions: assumptions,
            transitionsPerExecution: transitionsPerExecution,
            collectorTasksPerExecution: collectorTasksPerExecution,
            prices: prices
        )
    }
}
