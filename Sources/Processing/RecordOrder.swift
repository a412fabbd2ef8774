public import InfraMonitorCore

/// The output order of records (docs/design.md, "Records"): metric_id, timestamp, then metric, host and labels.
/// Strings compare by UTF-8 bytes (code point order), as DynamoDB and SQLite sort them.
enum RecordOrder {
    static func compare(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
    }

    static func compare(_ a: [String: String], _ b: [String: String]) -> Int {
        let left = a.sorted { compare($0.key, $1.key) < 0 }
        let right = b.sorted { compare($0.key, $1.key) < 0 }
        for (x, y) in zip(left, right) {
            let byKey = compare(x.key, y.key)
            if byKey != 0 { return byKey }
            let byValue = compare(x.value, y.value)
            if byValue != 0 { return byValue }
        }
        return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
    }

    static func compare(_ a: MetricRecord, _ b: MetricRecord) -> Int {
        var c = compare(a.metricID, b.metricID)
        if c != 0 { return c }
        if a.timestamp != b.timestamp { return a.timestamp < b.timestamp ? -1 : 1 }
        c = compare(a.metric, b.metric)
        if c != 0 { return c }
        c = compare(a.host, b.host)
        if c != 0 { return c }
        return compare(a.labels, b.labels)
    }

    static func precedes(_ a: MetricRecord, _ b: MetricRecord) -> Bool { compare(a, b) < 0 }
}

/// The records of several files in the order `process --stdout FILE...` prints them: sorted by
/// (metric_id, timestamp), ties broken by metric, host, labels, then file order.
public func mergeRecordsForOutput(_ perFile: [[MetricRecord]]) -> [MetricRecord] {
    var tagged: [(record: MetricRecord, file: Int, position: Int)] = []
    tagged.reserveCapacity(perFile.reduce(0) { $0 + $1.count })
    for (file, records) in perFile.enumerated() {
        for (position, record) in records.enumerated() { tagged.append((record, file, position)) }
    }
    tagged.sort { a, b in
        let c = RecordOrder.compare(a.record, b.record)
        if c != 0 { return c < 0 }
        return (a.file, a.position) < (b.file, b.position)
    }
    return tagged.map(\.record)
}
