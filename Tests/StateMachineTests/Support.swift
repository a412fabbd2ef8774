import Foundation
import InfraJSON
import StateMachine

/// Records requested sleeps instead of waiting.
actor SleepRecorder {
    private(set) var sleeps: [Double] = []
    func record(_ seconds: Double) { sleeps.append(seconds) }
}

/// Collects history events.
actor EventLog {
    private(set) var events: [HistoryEvent] = []
    func append(_ event: HistoryEvent) { events.append(event) }
    var types: [String] { events.map(\.type) }
}

/// Counts calls (for handlers that fail a number of times).
actor Counter {
    private(set) var value = 0
    func next() -> Int {
        value += 1
        return value
    }
}

enum TestSupport {
    static let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ relativePath: String) throws -> JSON {
        let data = try Data(contentsOf: fixturesDirectory.appendingPathComponent(relativePath))
        return try JSON(parsing: [UInt8](data))
    }

    static func fixtureNames(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }

    static func options(sleeps: SleepRecorder? = nil) -> ExecutionOptions {
        ExecutionOptions(
            executionName: "fixture-execution",
            startTime: "2026-01-01T00:00:00.000Z",
            stateMachineName: "Fixture",
            sleep: { seconds in await sleeps?.record(seconds) },
            now: { "2026-01-01T00:00:00.000Z" }
        )
    }

    static func definition(_ text: String) throws -> StateMachineDefinition {
        try StateMachineDefinition(parsing: text)
    }
}
