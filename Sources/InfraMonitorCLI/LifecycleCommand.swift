import ArgumentParser

/// `infra-monitor lifecycle`: being built in this session.
struct LifecycleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lifecycle", abstract: "Apply the bucket lifecycle.")

    func run() async throws {
        throw CLIError.failed("`lifecycle` is not part of this build yet")
    }
}
