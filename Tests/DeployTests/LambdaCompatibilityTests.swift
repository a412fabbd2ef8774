import Deploy
import Foundation
import TestSupport
import Testing

/// The provided.al2023 check on small binaries built here from C and C++ snippets, with and
/// without the recipe of `scripts/build-lambda.sh` (the static `libstdc++` through the link
/// folder, and `scripts/lambda/al2023-compat.c`), so the mechanism the bootstrap relies on is
/// checked in seconds; the full bootstrap is checked when `.build/lambda/bootstrap` exists.
@Suite(.serialized) struct LambdaCompatibilityTests {
    static let root = CommandRunner.projectRoot

    /// This machine's glibc, e.g. [2, 36].
    static var glibc: [Int] {
        let text = (try? CommandRunner.shellBlocking("getconf GNU_LIBC_VERSION").stdout) ?? ""
        return text.split(separator: " ").last?.split(separator: ".").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? []
    }

    /// Runs `command` in a shell and requires it to succeed.
    @discardableResult
    static func sh(_ command: String) async throws -> String {
        let result = try await CommandRunner.shell(command)
        try #require(result.status == 0, "\(command): \(result.stdout) \(result.stderr)")
        return result.stdout
    }

    /// A folder with the link helpers of the recipe: `libstdc++.so` → the static archive, and
    /// the compiled compat object.
    static func linkFolder(_ folder: String) async throws -> String {
        let link = folder + "/link"
        try await Self.sh(
            "mkdir -p \(link) && ln -sfn \"$(cc -print-file-name=libstdc++.a)\" \(link)/libstdc++.so && "
                + "cc -O2 -fPIC -fno-builtin -c \(root)/\(LambdaPackage.compatSource) -o \(link)/al2023-compat.o"
        )
        return link
    }

    @Test func parsesNeededLibrariesAndVersionReferences() {
        let text = """

            Dynamic Section:
              NEEDED               libm.so.6
              NEEDED               libstdc++.so.6
              NEEDED               libc.so.6

            Version References:
              required from libm.so.6:
                0x09691a75 0x00 05 GLIBC_2.2.5
                0x069691b5 0x00 04 GLIBC_2.35
              required from libstdc++.so.6:
                0x0297f870 0x00 03 GLIBCXX_3.4.30
                0x056bafd3 0x00 02 CXXABI_1.3
              required from libc.so.6:
                0x069691b4 0x00 06 GLIBC_2.34

            """
        let requirements = LambdaCompatibility.requirements(objdumpPrivateHeaders: text)
        #expect(requirements.needed == ["libm.so.6", "libstdc++.so.6", "libc.so.6"])
        #expect(requirements.versions["libm.so.6"] == ["GLIBC_2.2.5", "GLIBC_2.35"])
        #expect(requirements.allVersions.contains("CXXABI_1.3"))
        let violations = LambdaCompatibility.al2023.violations(requirements)
        #expect(violations == [.version("GLIBC_2.35", library: "libm.so.6"), .version("GLIBCXX_3.4.30", library: "libstdc++.so.6")])
        var withZlib = requirements
        withZlib.needed.append("libz.so.1")
        #expect(LambdaCompatibility.al2023.violations(withZlib).contains(.library("libz.so.1")))
        #expect(LambdaCompatibility.split("GLIBC_2.3.4")! == ("GLIBC", [2, 3, 4]))
    }

    @Test func hypotIsPinnedToAVersionGlibc234Has() async throws {
        let folder = try Fixtures.temporaryDirectory("al2023-c")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try
            "#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\nint main(int c, char **v) { printf(\"%.6f\\n\", hypot(atof(v[1]), 4.0)); return 0; }\n"
            .write(toFile: folder + "/hypot.c", atomically: true, encoding: .utf8)
        try await Self.sh("cc -O0 -fno-builtin \(folder)/hypot.c -o \(folder)/plain -lm")
        let plain = try LambdaCompatibility.inspect(binary: folder + "/plain")
        if !Self.glibc.lexicographicallyPrecedes([2, 35]) {
            // glibc 2.35 and later give hypot a new default version: exactly what breaks on AL2023.
            #expect(LambdaCompatibility.al2023.violations(plain).contains(.version("GLIBC_2.35", library: "libm.so.6")))
        }
        let link = try await Self.linkFolder(folder)
        try await Self.sh("cc -O0 -fno-builtin \(folder)/hypot.c \(link)/al2023-compat.o -o \(folder)/pinned -lm")
        let pinned = try LambdaCompatibility.inspect(binary: folder + "/pinned")
        #expect(LambdaCompatibility.al2023.violations(pinned).isEmpty, "\(pinned)")
        #expect(try await Self.sh("\(folder)/pinned 3") == "5.000000\n", "the pinned hypot computes the same")
        let script = try await CommandRunner.shell("\(Self.root)/scripts/check-lambda-binary.sh \(folder)/pinned")
        #expect(script.status == 0, "\(script.stdout) \(script.stderr)")
    }

    @Test func libstdcxxIsLinkedStaticallyThroughTheLinkFolder() async throws {
        let folder = try Fixtures.temporaryDirectory("al2023-cxx")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
        #include <condition_variable>
        #include <cstdio>
        #include <mutex>
        #include <random>
        #include <thread>
        int main() {
            std::mutex m; std::condition_variable cv; bool ready = false;
            std::thread t([&] { std::lock_guard<std::mutex> l(m); ready = true; cv.notify_one(); });
            { std::unique_lock<std::mutex> l(m); while (!ready) cv.wait(l); }
            t.join();
            std::random_device device;
            std::printf("%d\\n", device() > 0 || true);
            return 0;
        }
        """.write(toFile: folder + "/wait.cc", atomically: true, encoding: .utf8)
        try await Self.sh("c++ -O1 \(folder)/wait.cc -o \(folder)/dynamic -pthread")
        let dynamic = try LambdaCompatibility.inspect(binary: folder + "/dynamic")
        #expect(dynamic.needed.contains("libstdc++.so.6"))
        let link = try await Self.linkFolder(folder)
        // `-L` before the compiler's own folders: `-lstdc++` now finds the archive.
        try await Self.sh("c++ -O1 \(folder)/wait.cc \(link)/al2023-compat.o -o \(folder)/static -pthread -L\(link)")
        let linked = try LambdaCompatibility.inspect(binary: folder + "/static")
        #expect(!linked.needed.contains("libstdc++.so.6"), "\(linked.needed)")
        #expect(LambdaCompatibility.al2023.violations(linked).isEmpty, "\(LambdaCompatibility.al2023.violations(linked))")
        #expect(try await Self.sh("\(folder)/static") == "1\n")
    }

    /// The bootstrap that `scripts/build-lambda.sh` (or `deploy package`) left in `.build/lambda`.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: CommandRunner.projectRoot + "/.build/lambda/bootstrap")))
    func builtBootstrapLoadsOnAL2023() throws {
        let bootstrap = Self.root + "/.build/lambda/bootstrap"
        let requirements = try LambdaCompatibility.inspect(binary: bootstrap)
        #expect(LambdaCompatibility.al2023.violations(requirements).isEmpty, "\(LambdaCompatibility.al2023.violations(requirements))")
        #expect(Set(requirements.needed).isSubset(of: ["libc.so.6", "libm.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"]))
    }
}
