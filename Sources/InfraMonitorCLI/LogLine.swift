import Foundation

extension Output {
    /// Writes one event of a long-running service (`serve`) as exactly one line on stderr, which
    /// journald stores as one entry per line (systemd.exec(5), "StandardError="): line breaks in
    /// the text become ` | `, and when stderr is not a terminal, escape sequences (colours) and other
    /// control characters are removed so that the journal and log files hold plain text.
    ///
    /// No `<N>` syslog level prefix is written: systemd would turn it into the entry's priority
    /// (SyslogLevelPrefix=, on by default), but the scheduler's lines carry no level of their own and
    /// a priority guessed from their wording would silently go wrong when the wording changes;
    /// every line is logged at the unit's SyslogLevel= (info), and failures are also counted in
    /// /metrics and shown on the dashboard.
    static func logLine(_ message: String) {
        FileHandle.standardError.write(Data((singleLine(message, terminal: isatty(STDERR_FILENO) == 1) + "\n").utf8))
    }

    /// `message` as one line; see ``logLine(_:)``.
    static func singleLine(_ message: String, terminal: Bool) -> String {
        var out = ""
        out.reserveCapacity(message.utf8.count)
        var scalars = message.unicodeScalars.makeIterator()
        var pendingBreak = false
        while let scalar = scalars.next() {
            switch scalar {
            case "\n", "\r":
                pendingBreak = true
                continue
            case "\u{1B}" where !terminal:
                // CSI sequences (ESC [ parameters final-byte), the colours; other escapes drop the ESC alone.
                var lookahead = scalars
                if lookahead.next() == "[" {
                    scalars = lookahead
                    while let next = scalars.next(), !(0x40...0x7E).contains(next.value) {}
                }
                continue
            default:
                break
            }
            if pendingBreak {
                if !out.isEmpty { out += " | " }
                pendingBreak = false
            }
            if !terminal, scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F { continue }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
