import InfraJSON

/// Turns an object an `ItemReader` read into the items of a distributed Map, as the Developer
/// Guide's ItemReader page describes each `InputType`
/// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html).
enum ItemParser {
    /// Why an object could not be read as items; becomes `States.ItemReaderFailed`.
    struct Failure: Error, Sendable {
        var message: String
    }

    /// The items of `bytes` in `format`, at most `limit` of them (`nil`: all).
    static func items(_ bytes: [UInt8], format: ItemFormat, limit: Int?) throws(Failure) -> [JSON] {
        switch format {
        case .json: return try jsonArray(bytes, limit: limit)
        case .jsonLines: return try jsonLines(bytes, limit: limit)
        case .csv(let csv): return try rows(bytes, csv, limit: limit)
        }
    }

    /// "JSON: … the object must contain an array" — each element is an item.
    static func jsonArray(_ bytes: [UInt8], limit: Int?) throws(Failure) -> [JSON] {
        let value: JSON
        do {
            value = try JSON(parsing: bytes)
        } catch {
            throw Failure(message: "the object is not valid JSON: \(error)")
        }
        guard case .array(let elements) = value else { throw Failure(message: "the JSON object holds \(value.typeName), not an array") }
        return limit.map { Array(elements.prefix($0)) } ?? elements
    }

    /// JSON Lines: each line that is not empty is one JSON value.
    static func jsonLines(_ bytes: [UInt8], limit: Int?) throws(Failure) -> [JSON] {
        var items: [JSON] = []
        var start = 0
        var line = 1
        while start < bytes.count, limit.map({ items.count < $0 }) ?? true {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            var last = end
            if last > start, bytes[last - 1] == UInt8(ascii: "\r") { last -= 1 }
            let slice = bytes[start..<last]
            if slice.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) {
                do {
                    items.append(try JSON(parsing: Array(slice)))
                } catch {
                    throw Failure(message: "line \(line) of the JSON Lines object is not valid JSON: \(error)")
                }
            }
            start = end + 1
            line += 1
        }
        return items
    }

    /// CSV (RFC 4180 quoting): each row is an object from header name to field text. With
    /// `FIRST_ROW` the first row names the fields; a row with more fields than headers fails, a
    /// row with fewer leaves the missing fields empty.
    static func rows(_ bytes: [UInt8], _ format: CSVFormat, limit: Int?) throws(Failure) -> [JSON] {
        var parser = CSVRecords(bytes: bytes, delimiter: format.delimiter)
        var headers = format.headers
        if headers == nil {
            guard let first = try parser.next() else { throw Failure(message: "the CSV object is empty: it has no header row") }
            headers = first
        }
        let names = headers ?? []
        var items: [JSON] = []
        var row = format.headers == nil ? 1 : 0
        while limit.map({ items.count < $0 }) ?? true, let fields = try parser.next() {
            row += 1
            guard fields.count <= names.count else {
                throw Failure(message: "row \(row) of the CSV object has \(fields.count) fields but there are \(names.count) headers")
            }
            var object: [String: JSON] = [:]
            for (index, name) in names.enumerated() { object[name] = .string(index < fields.count ? fields[index] : "") }
            items.append(.object(object))
        }
        return items
    }

    /// One `ListObjectsV2` entry as the ItemReader page shows it: `Etag`, `Key`, `LastModified`
    /// (seconds since 1970), `Size`, `StorageClass`.
    static func listingItem(_ object: BucketObject) -> JSON {
        [
            "Etag": .string(object.eTag), "Key": .string(object.key), "LastModified": .number(object.lastModified.rounded(.down)),
            "Size": .number(Double(object.size)), "StorageClass": "STANDARD",
        ]
    }
}

/// Reads CSV records one at a time: fields split by the delimiter, `"…"` quoting with `""` for a
/// quote, records ended by LF or CRLF (also inside quotes the line break is part of the field).
/// Empty lines are skipped.
struct CSVRecords {
    let bytes: [UInt8]
    let delimiter: UInt8
    var position = 0

    init(bytes: [UInt8], delimiter: UInt8) {
        self.bytes = bytes
        self.delimiter = delimiter
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    mutating func next() throws(ItemParser.Failure) -> [String]? {
        let quote = UInt8(ascii: "\"")
        let newline = UInt8(ascii: "\n")
        let carriage = UInt8(ascii: "\r")
        while position < bytes.count, bytes[position] == newline || bytes[position] == carriage { position += 1 }
        guard position < bytes.count else { return nil }
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var fieldStart = true
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if quoted {
                if byte == quote {
                    if position < bytes.count, bytes[position] == quote {
                        field.append(quote)
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
                continue
            }
            if byte == quote, fieldStart {
                quoted = true
                fieldStart = false
            } else if byte == delimiter {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
                fieldStart = true
            } else if byte == newline {
                break
            } else if byte == carriage, position < bytes.count, bytes[position] == newline {
                position += 1
                break
            } else {
                field.append(byte)
                fieldStart = false
            }
        }
        if quoted { throw ItemParser.Failure(message: "the CSV object ends inside a quoted field") }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }
}
