import ArgumentParser
import Fleet
import Foundation
import InfraJSON
import InfraMonitorCore
import LocalBackend

/// `infra-monitor targets`: the scrape targets, as Prometheus's targets page shows them.
struct TargetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List the scrape targets: final labels, host, and the last scrape's result and duration.",
        discussion: """
            Discovers the targets of the config's scrape_configs now (static, file_sd and EC2), then joins each \
            with its scrapes in the newest execution that scraped it (one per metric branch): UP when every \
            branch scraped it, DOWN with the first error otherwise, UNKNOWN when no execution has scraped it yet. \
            Targets that relabeling dropped are counted; discovery problems are printed on stderr.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Output: table, csv or json.")
    var format: TableFormat = .table

    func run() async throws {
        let context = try CommandContext(options: options)
        guard let fleet = context.machine.fleet else {
            throw CLIError.usage(
                "the config has no scrape_configs: this machine is collected by itself; add scrape_configs to config.yaml to scrape a fleet"
            )
        }
        let found = await fleet.discovery.discover()
        let store = context.backend.targetHealth ?? context.machine.store
        let rows = Self.join(found.targets, health: TargetStatus.fold(try await store.latestTargetHealth()))
        for problem in found.problems { Output.note("discovery: \(problem)") }
        switch format {
        case .json:
            let object: JSON = [
                "targets": .array(rows.map(\.json)),
                "dropped": .array(
                    found.dropped.map {
                        [
                            "job": .string($0.job), "reason": .string($0.reason),
                            "discovered_labels": .object($0.discoveredLabels.mapValues(JSON.string)),
                        ]
                    }
                ),
                "problems": .array(found.problems.map { .string("\($0)") }),
            ]
            print(object.text)
        case .table, .csv:
            let columns = ["job", "target", "host", "labels", "state", "last_scrape", "duration", "error"]
            let cells = rows.map { row in
                [
                    row.job, row.target, row.host, Self.labelText(row.labels), row.state, row.lastScrape ?? "-",
                    row.scrapeSeconds.map { String(format: "%.3f s", $0) } ?? "-", row.error ?? "",
                ]
            }
            print(format == .csv ? Output.csv(columns: columns, rows: cells) : Output.table(columns: columns, rows: cells), terminator: "")
            if format == .table {
                let down = rows.filter { $0.state == "DOWN" }.count
                print("(\(rows.count) target\(rows.count == 1 ? "" : "s"), \(down) down, \(found.dropped.count) dropped by relabeling)")
            }
        }
    }

    /// One discovered target with its newest scrapes.
    struct Row: Sendable, Hashable {
        var job: String
        var target: String
        var host: String
        var labels: [String: String]
        /// `UP`, `DOWN` or `UNKNOWN` (never scraped).
        var state: String
        var lastScrape: String?
        var scrapeSeconds: Double?
        var error: String?
        var executionID: String?

        var json: JSON {
            [
                "job": .string(job), "target": .string(target), "host": .string(host), "labels": .object(labels.mapValues(JSON.string)),
                "state": .string(state), "last_scrape": lastScrape.map(JSON.string) ?? .null,
                "scrape_seconds": scrapeSeconds.map(JSON.number) ?? .null, "error": error.map(JSON.string) ?? .null,
                "execution_id": executionID.map(JSON.string) ?? .null,
            ]
        }
    }

    /// The discovered targets in discovery order, each with the health of the same job and address.
    static func join(_ targets: [ScrapeTarget], health: [TargetStatus]) -> [Row] {
        var byTarget: [String: TargetStatus] = [:]
        for status in health { byTarget[status.job + "\u{0}" + status.target] = status }
        return targets.map { target in
            let status = byTarget[target.job + "\u{0}" + target.address]
            return Row(
                job: target.job,
                target: target.address,
                host: status?.host ?? target.host(nodename: nil),
                labels: target.labels,
                state: status.map { $0.up ? "UP" : "DOWN" } ?? "UNKNOWN",
                lastScrape: status?.lastScrape.iso8601Milliseconds,
                scrapeSeconds: status?.scrapeSeconds,
                error: status?.error,
                executionID: status?.executionID
            )
        }
    }

    static func labelText(_ labels: [String: String]) -> String {
        labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",")
    }
}
