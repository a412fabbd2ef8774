import ArgumentParser
import Collectors
import Foundation
import LocalBackend

/// `infra-monitor init`: writes a commented config file and creates the data directory.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the data directory and a commented config.yaml."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Replace an existing config file.")
    var force = false

    func run() async throws {
        let directory = DataDirectory.resolve(explicit: options.dataDir)
        try directory.prepare()
        let path = options.config ?? directory.configPath
        if FileManager.default.fileExists(atPath: path) && !force {
            throw CLIError.usage("\(path) exists; edit it, or pass --force to replace it with the defaults")
        }
        try AtomicFile.write(Array(ConfigurationFile.template(hostName: HostName.system()).utf8), to: path)
        _ = try SQLiteStore(path: directory.databasePath)
        print("wrote \(path)")
        print("data directory \(directory.path); next: infra-monitor run")
    }
}
