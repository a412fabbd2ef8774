/// The object keys of the data bucket (docs/design.md, "Raw batches").
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

    /// The raw batch of one shard of a sharded collection: the execution id gains
    /// `.shard-NNNN`, so each shard's batch has its own key; shard nil, or the only shard of one,
    /// is the unsharded key.
    public static func rawBatch(scheduledAt time: Timestamp, executionID: String, metric: String, shard: (index: Int, count: Int)?) -> String {
        guard let shard, shard.count > 1 else { return rawBatch(scheduledAt: time, executionID: executionID, metric: metric) }
        let number = String(shard.index)
        return rawBatch(
            scheduledAt: time,
            executionID: executionID + shardMarker + String(repeating: "0", count: max(0, 4 - number.count)) + number,
            metric: metric
        )
    }

    /// What separates the execution id from the shard number in a sharded batch's key.
    static let shardMarker = ".shard-"

    /// `quarantine/YYYY/MM/DD/<name>.jsonl` for the raw object `rawKey`; the date folder is the raw
    /// key's when it has one, else `fallbackDate`'s.
    public static func quarantine(forRawKey rawKey: String, fallbackDate: Timestamp) -> String {
        let parts = rawKey.split(separator: "/", omittingEmptySubsequences: false)
        var name = String(parts.last ?? "batch")
        for suffix in [".gz", ".jsonl", ".json"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
        }
        if name.isEmpty { name = "batch" }
        guard let date = datePartition(ofRawKey: rawKey) else {
            // Not a bucket key (a file given to `process`): its base name alone could be another
            // file's, so the name carries a digest of the whole path.
            return quarantinePrefix + fallbackDate.civil.dateString(separator: "/") + "/" + name + "-" + fnv1a(rawKey) + ".jsonl"
        }
        return quarantinePrefix + date.path + "/" + name + ".jsonl"
    }

    /// The parts of a raw batch key, or nil for any other key: the inverse of
    /// ``rawBatch(scheduledAt:executionID:metric:)``.
    public static func parseRawBatch(_ key: String) -> RawBatchKey? {
        guard let date = datePartition(ofRawKey: key), key.hasSuffix(".jsonl.gz") else { return nil }
        let name = key.split(separator: "/").last.map { String($0.dropLast(".jsonl.gz".count)) } ?? ""
        guard name.count > 17, let time = CivilDateTime.parseCompactBasic(String(name.prefix(16))),
            name[name.index(name.startIndex, offsetBy: 16)] == "_"
        else { return nil }
        let rest = name.dropFirst(17)
        guard let metric = Metric.allCases.first(where: { rest.hasSuffix("_" + $0.rawValue) }) else { return nil }
        var executionID = String(rest.dropLast(metric.rawValue.count + 1))
        if let dot = executionID.lastIndex(of: "."), executionID[dot...].hasPrefix(shardMarker) {
            let digits = executionID[dot...].dropFirst(shardMarker.count)
            if !digits.isEmpty, digits.allSatisfy(\.isNumber) { executionID = String(executionID[..<dot]) }
        }
        guard !executionID.isEmpty, time.civil.dateString(separator: "/") == date.path else { return nil }
        return RawBatchKey(scheduledAt: time, executionID: executionID, metric: metric)
    }

    /// 32-bit FNV-1a of `text`, as 8 hex digits: a short, stable name part.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// The date folder of a raw key, `raw-metrics/YYYY/MM/DD/…`: the partition the query table
    /// (Athena's `year`, `month`, `day`) gives its samples. Nil for any other key.
    public static func datePartition(ofRawKey key: String) -> DatePartition? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 5, parts[0] + "/" == rawPrefix, parts[1].count == 4, parts[2].count == 2, parts[3].count == 2,
            [parts[1], parts[2], parts[3]].allSatisfy({ $0.allSatisfy(\.isNumber) })
        else { return nil }
        return DatePartition(year: String(parts[1]), month: String(parts[2]), day: String(parts[3]))
    }

    /// The partition of samples whose object key has none: the sample's own UTC date.
    public static func datePartition(of time: Timestamp) -> DatePartition {
        let c = time.civil
        let text = c.dateString(separator: "/")
        let parts = text.split(separator: "/").map(String.init)
        return DatePartition(year: parts[0], month: parts[1], day: parts[2])
    }
}

/// The `year`, `month` and `day` partition columns of the query table.
public struct DatePartition: Sendable, Hashable {
    public var year: String
    public var month: String
    public var day: String

    public init(year: String, month: String, day: String) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY/MM/DD`.
    public var path: String { "\(year)/\(month)/\(day)" }
}

/// What a raw batch key names: the execution's scheduled time, the execution and the metric.
public struct RawBatchKey: Sendable, Hashable {
    public var scheduledAt: Timestamp
    public var executionID: String
    public var metric: Metric

    public init(scheduledAt: Timestamp, executionID: String, metric: Metric) {
        self.scheduledAt = scheduledAt
        self.executionID = executionID
        self.metric = metric
    }
}
