import Foundation

/// What an executable may ask of the `provided.al2023` runtime, and the check of a built binary
/// against it.
///
/// Amazon Linux 2023 ships glibc 2.34 and GCC 11's `libgcc_s` and `libstdc++` (GLIBCXX up to
/// 3.4.29, CXXABI up to 1.3.13)
/// (https://docs.aws.amazon.com/linux/al2023/ug/compare-with-al2.html,
/// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). A binary linked on a newer
/// distribution picks the newest default version of each symbol (`hypot@GLIBC_2.35` on glibc 2.36)
/// and fails at load with "version `GLIBC_2.35' not found". The check reads `objdump -p` — the
/// `NEEDED` entries and the "Version References" (`.gnu.version_r`) the dynamic loader verifies —
/// so it judges exactly what the loader will.
public struct LambdaCompatibility: Sendable, Hashable {
    /// The newest version allowed per version-name prefix (`GLIBC` → 2.34).
    public var newest: [String: [Int]]
    /// The shared libraries the image provides.
    public var libraries: Set<String>

    /// The limits of `provided.al2023`.
    public static let al2023 = LambdaCompatibility(
        newest: ["GLIBC": [2, 34], "GLIBCXX": [3, 4, 29], "CXXABI": [1, 3, 13], "GCC": [11, 0, 0]],
        libraries: [
            "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libresolv.so.2", "libutil.so.1",
            "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libgcc_s.so.1", "libstdc++.so.6",
        ]
    )

    /// Limits from their parts.
    public init(newest: [String: [Int]], libraries: Set<String>) {
        self.newest = newest
        self.libraries = libraries
    }

    /// What `objdump -p` says a binary needs.
    public struct Requirements: Sendable, Hashable {
        /// The `NEEDED` shared libraries, in order.
        public var needed: [String] = []
        /// The symbol versions required from each library (`libm.so.6` → `GLIBC_2.29`, …).
        public var versions: [String: [String]] = [:]

        /// Empty requirements (a fully static executable has none).
        public init() {}

        /// Every distinct version name, sorted.
        public var allVersions: [String] { Set(versions.values.joined()).sorted() }
    }

    /// One thing the image cannot satisfy.
    public enum Violation: Sendable, Hashable, CustomStringConvertible {
        /// A `NEEDED` library the image does not have.
        case library(String)
        /// A version newer than the image's, required from `library`.
        case version(String, library: String)

        public var description: String {
            switch self {
            case .library(let name): return "needs \(name), which provided.al2023 does not provide; link it statically"
            case .version(let version, let library):
                return "needs \(version) from \(library), newer than provided.al2023's; see scripts/build-lambda.sh for the symbols it pins"
            }
        }
    }

    /// Parses the text of `objdump -p BINARY`.
    public static func requirements(objdumpPrivateHeaders text: String) -> Requirements {
        var result = Requirements()
        var library: String?
        var inVersions = false
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if fields.count == 2 && fields[0] == "NEEDED" {
                result.needed.append(fields[1])
                continue
            }
            if line.hasPrefix("Version References:") {
                inVersions = true
                continue
            }
            guard inVersions else { continue }
            if line.isEmpty {
                library = nil
                continue
            }
            if line.hasPrefix("required from "), line.hasSuffix(":") {
                library = String(line.dropFirst("required from ".count).dropLast())
                continue
            }
            if let library, fields.count == 4, fields[0].hasPrefix("0x") {
                result.versions[library, default: []].append(fields[3])
            } else if !line.hasPrefix("0x") {
                inVersions = false
                library = nil
            }
        }
        return result
    }

    /// `GLIBC_2.35` → (`GLIBC`, [2, 35]); `nil` for names without a numeric version.
    public static func split(_ version: String) -> (String, [Int])? {
        guard let underscore = version.lastIndex(of: "_") else { return nil }
        let name = String(version[..<underscore])
        let numbers = version[version.index(after: underscore)...].split(separator: ".").map { Int($0) }
        guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else { return nil }
        return (name, numbers.map { $0! })
    }

    /// Whether `a` is a newer version than `b` (missing components count as 0).
    static func isNewer(_ a: [Int], than b: [Int]) -> Bool {
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            if x != y { return x > y }
        }
        return false
    }

    /// What in `requirements` the image cannot satisfy; empty when the binary loads there.
    public func violations(_ requirements: Requirements) -> [Violation] {
        var result: [Violation] = []
        for library in requirements.needed where !libraries.contains(library) {
            result.append(.library(library))
        }
        for library in requirements.versions.keys.sorted() {
            for version in requirements.versions[library]! {
                guard let parts = Self.split(version), let limit = newest[parts.0] else { continue }
                if Self.isNewer(parts.1, than: limit) { result.append(.version(version, library: library)) }
            }
        }
        return result
    }

    /// Runs `objdump -p` on `binary` and returns its requirements.
    /// - Throws: ``DeployError/package(_:)`` when objdump is missing or fails.
    public static func inspect(binary: String, objdump: String = "/usr/bin/env") throws -> Requirements {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: objdump)
        process.arguments = ["objdump", "-p", binary]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw DeployError.package("cannot run objdump (\(error)); install binutils")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DeployError.package("objdump -p \(binary) failed with status \(process.terminationStatus); is it an ELF file?")
        }
        return requirements(objdumpPrivateHeaders: String(decoding: data, as: UTF8.self))
    }
}
