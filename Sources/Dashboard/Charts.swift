import Foundation

/// Server-rendered SVG: sparklines for the overview and time-series charts for metric pages.
enum Charts {
    /// A line of one series.
    struct Line {
        var label: String
        /// (epoch seconds, value) in time order.
        var points: [(Double, Double)]
    }

    static let palette = ["#2563eb", "#d64545", "#1f9d55", "#d98b00", "#7c3aed", "#0891b2", "#be185d", "#4b5563"]

    /// A 260×44 sparkline of `values`, with no axes.
    static func sparkline(_ values: [Double], color: String) -> String {
        let width = 260.0
        let height = 44.0
        guard values.count > 1, let low = values.min(), let high = values.max() else {
            return "<svg class=\"spark\" width=\"260\" height=\"44\" role=\"img\" aria-label=\"not enough samples\"></svg>"
        }
        let span = high - low == 0 ? 1 : high - low
        let points: String = values.enumerated().map { index, value -> String in
            let x = Double(index) / Double(values.count - 1) * (width - 4) + 2
            let y = height - 4 - (value - low) / span * (height - 8)
            return "\(format(x)),\(format(y))"
        }.joined(separator: " ")
        return """
            <svg class="spark" width="260" height="44" viewBox="0 0 260 44" role="img" aria-label="trend">\
            <polyline fill="none" stroke="\(color)" stroke-width="2" points="\(points)"/></svg>
            """
    }

    /// A time-series chart: x axis in UTC time, y axis in `unit`, one line per series.
    static func timeSeries(lines: [Line], from: Double, to: Double, unit: String, title: String) -> String {
        let width = 1100.0
        let height = 320.0
        let left = 70.0
        let right = 20.0
        let top = 20.0
        let bottom = 40.0
        let values = lines.flatMap { $0.points.map(\.1) }
        var low = min(0, values.min() ?? 0)
        var high = values.max() ?? 1
        if unit == "Percent" { (low, high) = (0, max(100, high)) }
        if high <= low { high = low + 1 }
        let ticks = niceTicks(low: low, high: high)
        high = max(high, ticks.last ?? high)
        func x(_ t: Double) -> Double { left + (t - from) / (to - from) * (width - left - right) }
        func y(_ v: Double) -> Double { top + (1 - (v - low) / (high - low)) * (height - top - bottom) }
        var svg = """
            <svg class="timeseries" width="100%" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(HTML.escape(title))" \
            font-family="system-ui, sans-serif" font-size="12">
            """
        for tick in ticks {
            svg +=
                "<line x1=\"\(format(left))\" x2=\"\(format(width - right))\" y1=\"\(format(y(tick)))\" y2=\"\(format(y(tick)))\" stroke=\"#e5e7eb\"/>"
            svg += "<text x=\"\(format(left - 8))\" y=\"\(format(y(tick) + 4))\" text-anchor=\"end\" fill=\"#4b5563\">"
            svg += HTML.escape(formatValue(tick, unit: unit)) + "</text>"
        }
        let steps = 6
        for index in 0...steps {
            let t = from + (to - from) * Double(index) / Double(steps)
            svg += "<line x1=\"\(format(x(t)))\" x2=\"\(format(x(t)))\" y1=\"\(format(top))\" y2=\"\(format(height - bottom))\" stroke=\"#f0f1f3\"/>"
            svg += "<text x=\"\(format(x(t)))\" y=\"\(format(height - bottom + 18))\" text-anchor=\"middle\" fill=\"#4b5563\">"
            svg += HTML.escape(timeLabel(t, span: to - from)) + "</text>"
        }
        svg += "<line x1=\"\(format(left))\" x2=\"\(format(left))\" y1=\"\(format(top))\" y2=\"\(format(height - bottom))\" stroke=\"#9ca3af\"/>"
        svg +=
            "<line x1=\"\(format(left))\" x2=\"\(format(width - right))\" y1=\"\(format(height - bottom))\" y2=\"\(format(height - bottom))\" stroke=\"#9ca3af\"/>"
        svg +=
            "<text x=\"14\" y=\"\(format(top + (height - top - bottom) / 2))\" transform=\"rotate(-90 14 \(format(top + (height - top - bottom) / 2)))\" "
        svg += "text-anchor=\"middle\" fill=\"#374151\">\(HTML.escape(unit))</text>"
        svg += "<text x=\"\(format(width - right))\" y=\"\(format(height - 4))\" text-anchor=\"end\" fill=\"#6b7280\">UTC</text>"
        for (index, line) in lines.enumerated() {
            let color = palette[index % palette.count]
            let points: String = line.points.map { point -> String in "\(format(x(point.0))),\(format(y(point.1)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>"
            for point in line.points.suffix(1) {
                svg += "<circle cx=\"\(format(x(point.0)))\" cy=\"\(format(y(point.1)))\" r=\"3.5\" fill=\"\(color)\"/>"
            }
        }
        if values.isEmpty {
            svg += "<text x=\"\(format(width / 2))\" y=\"\(format(height / 2))\" text-anchor=\"middle\" fill=\"#6b7280\" font-size=\"16\">"
            svg += "no samples in this range</text>"
        }
        return svg + "</svg>"
    }

    /// About five round tick values covering low…high.
    static func niceTicks(low: Double, high: Double) -> [Double] {
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var value = floor(low / step) * step
        while value <= high + step * 0.999 && ticks.count < 12 {
            ticks.append(value)
            value += step
        }
        return ticks
    }

    /// A value with its unit, short: `41.7 %`, `12.3 KB/s`.
    static func formatValue(_ value: Double, unit: String) -> String {
        switch unit {
        case "Percent":
            return String(format: "%.1f %%", value)
        case "Bytes/Second":
            let units = ["B/s", "KB/s", "MB/s", "GB/s"]
            var scaled = value
            var index = 0
            while abs(scaled) >= 1000 && index < units.count - 1 {
                scaled /= 1000
                index += 1
            }
            return String(format: scaled < 10 && index > 0 ? "%.1f %@" : "%.0f %@", scaled, units[index])
        default:
            return String(format: "%.2f", value) + (unit.isEmpty ? "" : " " + unit)
        }
    }

    static func timeLabel(_ seconds: Double, span: Double) -> String {
        let date = Date(timeIntervalSince1970: seconds)
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = span <= 86_400 * 1.01 ? "HH:mm" : "MMM d HH:mm"
        return formatter.string(from: date)
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
