import Foundation
import InfraJSON
import TestSupport
import Testing

/// The smaller commands: init, collect --stdout, states run/validate, notifications delivery.
@Suite("Commands")
struct CommandTests {
    @Test("init writes a commented config that run accepts, and refuses to overwrite it")
    func initWritesConfig() async throws {
        let dir = try Fixtures.temporaryDirectory("init")
        let first = try await CommandRunner.infraMonitor(["init", "--data-dir", dir])
        #expect(first.status == 0, "\(first.stderr)")
        let text = try String(contentsOfFile: dir + "/config.yaml", encoding: .utf8)
        #expect(text.contains("# "))
        #expect(text.contains("schedule: rate(3 hours)"))
        let again = try await CommandRunner.infraMonitor(["init", "--data-dir", dir])
        #expect(again.status == 2)
        #expect(again.stderr.contains("--force"))
    }

    @Test("help prints the usage and exits 0", arguments: [["--help"], ["help", "run"], ["run", "--help"], ["executions", "show", "-h"]])
    func help(arguments: [String]) async throws {
        let result = try await CommandRunner.infraMonitor(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE:"), "\(result.stdout)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test("a broken config names the file and the problem")
    func brokenConfig() async throws {
        let dir = try Fixtures.temporaryDirectory("badconfig")
        try "collection:\n  sample_window_seconds: soon\n".write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        let result = try await CommandRunner.infraMonitor(["run", "--data-dir", dir])
        #expect(result.status == 2)
        #expect(result.stderr.contains("config.yaml"), "\(result.stderr)")
        #expect(result.stderr.contains("sample_window_seconds"), "\(result.stderr)")
    }

    @Test("collect --stdout prints raw-batch lines of all four metrics and stores nothing")
    func collectToStdout() async throws {
        let dir = try Fixtures.temporaryDirectory("collect")
        let result = try await CommandRunner.infraMonitor(["collect", "--stdout", "--data-dir", dir])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = try result.stdout.split(separator: "\n").map { try JSON(parsing: String($0)) }
        let metrics = Set(samples.compactMap { $0["metric"]?.stringValue })
        #expect(metrics == ["cpu_utilization", "memory_usage", "disk_usage", "network_traffic"])
        for sample in samples {
            let value = try #require(sample["value"]?.doubleValue)
            if sample["unit"] == "Percent" { #expect((0...100).contains(value)) } else { #expect(value >= 0) }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/objects/infra-monitoring-pipeline-data/raw-metrics"))
    }

    @Test("states run prints the result object of docs/design.md (The state machine) and its exit code")
    func statesRun() async throws {
        let dir = try Fixtures.temporaryDirectory("states")
        let pass = dir + "/pass.json"
        try #"{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"sum.$":"$.a"},"ResultPath":"$.r","End":true}}}"#
            .write(toFile: pass, atomically: true, encoding: .utf8)
        let ok = try await CommandRunner.infraMonitor(["states", "run", pass, "--input", #"{"a":3}"#])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try JSON(parsing: ok.stdout) == ["status": "SUCCEEDED", "output": ["a": 3, "r": ["sum": 3]]])

        let fail = dir + "/fail.json"
        try #"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Custom.Error","Cause":"because"}}}"#
            .write(toFile: fail, atomically: true, encoding: .utf8)
        let failed = try await CommandRunner.infraMonitor(["states", "run", fail])
        #expect(failed.status == 1)
        #expect(try JSON(parsing: failed.stdout) == ["status": "FAILED", "error": "Custom.Error", "cause": "because"])

        let invalid = dir + "/invalid.json"
        try #"{"StartAt":"Missing","States":{"P":{"Type":"Pass","End":true}}}"#.write(toFile: invalid, atomically: true, encoding: .utf8)
        let rejected = try await CommandRunner.infraMonitor(["states", "run", invalid])
        #expect(rejected.status == 2)
        #expect(rejected.stderr.contains("Missing"), "\(rejected.stderr)")
    }

    @Test("the project's definition validates")
    func pipelineDefinitionValidates() async throws {
        let result = try await CommandRunner.infraMonitor(["states", "validate", CommandRunner.projectRoot + "/pipeline/state-machine.asl.json"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("notifications are mailed through the sendmail interface with the contract's subject")
    func sendmailDelivery() async throws {
        let dir = try Fixtures.temporaryDirectory("sendmail")
        let script = dir + "/sendmail"
        try "#!/bin/sh\necho \"$@\" > \(dir)/args\ncat > \(dir)/mail\n".write(toFile: script, atomically: true, encoding: .utf8)
        _ = try await CommandRunner.shell("chmod +x \(script)")
        try "notifications:\n  email_to: ops@example.com\n  sendmail_path: \(script)\n"
            .write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        let run = try await CommandRunner.infraMonitor(["run", "--data-dir", dir])
        #expect(run.status == 0, "\(run.stderr)")
        let mail = try String(contentsOfFile: dir + "/mail", encoding: .utf8)
        #expect(mail.contains("To: ops@example.com"))
        #expect(mail.contains("Subject: InfraMonitor: Pipeline Success"))
        let body = try #require(mail.components(separatedBy: "\n\n").dropFirst().first)
        #expect(try JSON(parsing: body)["status"] == "SUCCEEDED")
        #expect(try String(contentsOfFile: dir + "/args", encoding: .utf8).contains("-t"))
        let outbox = try await CommandRunner.infraMonitor(["notifications", "--format", "json", "--data-dir", dir])
        #expect(outbox.stdout.contains("\"email_status\":\"sent\""), "\(outbox.stdout)")
    }

    @Test("notifications reach a webhook, and the webhook's token never reaches the logs")
    func webhookDelivery() async throws {
        let dir = try Fixtures.temporaryDirectory("webhook")
        let port = try await CommandRunner.freePort()
        let received = dir + "/received.json"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = [
            "python3", "-c",
            """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers['Content-Length']))
                    open(sys.argv[2], 'ab').write(body + b'\\n')
                    self.send_response(204); self.end_headers()
                def log_message(self, *a): pass
            http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
            """,
            String(port), received,
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        server.standardInput = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        try await Task.sleep(for: .milliseconds(500))
        let secret = "s3cr3t-token-value"
        try "notifications:\n  webhook_url: http://127.0.0.1:\(port)/hook?token=\(secret)\n"
            .write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        let run = try await CommandRunner.infraMonitor(["run", "--data-dir", dir])
        #expect(run.status == 0, "\(run.stderr)")
        let body = try JSON(parsing: String(try String(contentsOfFile: received, encoding: .utf8).split(separator: "\n")[0]))
        #expect(body["status"] == "SUCCEEDED")
        let outbox = try await CommandRunner.infraMonitor(["notifications", "--format", "json", "--data-dir", dir])
        #expect(outbox.stdout.contains("sent (HTTP 204)"), "\(outbox.stdout)")
        for group in ["data-collector", "log-processor"] {
            let log = (try? String(contentsOfFile: dir + "/logs/\(group).jsonl", encoding: .utf8)) ?? ""
            #expect(!log.contains(secret))
        }
        #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret))
    }
}
