import Foundation

/// A one-line progress bar on stderr for long operations: count, rate and time left.
///
/// It draws only when stderr is a terminal (so logs and pipes stay clean), at most ten times a
/// second, and finishes its line when done.
struct ProgressBar {
    let total: Int
    let label: String
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private let interactive: Bool

    init(total: Int, label: String, interactive: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = total
        self.label = label
        self.interactive = interactive
    }

    /// The bar's text after `done` items at `now`: `label [#####.....] 50/100  12.5/s  ETA 4s`.
    func line(done: Int, now: Date = Date()) -> String {
        let width = 24
        let fraction = total == 0 ? 1 : min(1, Double(done) / Double(total))
        let filled = Int((fraction * Double(width)).rounded(.down))
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        var text = "\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        text += " \(done)/\(total)  " + String(format: "%.1f/s", rate)
        if done < total, rate > 0 {
            text += "  ETA " + Self.duration(Double(total - done) / rate)
        } else if done >= total {
            text += "  in " + Self.duration(elapsed)
        }
        return text
    }

    /// Redraws the bar after `done` items (rate-limited), and ends the line at the last item.
    mutating func update(done: Int) {
        guard interactive else { return }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = now
        let end = done >= total ? "\n" : ""
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line(done: done, now: now) + end).utf8))
    }

    /// `42s`, `3m05s` or `1h02m`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, s % 3600 / 60)
    }
}
