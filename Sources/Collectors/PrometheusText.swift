/// One sample of a Prometheus text exposition: `name{labels} value [timestamp]`.
public struct PrometheusSample: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var value: Double
    /// The optional timestamp, milliseconds since the epoch.
    public var timestampMilliseconds: Int64?

    public init(name: String, labels: [String: String] = [:], value: Double, timestampMilliseconds: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// A parser of the Prometheus text exposition format (version 0.0.4), as node_exporter serves it.
public enum PrometheusText {
    /// The samples of `text` in order. `# HELP`/`# TYPE` and other comments, blank lines and lines
    /// that do not parse are left out.
    public static func parse(_ text: String) -> [PrometheusSample] {
        var samples: [PrometheusSample] = []
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                if let sample = parseLine(UnsafeBufferPointer(rebasing: bytes[start..<end])) { samples.append(sample) }
                start = end + 1
            }
        }
        return samples
    }

    /// One line, or nil for a comment, a blank or an invalid line.
    static func parseLine(_ line: UnsafeBufferPointer<UInt8>) -> PrometheusSample? {
        var index = 0
        func skipBlanks() {
            while index < line.count && (line[index] == 0x20 || line[index] == 0x09 || line[index] == 0x0D) { index += 1 }
        }
        skipBlanks()
        guard index < line.count, line[index] != UInt8(ascii: "#") else { return nil }
        let nameStart = index
        while index < line.count && isNameByte(line[index], first: index == nameStart) { index += 1 }
        guard index > nameStart else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: line[nameStart..<index]), as: UTF8.self)
        var labels: [String: String] = [:]
        skipBlanks()
        if index < line.count && line[index] == UInt8(ascii: "{") {
            index += 1
            while true {
                skipBlanks()
                guard index < line.count else { return nil }
                if line[index] == UInt8(ascii: "}") {
                    index += 1
                    break
                }
                let keyStart = index
                while index < line.count && isNameByte(line[index], first: index == keyStart) && line[index] != UInt8(ascii: ":") {
                    index += 1
                }
                guard index > keyStart else { return nil }
                let key = String(decoding: UnsafeBufferPointer(rebasing: line[keyStart..<index]), as: UTF8.self)
                skipBlanks()
                guard index < line.count, line[index] == UInt8(ascii: "=") else { return nil }
                index += 1
                skipBlanks()
                guard index < line.count, line[index] == UInt8(ascii: "\"") else { return nil }
                index += 1
                var value: [UInt8] = []
                var closed = false
                while index < line.count {
                    let byte = line[index]
                    index += 1
                    if byte == UInt8(ascii: "\"") {
                        closed = true
                        break
                    }
                    if byte == UInt8(ascii: "\\") && index < line.count {
                        let escaped = line[index]
                        index += 1
                        switch escaped {
                        case UInt8(ascii: "n"): value.append(0x0A)
                        case UInt8(ascii: "\\"), UInt8(ascii: "\""): value.append(escaped)
                        default:
                            value.append(byte)
                            value.append(escaped)
                        }
                    } else {
                        value.append(byte)
                    }
                }
                guard closed else { return nil }
                labels[key] = String(decoding: value, as: UTF8.self)
                skipBlanks()
                guard index < line.count else { return nil }
                if line[index] == UInt8(ascii: ",") {
                    index += 1
                } else if line[index] != UInt8(ascii: "}") {
                    return nil
                }
            }
        }
        skipBlanks()
        let valueStart = index
        while index < line.count && line[index] != 0x20 && line[index] != 0x09 && line[index] != 0x0D { index += 1 }
        guard let value = parseValue(String(decoding: UnsafeBufferPointer(rebasing: line[valueStart..<index]), as: UTF8.self)) else {
            return nil
        }
        skipBlanks()
        var timestamp: Int64?
        if index < line.count {
            let stampStart = index
            while index < line.count && line[index] != 0x20 && line[index] != 0x09 && line[index] != 0x0D { index += 1 }
            guard let stamp = Int64(String(decoding: UnsafeBufferPointer(rebasing: line[stampStart..<index]), as: UTF8.self)) else {
                return nil
            }
            timestamp = stamp
            skipBlanks()
            guard index == line.count else { return nil }
        }
        return PrometheusSample(name: name, labels: labels, value: value, timestampMilliseconds: timestamp)
    }

    /// A sample value: a Go float, `+Inf`, `-Inf` or `NaN`.
    static func parseValue(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf", "+inf", "inf": return .infinity
        case "-Inf", "-inf": return -.infinity
        case "NaN", "nan": return .nan
        case "": return nil
        default: return Double(text)
        }
    }

    private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"), UInt8(ascii: ":"): return true
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return !first
        default: return false
        }
    }
}
