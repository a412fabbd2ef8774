#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif

/// A hash of a byte string for the series table (not cryptographic; fast on short keys).
@inline(__always)
func hashBytes(_ base: UnsafeRawPointer, _ count: Int) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
    var i = 0
    while i + 8 <= count {
        let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
        i += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while i < count {
        tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
        shift += 8
        i += 1
    }
    h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
    h ^= h >> 29
    return h
}

/// An open-addressing map from series keys (byte strings) to dense indices.
///
/// Looking up an existing key allocates nothing; only a new series copies its key.
struct SeriesTable {
    private var slots: [Int32]
    private var keys: [[UInt8]] = []
    private var hashes: [UInt64] = []

    init() { slots = Array(repeating: -1, count: 64) }

    var count: Int { keys.count }

    /// The index of `key`, inserting it with the next index when new.
    /// - Returns: the index and whether it was inserted.
    @inline(__always)
    mutating func index(of key: UnsafeBufferPointer<UInt8>) -> (index: Int, inserted: Bool) {
        let hash = hashBytes(UnsafeRawPointer(key.baseAddress!), key.count)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if hashes[entry] == hash {
                let same = keys[entry].withUnsafeBufferPointer { stored in
                    stored.count == key.count && (key.count == 0 || memcmp(stored.baseAddress!, key.baseAddress!, key.count) == 0)
                }
                if same { return (entry, false) }
            }
            slot = (slot + 1) & mask
        }
        let index = keys.count
        keys.append(Array(key))
        hashes.append(hash)
        slots[slot] = Int32(index)
        if keys.count * 2 > slots.count { grow() }
        return (index, true)
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        let mask = bigger.count - 1
        for (index, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while bigger[slot] >= 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(index)
        }
        slots = bigger
    }
}
