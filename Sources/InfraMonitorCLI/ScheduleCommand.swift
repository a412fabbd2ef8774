import ArgumentParser

/// `infra-monitor schedule`: being built in this session.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedule", abstract: "Schedule expressions.")

    func run() async throws {
        throw CLIError.failed("`schedule` is not part of this build yet")
    }
}
