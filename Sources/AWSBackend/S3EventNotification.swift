public import InfraJSON
public import InfraMonitorCore

/// An S3 event notification (`{"Records":[{"s3":{"bucket":{"name"},"object":{"key","size"}}}]}`),
/// the log-processor's input.
public enum S3EventNotification {
    /// The created-events of `event`, one per record, with keys URL-decoded (`+` is a space).
    /// Records that are not `ObjectCreated:*` (or a bare `s3:TestEvent`) are left out.
    /// - Throws: ``AWSBackendError/badEvent(_:)`` when the event has no `Records` list or a record
    ///   lacks its bucket name or key.
    public static func objectsCreated(in event: JSON) throws -> [ObjectCreatedEvent] {
        guard let records = event["Records"]?.arrayValue else {
            throw AWSBackendError.badEvent("an S3 event notification needs a \"Records\" list")
        }
        var events: [ObjectCreatedEvent] = []
        for (index, record) in records.enumerated() {
            if let name = record["eventName"]?.stringValue, !name.hasPrefix("ObjectCreated:") { continue }
            guard let bucket = record["s3"]?["bucket"]?["name"]?.stringValue, !bucket.isEmpty,
                let rawKey = record["s3"]?["object"]?["key"]?.stringValue, !rawKey.isEmpty
            else {
                throw AWSBackendError.badEvent("record \(index) lacks s3.bucket.name or s3.object.key")
            }
            guard let key = decodeKey(rawKey) else {
                throw AWSBackendError.badEvent("record \(index) has a key that is not valid URL encoding: \(rawKey)")
            }
            let size = record["s3"]?["object"]?["size"]?.intValue ?? 0
            events.append(ObjectCreatedEvent(bucket: bucket, key: key, size: size))
        }
        return events
    }

    /// Decodes an S3 notification key: `+` is a space, `%XX` a byte of UTF-8.
    public static func decodeKey(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
