import Foundation
internal import ZIPFoundation

/// The deployable Lambda artifact: the `infra-monitor-lambda` executable, built for
/// `provided.al2023`, stripped, zipped as `bootstrap` (the custom runtime's entry point,
/// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html).
///
/// The recipe (the same as `scripts/build-lambda.sh`):
/// - the Swift runtime and Foundation linked statically (`--static-swift-stdlib`);
/// - `libstdc++` and `zlib` linked statically: `INFRA_MONITOR_LAMBDA_LINK_DIR` names a folder
///   whose `libstdc++.so` and `libz.so` are symbolic links to the static archives; Package.swift
///   passes it as `-L` to the link of `infra-monitor-lambda`, ahead of the toolchain's folders, so
///   the `-lstdc++` of the toolchain's `static-stdlib-args.lnk` and the `-lz` of `CSystemZlib` take
///   them (GNU ld reads an archive by its contents, whatever its name);
/// - `scripts/lambda/al2023-compat.c`, compiled into that folder and linked in: hidden definitions
///   of `hypot`, `hypotf` and `arc4random` that bind to versions glibc 2.34 has;
/// - `libgcc_s.so.1` and glibc stay shared: the image has them, and a static glibc cannot resolve
///   host names through NSS reliably.
///
/// Only the link step differs from a plain release build, so the compiled objects are shared.
/// The result needs only `libc.so.6`, `libm.so.6`, `libgcc_s.so.1` and the dynamic loader, with no
/// symbol version above `GLIBC_2.34`; ``build(projectRoot:swift:)`` checks that with
/// ``LambdaCompatibility`` before it returns.
public enum LambdaPackage {
    /// Where the build puts its link folder and the stripped `bootstrap`, below the project.
    public static let workFolder = ".build/lambda"
    /// The C file that pins glibc symbol versions, below the project.
    public static let compatSource = "scripts/lambda/al2023-compat.c"
    /// The environment variable Package.swift reads for the link folder.
    public static let linkFolderVariable = "INFRA_MONITOR_LAMBDA_LINK_DIR"

    /// The build command `deploy package` runs in the project folder, with
    /// `INFRA_MONITOR_LAMBDA_LINK_DIR=<project>/.build/lambda/link` in its environment.
    public static let buildArguments = ["build", "-c", "release", "--product", "infra-monitor-lambda", "--static-swift-stdlib"]

    /// Builds the release executable in `projectRoot`, strips it to `.build/lambda/bootstrap`,
    /// checks it against ``LambdaCompatibility/al2023`` and returns the stripped file's path.
    /// - Throws: ``DeployError/package(_:)`` with the build's last output lines, or the
    ///   requirements `provided.al2023` cannot meet.
    public static func build(projectRoot: String, swift: String = "/usr/bin/env") throws -> String {
        let work = projectRoot + "/" + workFolder
        try prepare(projectRoot: projectRoot, link: work + "/link")
        var environment = ProcessInfo.processInfo.environment
        environment[linkFolderVariable] = work + "/link"
        _ = try run(swift, ["swift"] + buildArguments, in: projectRoot, environment: environment)
        let binPath = try run(swift, ["swift"] + buildArguments + ["--show-bin-path"], in: projectRoot, environment: environment)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let binary = binPath + "/infra-monitor-lambda"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw DeployError.package(
                "the build finished but \(binary) is missing; run scripts/build-lambda.sh and check its output"
            )
        }
        let bootstrap = work + "/bootstrap"
        _ = try run("/usr/bin/env", ["strip", "--strip-all", "-o", bootstrap, binary], in: projectRoot)
        let violations = LambdaCompatibility.al2023.violations(try LambdaCompatibility.inspect(binary: bootstrap))
        guard violations.isEmpty else {
            throw DeployError.package(
                "\(bootstrap) would not load on provided.al2023: " + violations.map(\.description).joined(separator: "; ")
            )
        }
        return bootstrap
    }

    /// The link folder (`libstdc++.so` and `libz.so` pointing at the static archives the C
    /// compiler finds) and the compiled compat object.
    static func prepare(projectRoot: String, link: String) throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: link, withIntermediateDirectories: true)
        } catch {
            throw DeployError.package("cannot create \(link): \(error)")
        }
        for (name, archive) in [("libstdc++.so", "libstdc++.a"), ("libz.so", "libz.a")] {
            let path = try run("/usr/bin/env", ["cc", "-print-file-name=\(archive)"], in: projectRoot)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard path.hasPrefix("/"), manager.fileExists(atPath: path) else {
                throw DeployError.package("the C compiler finds no \(archive); install libstdc++-12-dev and zlib1g-dev")
            }
            try? manager.removeItem(atPath: link + "/" + name)
            do {
                try manager.createSymbolicLink(atPath: link + "/" + name, withDestinationPath: path)
            } catch {
                throw DeployError.package("cannot link \(link)/\(name) to \(path): \(error)")
            }
        }
        _ = try run(
            "/usr/bin/env",
            ["cc", "-O2", "-fPIC", "-fno-builtin", "-c", projectRoot + "/" + compatSource, "-o", link + "/al2023-compat.o"],
            in: projectRoot
        )
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

    private static func run(_ executable: String, _ arguments: [String], in folder: String, environment: [String: String]? = nil) throws -> String {
        let process = Process()
        if let environment { process.environment = environment }
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
            throw DeployError.package("cannot start `\(arguments.joined(separator: " "))` (\(error)); is it on the PATH?")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let tail = text.split(separator: "\n").suffix(3).joined(separator: " | ")
            let name = URL(fileURLWithPath: arguments.first ?? executable).lastPathComponent
            throw DeployError.package("`\(name) \(arguments.dropFirst().joined(separator: " "))` failed: \(tail)")
        }
        return text
    }
}
