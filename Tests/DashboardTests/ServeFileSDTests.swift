import Foundation
import TestSupport
import Testing

/// `serve` with a file_sd glob: a targets file written while it runs shows up on `/api/targets`
/// (UNKNOWN, not scraped) within a few polls, without an execution; a malformed file is reported.
/// Targets are loopback addresses where nothing listens (127.0.4.x); the schedule is a long one.
@Suite(.serialized)
struct ServeFileSDTests {
    @Test func aNewTargetsFileIsListedWithoutAnExecutionAndAMalformedOneIsReported() async throws {
        let dir = try Fixtures.temporaryDirectory("serve-file-sd")
        let targets = dir + "/targets"
        try FileManager.default.createDirectory(atPath: targets, withIntermediateDirectories: true)
        let first = "127.0.4.1:\(try await CommandRunner.freePort())"
        let second = "127.0.4.2:\(try await CommandRunner.freePort())"
        try #"[{"targets": ["\#(first)"]}]"#.write(toFile: targets + "/a.json", atomically: true, encoding: .utf8)
        try """
        scrape_configs:
          - job_name: node
            scrape_timeout: 2s
            file_sd_configs:
              - files: ["\(targets)/*.json"]
        """.write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        let server = try await ServeProcess(
            dataDirectory: dir,
            token: nil,
            arguments: ["--schedule", "rate(7 days)", "--file-sd-poll-seconds", "1"]
        )
        defer { server.stop() }
        try await server.waitUntilReady()
        // The start runs the missed first tick once; after it, no execution happens for a week.
        _ = try await server.waitForExecutions(1)

        try #"[{"targets": ["\#(second)"], "labels": {"rack": "r4"}}]"#.write(toFile: targets + "/b.json", atomically: true, encoding: .utf8)
        var body = ""
        for _ in 0..<50 {
            body = try await server.get("/api/targets").body
            if body.contains(second) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(body.contains(second), "the new target within a few polls: \(body) \(server.log)")
        #expect(body.contains(#""health":"unknown""#), "not scraped yet: \(body)")
        #expect(body.contains(#""rack":"r4""#))

        try "[{targets: [".write(toFile: targets + "/b.json", atomically: true, encoding: .utf8)
        for _ in 0..<50 {
            body = try await server.get("/api/targets").body
            if body.contains("malformed") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(body.contains("malformed"), "the problem is reported: \(body)")
        #expect(body.contains(second), "the malformed file keeps its previous targets: \(body)")
        let page = try await server.get("/targets").body
        #expect(page.contains("malformed") && page.contains("UNKNOWN"), "the targets page shows the problem and the unscraped target")
        #expect(server.log.contains("serve: file_sd: file_sd file \(targets)/b.json is malformed"), "logged: \(server.log)")
    }
}
