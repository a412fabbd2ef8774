import CSystemZlib

/// Pulls at most `buffer.count` bytes into the start of `buffer` and returns how many were
/// written; 0 means the end of the input. Any byte source adapts to it with a closure.
public typealias ByteReadFunction = (_ buffer: UnsafeMutableRawBufferPointer) throws -> Int

/// One-shot gzip compression and decompression.
public enum Gzip {
    /// The two magic bytes every gzip member starts with.
    public static let magic: (UInt8, UInt8) = (0x1F, 0x8B)

    /// Whether `bytes` start with the gzip magic bytes `1f 8b`.
    public static func isGzip(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        return iterator.next() == magic.0 && iterator.next() == magic.1
    }

    /// Compresses `bytes` into one gzip member.
    /// - Parameters:
    ///   - bytes: the data to compress.
    ///   - level: zlib level, 0 (store) to 9 (smallest); -1 is zlib's default (6).
    public static func compress(_ bytes: [UInt8], level: Int = -1) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        let clamped = Int32(max(-1, min(9, level)))
        let status = deflateInit2_(
            stream,
            clamped,
            Z_DEFLATED,
            15 + 16,
            8,
            Z_DEFAULT_STRATEGY,
            zlibVersion(),
            Int32(MemoryLayout<z_stream>.size)
        )
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
        var output: [UInt8] = []
        let bound = Int(deflateBound(stream, uLong(bytes.count)))
        output.reserveCapacity(bound)
        var chunk = [UInt8](repeating: 0, count: max(64, min(bound, 1 << 20)))
        bytes.withUnsafeBufferPointer { input in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = uInt(input.count)
            chunk.withUnsafeMutableBufferPointer { out in
                while true {
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = uInt(out.count)
                    let result = deflate(stream, Z_FINISH)
                    let produced = out.count - Int(stream.pointee.avail_out)
                    output.append(contentsOf: out[0..<produced])
                    if result == Z_STREAM_END { break }
                    precondition(result == Z_OK || result == Z_BUF_ERROR, "deflate failed: \(result)")
                }
            }
        }
        return output
    }

    /// Decompresses gzip data (all members), or returns plain data unchanged.
    /// - Throws: ``CompressionError`` when the data is corrupt or truncated.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var offset = 0
        let inflater = GzipInflater()
        try inflater.decompress(
            read: { buffer in
                let count = min(buffer.count, bytes.count - offset)
                if count > 0 {
                    bytes.withUnsafeBytes { source in
                        buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
                    }
                    offset += count
                }
                return count
            },
            chunk: { output.append(contentsOf: $0) }
        )
        return output
    }
}

/// Streaming decompression of gzip (or pass-through of plain) data with bounded memory.
///
/// The input is pulled in fixed-size pieces and the output is handed over in chunks of at most
/// ``outputCapacity`` bytes, so memory does not depend on the size of the stream. The format is
/// detected from the first two bytes: `1f 8b` is gzip (every following member too), anything
/// else is passed through unchanged.
public final class GzipInflater {
    /// The size of the compressed read buffer.
    public let inputCapacity: Int
    /// The largest chunk handed to the consumer.
    public let outputCapacity: Int
    private let input: UnsafeMutableRawBufferPointer
    private let output: UnsafeMutableRawBufferPointer
    private let stream: UnsafeMutablePointer<z_stream>
    private var initialized = false

    public init(inputCapacity: Int = 64 * 1024, outputCapacity: Int = 256 * 1024) {
        self.inputCapacity = max(16, inputCapacity)
        self.outputCapacity = max(16, outputCapacity)
        input = .allocate(byteCount: self.inputCapacity, alignment: 16)
        output = .allocate(byteCount: self.outputCapacity, alignment: 16)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
        output.deallocate()
    }

