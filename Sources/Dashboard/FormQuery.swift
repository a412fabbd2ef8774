import Foundation

/// The first field called `name` in `query` as an HTML form encodes it
/// (`application/x-www-form-urlencoded`): `+` is a space and `%2B` a plus sign (the URL query
/// component alone would keep `+`). A value that is not valid percent-encoding is returned as
/// sent, with `+` as a space; `nil` when the field is absent.
///
/// Kept free of the HTTP server's types so that the fuzz target can build it alone.
func formField(in query: String, named name: String) -> String? {
    for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.first.map(String.init)?.replacingOccurrences(of: "+", with: " ").removingPercentEncoding == name else { continue }
        let raw = (parts.count > 1 ? String(parts[1]) : "").replacingOccurrences(of: "+", with: " ")
        return raw.removingPercentEncoding ?? raw
    }
    return nil
}
