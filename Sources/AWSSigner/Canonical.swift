#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The canonical forms of a request's parts: URI, query string and headers.
public enum Canonical {
    /// RFC 3986 unreserved characters, the only ones SigV4 leaves unencoded.
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Percent-encodes every byte except the unreserved ones (and `/` when `keepSlash`).
    public static func encode(_ text: some StringProtocol, keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes; malformed escapes stay as they are.
    public static func decode(_ text: some StringProtocol) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The wire path and query of `url` (percent-encoded as sent); an empty path is `/`.
    static func requestParts(url: URL) -> (path: String, query: String) {
        let path = url.path(percentEncoded: true)
        return (path.isEmpty ? "/" : path, url.query(percentEncoded: true) ?? "")
    }

    /// The canonical URI of a wire path.
    ///
    /// S3 signs the path encoded once: the wire path is decoded and encoded again (so `%20`
    /// stays `%20`), and `.`, `..` and `//` are kept. Other services normalize the path and
    /// encode the wire path once more, which double-encodes any escape already in it.
    public static func uri(_ path: String, s3Rules: Bool) -> String {
        if path.isEmpty { return "/" }
        if s3Rules { return encode(decode(path), keepSlash: true) }
        return encode(normalize(path), keepSlash: true)
    }

    /// Removes `.` and `..` segments and empty segments (RFC 3986 §5.2.4), keeping a trailing slash.
    public static func normalize(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        var result = "/" + segments.joined(separator: "/")
        let last = path.split(separator: "/", omittingEmptySubsequences: false).last
        if path.hasSuffix("/") && !segments.isEmpty && last != "." && last != ".." { result += "/" }
        return result
    }

    /// The canonical query: each name and value decoded then strictly encoded, sorted by name
    /// then value, joined with `&`; a parameter without `=` gets an empty value.
    public static func query(_ query: String) -> String {
        if query.isEmpty { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = item.firstIndex(of: "=") {
                pairs.append((encode(decode(item[..<equals])), encode(decode(item[item.index(after: equals)...]))))
            } else {
                pairs.append((encode(decode(item)), ""))
            }
        }
        pairs.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// The canonical header lines (`name:value`, each followed by a newline) and the signed
    /// header list. Names are lowercased; values are trimmed with inner runs of spaces collapsed;
    /// repeated names join their values with `,` in order. Names in `unsigned` are left out.
    public static func headers(
        _ headers: [(String, String)],
        unsigned: Set<String> = AWSSigner.defaultUnsignedHeaders
    ) -> (lines: String, names: String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            if unsigned.contains(lower) { continue }
            values[lower, default: []].append(trimAll(value))
        }
        let names = values.keys.sorted()
        var lines = ""
        for name in names {
            lines += name + ":" + values[name]!.joined(separator: ",") + "\n"
        }
        return (lines, names.joined(separator: ";"))
    }

    private static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }
}
