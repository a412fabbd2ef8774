import ArgumentParser

/// `infra-monitor serve`: being built in this session.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the scheduler and the dashboard.")

    func run() async throws {
        throw CLIError.failed("`serve` is not part of this build yet")
    }
}
