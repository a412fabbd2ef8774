/// The aggregate `cpu` line of /proc/stat, in clock ticks (USER_HZ), and the boot time.
struct CPUCounters: Sendable, Hashable {
    /// user, nice, system, idle, iowait, irq, softirq, steal: the parts of the total. guest and
    /// guest_nice are left out because the kernel already counts them in user and nice.
    var fields: [UInt64]
    /// `btime` (boot time, seconds since the epoch), 0 when the file has none.
    var bootTime: UInt64

    var total: UInt64 { fields.reduce(0, &+) }
    var idle: UInt64 { fields.count > 3 ? fields[3] : 0 }
    var iowait: UInt64 { fields.count > 4 ? fields[4] : 0 }

    /// Whether any counter is lower than in `earlier` (a reboot or a reset).
    func wentBackwards(from earlier: CPUCounters) -> Bool {
        guard fields.count == earlier.fields.count else { return true }
        for index in fields.indices where fields[index] < earlier.fields[index] {
            return true
        }
        return false
    }
}

/// The byte counters of one network interface from /proc/net/dev.
struct InterfaceCounters: Sendable, Hashable {
    var name: String
    var receivedBytes: UInt64
    var transmittedBytes: UInt64
}

/// One line of /proc/self/mounts: where, and the file system type.
struct MountEntry: Sendable, Hashable {
    var device: String
    var mountPoint: String
    var fileSystemType: String
}

/// Parsers of the procfs files the collectors read; they work on the bytes directly.
enum ProcParse {
    /// The aggregate `cpu` line and `btime` of /proc/stat.
    static func cpu(_ bytes: UnsafeRawBufferPointer, path: String) throws(CollectorError) -> CPUCounters {
        var scanner = ByteScanner(bytes)
        var fields: [UInt64]?
        var bootTime: UInt64 = 0
        while !scanner.atEnd {
            if fields == nil && scanner.startsWith("cpu ") {
                scanner.index += 4
                var values: [UInt64] = []
                values.reserveCapacity(8)
                while values.count < 8, let value = scanner.unsigned() { values.append(value) }
                guard values.count >= 4 else {
                    throw .malformed(path: path, detail: "the aggregate cpu line has \(values.count) counters, expected at least 4")
                }
                fields = values
            } else if scanner.startsWith("btime ") {
                scanner.index += 6
                bootTime = scanner.unsigned() ?? 0
            }
            scanner.skipLine()
        }
        guard let fields else { throw .malformed(path: path, detail: "no aggregate \"cpu \" line") }
        return CPUCounters(fields: fields, bootTime: bootTime)
    }

    /// `btime` of /proc/stat, 0 when absent.
    static func bootTime(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var scanner = ByteScanner(bytes)
        while !scanner.atEnd {
            if scanner.startsWith("btime ") {
                scanner.index += 6
                return scanner.unsigned() ?? 0
            }
            scanner.skipLine()
        }
        return 0
    }

    /// MemTotal and MemAvailable of /proc/meminfo, in kB.
    static func memory(_ bytes: UnsafeRawBufferPointer, path: String) throws(CollectorError) -> (total: UInt64, available: UInt64) {
        var scanner = ByteScanner(bytes)
        var total: UInt64?
        var available: UInt64?
        while !scanner.atEnd && (total == nil || available == nil) {
            if scanner.startsWith("MemTotal:") {
                scanner.index += 9
                total = scanner.unsigned()
            } else if scanner.startsWith("MemAvailable:") {
                scanner.index += 13
                available = scanner.unsigned()
            }
            scanner.skipLine()
        }
        guard let total, total > 0 else { throw .malformed(path: path, detail: "no positive MemTotal") }
        guard let available else {
            throw .malformed(path: path, detail: "no MemAvailable (needs Linux 3.14 or later)")
        }
        return (total, available)
    }

    /// The interfaces of /proc/net/dev except `lo`, in file order.
    static func networkDevices(_ bytes: UnsafeRawBufferPointer, path: String) throws(CollectorError) -> [InterfaceCounters] {
        var scanner = ByteScanner(bytes)
        var result: [InterfaceCounters] = []
        var lineNumber = 0
        while !scanner.atEnd {
            lineNumber += 1
            if lineNumber <= 2 {
                scanner.skipLine()
                continue
            }
            scanner.skipBlanks()
            let start = scanner.index
            while !scanner.atEnd && scanner.current != 0x3A && scanner.current != 0x0A { scanner.index += 1 }
            guard scanner.current == 0x3A else {
                if scanner.index == start {
                    scanner.skipLine()
                    continue
                }
                throw .malformed(path: path, detail: "line \(lineNumber) has no \"name:\"")
            }
            let nameRange = start..<scanner.index
            scanner.index += 1
            var values: (UInt64, UInt64) = (0, 0)
            for column in 0..<9 {
                guard let value = scanner.unsigned() else {
                    throw .malformed(path: path, detail: "line \(lineNumber) has fewer than 9 counters")
                }
                if column == 0 { values.0 = value }
                if column == 8 { values.1 = value }
            }
            let isLoopback = nameRange.count == 2 && bytes[nameRange.lowerBound] == 0x6C && bytes[nameRange.lowerBound + 1] == 0x6F
            if !isLoopback {
                result.append(InterfaceCounters(name: scanner.string(nameRange), receivedBytes: values.0, transmittedBytes: values.1))
            }
            scanner.skipLine()
        }
        return result
    }

    /// The entries of a mounts file (fstab format), with octal escapes such as `\040` decoded.
    static func mounts(_ bytes: UnsafeRawBufferPointer) -> [MountEntry] {
        var scanner = ByteScanner(bytes)
        var result: [MountEntry] = []
        while !scanner.atEnd {
            let device = scanner.field()
            let mountPoint = scanner.field()
            let type = scanner.field()
            if !device.isEmpty && !mountPoint.isEmpty && !type.isEmpty {
                result.append(
                    MountEntry(
                        device: decodeEscapes(bytes, device),
                        mountPoint: decodeEscapes(bytes, mountPoint),
                        fileSystemType: decodeEscapes(bytes, type)
                    )
                )
            }
            scanner.skipLine()
        }
        return result
    }

    /// A field of a mounts file with its `\ooo` octal escapes decoded.
    static func decodeEscapes(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        var hasEscape = false
        for index in range where bytes[index] == 0x5C {
            hasEscape = true
            break
        }
        if !hasEscape { return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == 0x5C && index + 3 < range.upperBound {
                let digits = (bytes[index + 1], bytes[index + 2], bytes[index + 3])
                if isOctal(digits.0) && isOctal(digits.1) && isOctal(digits.2) {
                    let value = (UInt32(digits.0 - 0x30) << 6) | (UInt32(digits.1 - 0x30) << 3) | UInt32(digits.2 - 0x30)
                    if value <= 0xFF {
                        out.append(UInt8(value))
                        index += 4
                        continue
                    }
                }
            }
            out.append(byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isOctal(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x37 }
}
