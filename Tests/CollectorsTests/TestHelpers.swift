import Collectors
import Foundation
import InfraMonitorCore
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A proc root that is a symbolic link to one fixture tree, which an injected sleep can re-point,
/// plus a fake monotonic clock that the sleep advances.
final class ProcSwitch: @unchecked Sendable {
    let directory: String
    var procRoot: String { directory + "/proc" }
    private let lock = NSLock()
    private var time = 1000.0
    private var sleeps: [Double] = []

    init(_ fixture: String, testFile: String = #filePath) throws {
        directory = try Fixtures.temporaryDirectory("collectors")
        point(to: fixture, testFile: testFile)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func point(to fixture: String, testFile: String = #filePath) {
        unlink(procRoot)
        symlink(Fixtures.path(fixture, testFile: testFile), procRoot)
    }

    /// The seconds each injected sleep was asked for.
    var sleepCalls: [Double] { lock.withLock { sleeps } }

    /// A sleep that records the call, advances the clock and, when given, re-points the proc root.
    func sleep(switchingTo fixture: String?, testFile: String = #filePath) -> @Sendable (Double) async throws -> Void {
        { seconds in
            self.lock.withLock {
                self.sleeps.append(seconds)
                self.time += seconds
            }
            if let fixture { self.point(to: fixture, testFile: testFile) }
        }
    }

    var clock: @Sendable () -> Double { { self.lock.withLock { self.time } } }

    func collector(window: Double = 1, switchingTo fixture: String? = nil, testFile: String = #filePath) -> SystemCollector {
        SystemCollector(
            procRoot: procRoot,
            hostName: "test-host",
            sampleWindowSeconds: window,
            sleep: sleep(switchingTo: fixture, testFile: testFile),
            clock: clock
        )
    }
}

/// A sleep that must not be called.
let noSleep: @Sendable (Double) async throws -> Void = { seconds in
    Issue.record("the sampling window (\(seconds) s) was used although the state was usable")
}

/// A fixed instant for fixture tests: 2026-11-25T18:00:00Z.
let t0 = Timestamp(seconds: 1_795_000_000)

/// The value of the sample with these labels.
func value(_ samples: [Sample], _ labels: [String: String] = [:]) -> Double? {
    samples.first { $0.labels == labels }?.value
}

/// Output and exit status of a command, run without a shell.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