    /// Decodes the whole stream, handing each decompressed chunk to `chunk` in order.
    ///
    /// Everything decoded before a failure is delivered before the error is thrown.
    /// - Parameters:
    ///   - read: pulls compressed (or plain) bytes; returns 0 at the end.
    ///   - chunk: receives decompressed bytes; the buffer is only valid during the call.
    /// - Returns: the number of decompressed bytes delivered.
    /// - Throws: ``CompressionError`` for corrupt or truncated gzip data; whatever `read` or
    ///   `chunk` throw.
    @discardableResult
    public func decompress(read: ByteReadFunction, chunk: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var filled = 0
        var atEnd = false
        while filled < 2 && !atEnd {
            let n = try read(UnsafeMutableRawBufferPointer(rebasing: input[filled...]))
            if n == 0 { atEnd = true } else { filled += n }
        }
        guard filled >= 2, input[0] == Gzip.magic.0, input[1] == Gzip.magic.1 else {
            return try passThrough(filled: filled, atEnd: atEnd, read: read, chunk: chunk)
        }
        return try inflateAll(filled: filled, atEnd: atEnd, read: read, chunk: chunk)
    }

    private func passThrough(
        filled: Int,
        atEnd: Bool,
        read: ByteReadFunction,
        chunk: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        var total = filled
        if filled > 0 { try chunk(UnsafeRawBufferPointer(rebasing: input[0..<filled])) }
        if atEnd { return total }
        let buffer = output
        while true {
            let n = try read(buffer)
            if n == 0 { return total }
            total += n
            try chunk(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    private func inflateAll(
        filled: Int,
        atEnd initialEnd: Bool,
        read: ByteReadFunction,
        chunk: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        let z = stream
        if initialized {
            inflateReset(z)
        } else {
            let status = inflateInit2_(z, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                throw CompressionError(code: .internalError, decodedBytes: 0, consumedBytes: 0, zlibMessage: "inflateInit2 returned \(status)")
            }
            initialized = true
        }
        let inBase = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let outBase = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var atEnd = initialEnd
        var decoded = 0
        var consumed = 0
        z.pointee.next_in = inBase
        z.pointee.avail_in = uInt(filled)

        /// Moves unread input to the front and reads more; returns false at the end of input.
        func refill() throws -> Bool {
            if atEnd { return false }
            let pending = Int(z.pointee.avail_in)
            if pending > 0, z.pointee.next_in != inBase {
                UnsafeMutableRawPointer(inBase).copyMemory(from: z.pointee.next_in, byteCount: pending)
            }
            let n = try read(UnsafeMutableRawBufferPointer(rebasing: input[pending...]))
            z.pointee.next_in = inBase
            z.pointee.avail_in = uInt(pending + n)
            if n == 0 { atEnd = true }
            return n > 0
        }

        func failure(_ code: CompressionError.Code) -> CompressionError {
            let message = z.pointee.msg.map { String(cString: $0) }
            return CompressionError(code: code, decodedBytes: decoded, consumedBytes: consumed, zlibMessage: message)
        }

        while true {
            if z.pointee.avail_in == 0 { _ = try refill() }
            z.pointee.next_out = outBase
            z.pointee.avail_out = uInt(outputCapacity)
            let before = Int(z.pointee.avail_in)
            let status = inflate(z, Z_NO_FLUSH)
            consumed += before - Int(z.pointee.avail_in)
            let produced = outputCapacity - Int(z.pointee.avail_out)
            if produced > 0 {
                decoded += produced
                try chunk(UnsafeRawBufferPointer(start: outBase, count: produced))
            }
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                // Another member, zero padding, or the end.
                while z.pointee.avail_in < 2, try refill() {}
                let pending = Int(z.pointee.avail_in)
                if pending == 0 { return decoded }
                let next = z.pointee.next_in!
                if pending >= 2, next[0] == Gzip.magic.0, next[1] == Gzip.magic.1 {
                    inflateReset(z)
                    continue
                }
                // Zero padding after the last member is accepted, as gzip(1) does.
                while true {
                    let count = Int(z.pointee.avail_in)
                    let bytes = UnsafeBufferPointer(start: z.pointee.next_in, count: count)
                    guard bytes.allSatisfy({ $0 == 0 }) else {
                        z.pointee.msg = nil
                        throw failure(.trailingGarbage)
                    }
                    consumed += count
                    z.pointee.avail_in = 0
                    if !(try refill()) { return decoded }
                }
            case Z_BUF_ERROR:
                // No progress: the input ran out in the middle of a member.
                if z.pointee.avail_in == 0, atEnd, produced == 0 {
                    z.pointee.msg = nil
                    throw failure(.truncated)
                }
                continue
            case Z_DATA_ERROR, Z_NEED_DICT:
                throw failure(.corrupt)
            default:
                throw failure(.internalError)
            }
        }
    }
}
