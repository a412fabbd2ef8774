import Foundation
import Testing

@testable import InfraMonitorCLI

@Suite("Progress bar")
struct ProgressBarTests {
    @Test("shows count, rate and time left, then the total time")
    func line() {
        let bar = ProgressBar(total: 100, label: "replay", interactive: false)
        let halfway = bar.line(done: 50, now: Date().addingTimeInterval(10))
        #expect(halfway.hasPrefix("replay [############............] 50/100"))
        #expect(halfway.contains("5.0/s"))
        #expect(halfway.contains("ETA 10s"))
        let done = bar.line(done: 100, now: Date().addingTimeInterval(200))
        #expect(done.contains("[########################] 100/100"))
        #expect(done.contains("in 3m20s"))
    }

    @Test("durations", arguments: [(42.0, "42s"), (185.0, "3m05s"), (3720.0, "1h02m")])
    func durations(seconds: Double, text: String) {
        #expect(ProgressBar.duration(seconds) == text)
    }
}
