import InfraMonitorCore

/// The counters a collection keeps for the next one, as compact JSON.
///
/// cpu: `{"v":1,"t":[SECONDS,NANOS],"btime":BOOT,"cpu":[user,nice,system,idle,iowait,irq,softirq,steal]}`
/// network: `{"v":1,"t":[SECONDS,NANOS],"btime":BOOT,"net":{"eth0":[rxBytes,txBytes],...}}`
///
/// `t` is the instant the counters were read, `btime` the boot time from /proc/stat (a change
/// means a reboot, so the counters restarted).
enum CounterState {
    struct CPU: Hashable {
        var time: Timestamp
        var counters: CPUCounters
    }

    struct Network: Hashable {
        var time: Timestamp
        var bootTime: UInt64
        var interfaces: [InterfaceCounters]
    }

    static func encode(_ state: CPU) -> String {
        var out = "{\"v\":1,\"t\":[\(state.time.seconds),\(state.time.nanoseconds)],\"btime\":\(state.counters.bootTime),\"cpu\":["
        for (index, value) in state.counters.fields.enumerated() {
            if index > 0 { out += "," }
            out += String(value)
        }
        out += "]}"
        return out
    }

    static func encode(_ state: Network) -> String {
        var out = "{\"v\":1,\"t\":[\(state.time.seconds),\(state.time.nanoseconds)],\"btime\":\(state.bootTime),\"net\":{"
        for (index, interface) in state.interfaces.enumerated() {
            if index > 0 { out += "," }
            JSONText.appendString(interface.name, to: &out)
            out += ":[\(interface.receivedBytes),\(interface.transmittedBytes)]"
        }
        out += "}}"
        return out
    }

    static func decodeCPU(_ text: String) -> CPU? {
        guard let root = MiniJSON.parse(text), case .number(1)? = root.member("v"),
            let time = timestamp(root.member("t")), case .number(let boot)? = root.member("btime"),
            case .array(let values)? = root.member("cpu"), values.count >= 4, values.count <= 10
        else { return nil }
        var fields: [UInt64] = []
        for value in values {
            guard case .number(let number) = value else { return nil }
            fields.append(number)
        }
        return CPU(time: time, counters: CPUCounters(fields: fields, bootTime: boot))
    }

    static func decodeNetwork(_ text: String) -> Network? {
        guard let root = MiniJSON.parse(text), case .number(1)? = root.member("v"),
            let time = timestamp(root.member("t")), case .number(let boot)? = root.member("btime"),
            case .object(let devices)? = root.member("net")
        else { return nil }
        var interfaces: [InterfaceCounters] = []
        for (name, value) in devices {
            guard case .array(let pair) = value, pair.count == 2, case .number(let rx) = pair[0], case .number(let tx) = pair[1]
            else { return nil }
            interfaces.append(InterfaceCounters(name: name, receivedBytes: rx, transmittedBytes: tx))
        }
        return Network(time: time, bootTime: boot, interfaces: interfaces)
    }

    private static func timestamp(_ value: MiniJSON?) -> Timestamp? {
        guard case .array(let parts)? = value, parts.count == 2, case .number(let seconds) = parts[0],
            case .number(let nanos) = parts[1], nanos < 1_000_000_000, seconds < UInt64(Int64.max)
        else { return nil }
        return Timestamp(seconds: Int64(seconds), nanoseconds: Int32(nanos))
    }
}

/// Just enough JSON for the collector state: objects, arrays, strings and unsigned integers.
enum MiniJSON {
    /// Members in text order; on duplicate keys the last one wins in ``member(_:)``.
    case object([(String, MiniJSON)])
    case array([MiniJSON])
    case string(String)
    case number(UInt64)

    /// The value of `key` when this is an object that has it.
    func member(_ key: String) -> MiniJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.0 == key }?.1
    }

    /// Parses `text`; nil when it is not one complete value of the supported subset.
    static func parse(_ text: String) -> MiniJSON? {
        var bytes = Array(text.utf8)
        bytes.append(0)
        var index = 0
        guard let value = parseValue(bytes, &index, depth: 0) else { return nil }
        skipSpace(bytes, &index)
        return index == bytes.count - 1 ? value : nil
    }

    private static func skipSpace(_ bytes: [UInt8], _ index: inout Int) {
        while bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
    }

    private static func parseValue(_ bytes: [UInt8], _ index: inout Int, depth: Int) -> MiniJSON? {
        guard depth < 16 else { return nil }
        skipSpace(bytes, &index)
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(String, MiniJSON)] = []
            skipSpace(bytes, &index)
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace(bytes, &index)
                guard bytes[index] == UInt8(ascii: "\""), let key = parseString(bytes, &index) else { return nil }
                skipSpace(bytes, &index)
                guard bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let value = parseValue(bytes, &index, depth: depth + 1) else { return nil }
                members.append((key, value))
                skipSpace(bytes, &index)
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                } else {
                    return nil
                }
            }
        case UInt8(ascii: "["):
            index += 1
            var values: [MiniJSON] = []
            skipSpace(bytes, &index)
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            }
            while true {
                guard let value = parseValue(bytes, &index, depth: depth + 1) else { return nil }
                values.append(value)
                skipSpace(bytes, &index)
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(values)
                } else {
                    return nil
                }
            }
        case UInt8(ascii: "\""):
            return parseString(bytes, &index).map(MiniJSON.string)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            var value: UInt64 = 0
            while bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] - 0x30))
                if o1 || o2 { return nil }
                value = sum
                index += 1
            }
            return .number(value)
        default:
            return nil
        }
    }

    private static func parseString(_ bytes: [UInt8], _ index: inout Int) -> String? {
        index += 1
        var out: [UInt8] = []
        while true {
            let byte = bytes[index]
            if byte == 0 && index == bytes.count - 1 { return nil }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var code: UInt32 = 0
                    for _ in 0..<4 {
                        guard let digit = hexValue(bytes[index]) else { return nil }
                        code = code << 4 | digit
                        index += 1
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: return nil
                }
            default:
                out.append(byte)
            }
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }
}
