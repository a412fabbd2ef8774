import Compression
import Testing

/// Deterministic pseudo-random bytes (xorshift), so compressed sizes do not vary between runs.
private func noise(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

private func text(_ lines: Int) -> [UInt8] {
    var out: [UInt8] = []
    for i in 0..<lines {
        out += Array("{\"metric\":\"cpu_utilization\",\"host\":\"web-\(i % 7)\",\"value\":\(i)}\n".utf8)
    }
    return out
}

/// Decodes `input` through a reader that returns at most `step` bytes a call.
private func inflate(_ input: [UInt8], step: Int = 1 << 16, outputCapacity: Int = 256 * 1024) throws -> (output: [UInt8], chunks: Int) {
    var offset = 0
    var output: [UInt8] = []
    var chunks = 0
    try GzipInflater(inputCapacity: 4096, outputCapacity: outputCapacity).decompress(
        read: { buffer in
            let count = min(step, buffer.count, input.count - offset)
            if count > 0 {
                input.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
                offset += count
            }
            return count
        },
        chunk: {
            output += $0
            chunks += 1
        }
    )
    return (output, chunks)
}

@Suite("Gzip")
struct GzipTests {
    @Test("round trip", arguments: [0, 1, 100, 70_000, 1_000_000])
    func roundTrip(size: Int) throws {
        let data = size == 1_000_000 ? text(15_000) : noise(size)
        for level in [-1, 0, 1, 9] {
            let packed = Gzip.compress(data, level: level)
            #expect(Gzip.isGzip(packed))
            #expect(try Gzip.decompress(packed) == data)
        }
    }

    @Test("reads in small pieces and hands out bounded chunks")
    func smallReads() throws {
        let data = text(20_000)
        let (output, chunks) = try inflate(Gzip.compress(data), step: 7, outputCapacity: 1024)
        #expect(output == data)
        #expect(chunks >= data.count / 1024)
    }

    @Test("multi-member gzip decodes every member")
    func multiMember() throws {
        let a = Array("first member\n".utf8)
        let b = text(500)
        let c: [UInt8] = []
        let joined = Gzip.compress(a) + Gzip.compress(b) + Gzip.compress(c) + Gzip.compress(a, level: 0)
        #expect(try Gzip.decompress(joined) == a + b + a)
        #expect(try inflate(joined, step: 1).output == a + b + a)
    }

    @Test("zero padding after the last member is accepted")
    func zeroPadding() throws {
        let data = text(10)
        #expect(try Gzip.decompress(Gzip.compress(data) + [UInt8](repeating: 0, count: 600)) == data)
    }

    @Test("plain data passes through unchanged", arguments: [[], [0x1F], Array("{\"a\":1}\n".utf8), [0x1F, 0x8C, 1, 2]])
    func plain(data: [UInt8]) throws {
        #expect(try Gzip.decompress(data) == data)
        #expect(try inflate(data, step: 1).output == data)
    }

    @Test("a truncated stream is an error that says how much was decoded", arguments: [0.99, 0.5, 0.01])
    func truncated(keeping fraction: Double) throws {
        let data = text(2_000)
        let packed = Gzip.compress(data)
        let cut = Array(packed[0..<Int(Double(packed.count) * fraction)])
        var decoded: [UInt8] = []
        var offset = 0
        let error = #expect(throws: CompressionError.self) {
            try GzipInflater().decompress(
                read: { buffer in
                    let count = min(buffer.count, cut.count - offset)
                    cut.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
                    offset += count
                    return count
                },
                chunk: { decoded += $0 }
            )
        }
        #expect(error?.code == .truncated)
        #expect(error?.decodedBytes == decoded.count)
        #expect(decoded == Array(data[0..<decoded.count]))
        #expect(error?.description.hasPrefix("truncated gzip data after \(decoded.count) decompressed bytes") == true)
    }

    @Test("the trailer alone missing is still truncation")
    func missingTrailer() throws {
        let packed = Gzip.compress(text(10))
        let error = #expect(throws: CompressionError.self) { try Gzip.decompress(Array(packed.dropLast(8))) }
        #expect(error?.code == .truncated)
    }

    @Test("corrupt data carries zlib's message")
    func corrupt() throws {
        let data = text(3_000)
        var packed = Gzip.compress(data)
        for i in (packed.count / 2)..<(packed.count / 2 + 64) { packed[i] ^= 0x5A }
        let error = #expect(throws: CompressionError.self) { try Gzip.decompress(packed) }
        #expect(error?.code == .corrupt)
        #expect(error?.zlibMessage?.isEmpty == false)
        #expect((error?.consumedBytes ?? 0) < packed.count)
    }

    @Test("a bad checksum is corruption")
    func badChecksum() throws {
        var packed = Gzip.compress(text(10))
        packed[packed.count - 6] ^= 0xFF
        let error = #expect(throws: CompressionError.self) { try Gzip.decompress(packed) }
        #expect(error?.code == .corrupt)
        #expect(error?.zlibMessage == "incorrect data check")
    }

    @Test("garbage after the last member is reported")
    func trailingGarbage() throws {
        let data = text(10)
        let error = #expect(throws: CompressionError.self) { try Gzip.decompress(Gzip.compress(data) + Array("garbage".utf8)) }
        #expect(error?.code == .trailingGarbage)
        #expect(error?.decodedBytes == data.count)
    }

    @Test("errors of the reader and the consumer propagate unchanged")
    func readerErrors() throws {
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try GzipInflater().decompress(read: { _ in throw Boom() }, chunk: { _ in })
        }
        let packed = Gzip.compress(text(100))
        #expect(throws: Boom.self) {
            var offset = 0
            try GzipInflater().decompress(
                read: { buffer in
                    let count = min(buffer.count, packed.count - offset)
                    packed.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
                    offset += count
                    return count
                },
                chunk: { _ in throw Boom() }
            )
        }
    }

    @Test("an inflater can be reused")
    func reuse() throws {
        let inflater = GzipInflater()
        for size in [10, 200, 5] {
            let data = text(size)
            let packed = Gzip.compress(data)
            var offset = 0
            var output: [UInt8] = []
            try inflater.decompress(
                read: { buffer in
                    let count = min(buffer.count, packed.count - offset)
                    packed.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
                    offset += count
                    return count
                },
                chunk: { output += $0 }
            )
            #expect(output == data)
        }
    }
}
