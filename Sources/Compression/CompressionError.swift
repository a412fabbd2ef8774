/// A gzip stream that could not be decoded: corrupt data, a truncated stream or bytes after the
/// last member that are not gzip.
///
/// Carries how many decompressed bytes were delivered before the failure, so that a reader can
/// keep what it already processed and say where the stream broke.
public struct CompressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Hashable {
            case corrupt
            case truncated
            case trailingGarbage
            case internalError
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The compressed data is not a valid deflate stream, or a header or checksum is wrong.
        public static let corrupt = Code(.corrupt)
        /// The input ended before the end of a gzip member.
        public static let truncated = Code(.truncated)
        /// Bytes after the last gzip member are neither a new member nor zero padding.
        public static let trailingGarbage = Code(.trailingGarbage)
        /// zlib failed for a reason unrelated to the data (out of memory, bad state).
        public static let internalError = Code(.internalError)

        public var description: String {
            switch base {
            case .corrupt: return "corrupt gzip data"
            case .truncated: return "truncated gzip data"
            case .trailingGarbage: return "trailing garbage after gzip data"
            case .internalError: return "zlib failure"
            }
        }
    }

    public var code: Code
    /// Decompressed bytes delivered before the failure.
    public var decodedBytes: Int
    /// Compressed bytes consumed before the failure.
    public var consumedBytes: Int
    /// zlib's own message, when it gave one (e.g. "invalid block type").
    public var zlibMessage: String?

    public init(code: Code, decodedBytes: Int, consumedBytes: Int, zlibMessage: String? = nil) {
        self.code = code
        self.decodedBytes = decodedBytes
        self.consumedBytes = consumedBytes
        self.zlibMessage = zlibMessage
    }

    public var description: String {
        var text = "\(code) after \(decodedBytes) decompressed bytes (\(consumedBytes) compressed bytes read)"
        if let zlibMessage, !zlibMessage.isEmpty { text += ": " + zlibMessage }
        return text
    }
}
