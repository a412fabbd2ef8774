import ArgumentParser

/// `infra-monitor deploy`: being built in this session.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deploy", abstract: "Deploy to AWS.")

    func run() async throws {
        throw CLIError.failed("`deploy` is not part of this build yet")
    }
}
