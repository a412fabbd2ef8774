/// HTML text building: every value goes through ``escape(_:)`` before it reaches a page.
enum HTML {
    /// Escapes `& < > " '` so that any value is inert in element content and in quoted attributes.
    ///
    /// Works per Unicode scalar, not per `Character`: a quote followed by a combining mark is one
    /// `Character` that is not equal to `"`, yet the browser still reads its quote byte.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Percent-encodes a query-string value.
    static func query(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A whole page: the shared layout around `body`, with `title` escaped.
    static func page(title: String, active: String, body: String) -> String {
        let links = [
            ("/", "Overview"), ("/targets", "Targets"), ("/alarms", "Alarms"), ("/executions", "Executions"), ("/notifications", "Notifications"),
            ("/query", "Query"),
        ]
        let nav = links.map { href, label in
            "<a href=\"\(href)\"\(label == active ? " class=\"active\"" : "")>\(label)</a>"
        }.joined()
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · InfraMonitor</title><link rel="stylesheet" href="/static/style.css"></head>
            <body><header><span class="brand">InfraMonitor</span><nav>\(nav)</nav><a class="raw" href="/metrics">/metrics</a></header>
            <main>\(body)</main></body></html>
            """
    }

    /// A table with escaped header cells; `rows` are already HTML.
    static func table(headers: [String], rows: [[String]], id: String? = nil) -> String {
        var out = "<table\(id.map { " id=\"\(escape($0))\"" } ?? "")><thead><tr>"
        out += headers.map { "<th>\(escape($0))</th>" }.joined()
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        return out + "</tbody></table>"
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
