import Compression
import InfraMonitorCore

/// A ``ByteSource`` that hands out at most `step` bytes per read, so that line and gzip-member
/// boundaries fall at every position the fuzzer chooses.
private struct ChunkedByteSource: ByteSource {
    let bytes: [UInt8]
    let step: Int
    var offset = 0

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, step, bytes.count - offset)
        guard count > 0 else { return 0 }
        for index in 0..<count { buffer[index] = bytes[offset + index] }
        offset += count
        return count
    }
}

/// libFuzzer entry point: the bytes (after a first byte that picks the read size) are a raw batch.
/// Processing it whole, in small reads, and gzip-compressed must give the same lines, invalid
/// lines and records; a gzip input must never crash, whatever its corruption.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBatch(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let step = Int(data[0]) + 1
    let batch = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let processor = BatchProcessor()
    let key = "raw-metrics/2026/12/02/fuzz.jsonl"
    func summary(_ bytes: [UInt8], step: Int) -> BatchSummary {
        var source = ChunkedByteSource(bytes: bytes, step: step)
        var invalid: [InvalidLine] = []
        guard
            let result = try? processor.process(
                &source,
                key: key,
                onSample: { _ in },
                onInvalid: { invalid.append($0) }
            )
        else { fatalError("processing threw with no throwing callback") }
        if invalid.count != result.invalidLines { fatalError("onInvalid calls differ from the invalid-line count") }
        // Line numbers count every physical line (blank ones too, which `lines` leaves out), so
        // they can exceed `lines`; they must start at 1 and increase.
        if zip(invalid, invalid.dropFirst()).contains(where: { $0.lineNumber >= $1.lineNumber }) || (invalid.first?.lineNumber ?? 1) < 1 {
            fatalError("invalid line numbers must start at 1 and increase")
        }
        return result
    }
    let whole = summary(batch, step: Int.max)
    if Gzip.isGzip(batch) { return 0 }
    let chunked = summary(batch, step: step)
    let compressed = summary(Gzip.compress(batch), step: step)
    for other in [chunked, compressed] {
        if other.lines != whole.lines || other.invalidLines != whole.invalidLines || other.validSamples != whole.validSamples
            || other.records != whole.records || other.corruption != nil
        {
            fatalError("the same batch gave different results read in \(step)-byte chunks or gzip-compressed")
        }
    }
    if whole.validSamples + whole.invalidLines > whole.lines { fatalError("more samples and invalid lines than lines") }
    return 0
}
