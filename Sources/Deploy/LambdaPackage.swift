import Foundation
internal import ZIPFoundation

/// The deployable Lambda artifact: the `infra-monitor-lambda` executable, built for Linux with the
/// Swift standard library linked statically, zipped as `bootstrap` (the custom runtime's entry).
public enum LambdaPackage {
    /// The build command `deploy package` runs in the project folder.
    public static let buildArguments = [
        "build", "-c", "release", "--product", "infra-monitor-lambda", "--static-swift-stdlib",
    ]

    /// Builds the release executable in `projectRoot` and returns its path.
    /// - Throws: ``DeployError/package(_:)`` with the build's last output lines.
    public static func build(projectRoot: String, swift: String = "/usr/bin/env") throws -> String {
        _ = try run(swift, ["swift"] + buildArguments, in: projectRoot)
        let binPath = try run(swift, ["swift"] + buildArguments + ["--show-bin-path"], in: projectRoot)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let binary = binPath + "/infra-monitor-lambda"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw DeployError.package(
                "the build finished but \(binary) is missing; run `swift \(buildArguments.joined(separator: " "))` and check its output"
            )
        }
        return binary
    }

    /// Zips `binary` as an executable `bootstrap` into `output` (replacing it) and returns the zip's size.
    /// - Throws: ``DeployError/package(_:)`` when the binary is missing or the zip cannot be written.
    @discardableResult
    public static func zip(binary: String, to output: String) throws -> Int {
        let manager = FileManager.default
        guard manager.isExecutableFile(atPath: binary) else {
            throw DeployError.package("\(binary) is not an executable file; build it first or pass --binary with the built infra-monitor-lambda")
        }
        let staging = NSTemporaryDirectory() + "infra-monitor-package-\(UUID().uuidString.prefix(8))"
        defer { try? manager.removeItem(atPath: staging) }
        do {
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
            let bootstrap = staging + "/bootstrap"
            try manager.copyItem(atPath: binary, toPath: bootstrap)
            try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bootstrap)
            if manager.fileExists(atPath: output) { try manager.removeItem(atPath: output) }
            let outputURL = URL(fileURLWithPath: output)
            try manager.createDirectory(at: outputURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            let archive = try Archive(url: outputURL, accessMode: .create)
            try archive.addEntry(with: "bootstrap", relativeTo: URL(fileURLWithPath: staging), compressionMethod: .deflate)
        } catch let error as DeployError {
            throw error
        } catch {
            throw DeployError.package("cannot write the Lambda package \(output): \(error); check the folder is writable")
        }
        let attributes = try? manager.attributesOfItem(atPath: output)
        return (attributes?[.size] as? Int) ?? 0
    }

    /// The artifact's default name, which carries the architecture (`Architectures` must match it).
    public static func defaultOutput(architecture: LambdaArchitecture = .host) -> String {
        ".build/lambda/infra-monitor-lambda-\(architecture.rawValue).zip"
    }

    private static func run(_ executable: String, _ arguments: [String], in folder: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw DeployError.package("cannot start `swift build` (\(error)); is Swift on the PATH?")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let tail = text.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw DeployError.package("`swift \(arguments.dropFirst().joined(separator: " "))` failed: \(tail)")
        }
        return text
    }
}
