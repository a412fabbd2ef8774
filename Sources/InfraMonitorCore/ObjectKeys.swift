/// The object keys of the data bucket (DESIGN §4).
public enum ObjectKeys {
    /// The bucket name of the seed.
    public static let bucket = "infra-monitoring-pipeline-data"
    /// The prefix under which raw batches land and processing is triggered.
    public static let rawPrefix = "raw-metrics/"
    /// The prefix under which invalid lines are kept with their reason.
    public static let quarantinePrefix = "quarantine/"

    /// `raw-metrics/YYYY/MM/DD/<YYYYMMDDTHHMMSSZ>_<execution-id>_<metric>.jsonl.gz`, from the
    /// execution's scheduled time. The same execution and metric always give the same key.
    public static func rawBatch(scheduledAt time: Timestamp, executionID: String, metric: String) -> String {
        rawPrefix + time.civil.dateString(separator: "/") + "/" + time.compactBasic + "_" + executionID + "_"
            + metric + ".jsonl.gz"
    }

    /// `quarantine/YYYY/MM/DD/<name>.jsonl` for the raw object `rawKey`; the date folder is the raw
    /// key's when it has one, else `fallbackDate`'s.
    public static func quarantine(forRawKey rawKey: String, fallbackDate: Timestamp) -> String {
        let parts = rawKey.split(separator: "/", omittingEmptySubsequences: false)
        var name = String(parts.last ?? "batch")
        for suffix in [".gz", ".jsonl", ".json"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
        }
        if name.isEmpty { name = "batch" }
        let datePath: String
        if parts.count >= 5, parts[0] == "raw-metrics", parts[1].count == 4, parts[2].count == 2, parts[3].count == 2,
            [parts[1], parts[2], parts[3]].allSatisfy({ $0.allSatisfy(\.isNumber) })
        {
            datePath = "\(parts[1])/\(parts[2])/\(parts[3])"
        } else {
            datePath = fallbackDate.civil.dateString(separator: "/")
        }
        return quarantinePrefix + datePath + "/" + name + ".jsonl"
    }
}
