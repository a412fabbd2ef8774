import Compression
import Foundation
import TestSupport
import Testing

/// `scripts/install.sh` into a temporary DESTDIR: every file lands, the units point at the
/// installed binary, and that binary works from outside the repository.
@Suite("install.sh", .serialized)
struct InstallTests {
    @Test("install.sh stages the binary, completions, man page and units, and the installed binary runs")
    func install() async throws {
        let stage = try Fixtures.temporaryDirectory("install-stage")
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let result = try await CommandRunner.run(
            "/bin/bash",
            [CommandRunner.projectRoot + "/scripts/install.sh", "--prefix", "/usr", "--binary", CommandRunner.infraMonitorPath],
            environment: ["DESTDIR": stage],
            currentDirectory: NSTemporaryDirectory()
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("installed infra-monitor "), "\(result.stdout)")
        let expected: [(String, String)] = [
            ("usr/bin/infra-monitor", ""),
            ("usr/share/bash-completion/completions/infra-monitor", "complete -o filenames -F "),
            ("usr/share/zsh/vendor-completions/_infra-monitor", "#compdef infra-monitor"),
            ("usr/share/fish/vendor_completions.d/infra-monitor.fish", "complete -c 'infra-monitor' -f"),
            ("usr/lib/systemd/system/infra-monitor.service", "ExecStart=/usr/bin/infra-monitor serve"),
            ("usr/lib/systemd/system/infra-monitor-run.service", "ExecStart=/usr/bin/infra-monitor run"),
            ("usr/lib/systemd/system/infra-monitor-run.timer", "OnCalendar=*-*-* 00/3:00:00 UTC"),
        ]
        for (path, content) in expected {
            let full = stage + "/" + path
            let data = FileManager.default.contents(atPath: full) ?? Data()
            #expect(!data.isEmpty, "\(path) landed")
            if !content.isEmpty { #expect(String(decoding: data, as: UTF8.self).contains(content), "\(path) holds \(content)") }
        }
        for unit in ["infra-monitor.service", "infra-monitor-run.service"] {
            let text = try String(contentsOfFile: stage + "/usr/lib/systemd/system/" + unit, encoding: .utf8)
            #expect(!text.contains("@BINDIR@"))
            for directive in [
                "NoNewPrivileges=yes", "ProtectSystem=strict", "DynamicUser=yes", "StateDirectory=infra-monitor", "CapabilityBoundingSet=",
            ] {
                #expect(text.contains("\n" + directive + "\n"), "\(unit) has \(directive)")
            }
        }
        let manual = try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: stage + "/usr/share/man/man1/infra-monitor.1.gz"))))
        let page = String(decoding: manual, as: UTF8.self)
        for command in ["run", "serve", "replay", "lifecycle", "alarms", "query"] {
            #expect(page.contains(command), "the man page documents \(command)")
        }
        let rendered = try await CommandRunner.run("/usr/bin/env", ["groff", "-mandoc", "-Tutf8", "-P-c"], input: Data(manual))
        #expect(rendered.status == 0 && rendered.stdout.contains("infra-monitor"), "\(rendered.stderr)")

        // The installed copy, run from a folder outside the repository with a fresh data directory.
        let elsewhere = try Fixtures.temporaryDirectory("install-cwd")
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let installed = stage + "/usr/bin/infra-monitor"
        let version = try await CommandRunner.run(installed, ["--version"], currentDirectory: elsewhere)
        #expect(version.status == 0 && version.stdout.hasPrefix("infra-monitor "), "\(version.stdout)\(version.stderr)")
        let run = try await CommandRunner.run(installed, ["run", "--data-dir", elsewhere + "/data"], currentDirectory: elsewhere)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("SUCCEEDED"), "\(run.stdout)")
    }

    @Test("the units pass systemd-analyze verify")
    func unitsVerify() async throws {
        // systemd-analyze comes with Debian's systemd package (scripts/install-test-deps.sh).
        let folder = try Fixtures.temporaryDirectory("units")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for unit in ["infra-monitor.service", "infra-monitor-run.service", "infra-monitor-run.timer"] {
            let text = try String(contentsOfFile: CommandRunner.projectRoot + "/packaging/systemd/" + unit, encoding: .utf8)
            try text.replacingOccurrences(of: "@BINDIR@", with: (CommandRunner.infraMonitorPath as NSString).deletingLastPathComponent)
                .write(toFile: folder + "/" + unit, atomically: true, encoding: .utf8)
        }
        let result = try await CommandRunner.run(
            "/usr/bin/systemd-analyze",
            ["verify", "--man=no", folder + "/infra-monitor.service", folder + "/infra-monitor-run.service", folder + "/infra-monitor-run.timer"]
        )
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test(
        "install.sh refuses what it cannot install",
        arguments: [["--prefix", "relative"], ["--binary", "/nonexistent/infra-monitor"], ["--bogus"]]
    )
    func refused(arguments: [String]) async throws {
        let stage = try Fixtures.temporaryDirectory("install-refused")
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let result = try await CommandRunner.run(
            "/bin/bash",
            [CommandRunner.projectRoot + "/scripts/install.sh"] + arguments,
            environment: ["DESTDIR": stage]
        )
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("install.sh: "), "\(result.stderr)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: stage))?.isEmpty == true, "nothing was installed")
    }
}
