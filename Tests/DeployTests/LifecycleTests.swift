import Deploy
import Foundation
import TestSupport
import Testing

@Suite struct LifecycleTests {
    /// A folder bucket with objects aged 5, 45 and 120 days (and a quarantine object of 200 days).
    func bucket() throws -> (root: String, now: Date) {
        let root = try Fixtures.temporaryDirectory("lifecycle")
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let objects: [(String, Double)] = [
            ("raw-metrics/2026/11/20/new_cpu.jsonl.gz", 5), ("raw-metrics/2026/10/10/mid_cpu.jsonl.gz", 45),
            ("raw-metrics/2026/07/28/old_cpu.jsonl.gz", 120), ("raw-metrics/2026/07/28/old_disk.jsonl.gz", 120),
            ("quarantine/2026/05/01/bad.jsonl", 200),
        ]
        for (key, age) in objects {
            let path = root + "/" + key
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true
            )
            try Data("0123456789".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-age * 86_400)], ofItemAtPath: path)
        }
        return (root, now)
    }

    @Test func dryRunReportsAndKeepsEverything() throws {
        let (root, now) = try bucket()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let report = try BucketLifecycle(root: root).apply(now: now, dryRun: true)
        #expect(report.expired == ["raw-metrics/2026/07/28/old_cpu.jsonl.gz", "raw-metrics/2026/07/28/old_disk.jsonl.gz"])
        #expect(report.expiredBytes == 20)
        #expect(report.infrequentAccess == ["raw-metrics/2026/10/10/mid_cpu.jsonl.gz"])
        #expect(report.current == 1)
        #expect(FileManager.default.fileExists(atPath: root + "/raw-metrics/2026/07/28/old_cpu.jsonl.gz"))
        let summary = BucketLifecycle.summary(report)
        #expect(summary.contains("would delete raw-metrics/2026/07/28/old_cpu.jsonl.gz"))
        #expect(summary.contains("STANDARD_IA"))
        #expect(summary.contains("no storage classes"))
    }

    @Test func applyDeletesExpiredRawBatchesOnly() throws {
        let (root, now) = try bucket()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let report = try BucketLifecycle(root: root).apply(now: now, dryRun: false)
        #expect(report.expired.count == 2)
        let manager = FileManager.default
        #expect(!manager.fileExists(atPath: root + "/raw-metrics/2026/07/28/old_cpu.jsonl.gz"))
        #expect(!manager.fileExists(atPath: root + "/raw-metrics/2026/07"), "empty date folders are pruned")
        #expect(manager.fileExists(atPath: root + "/raw-metrics/2026/10/10/mid_cpu.jsonl.gz"))
        #expect(manager.fileExists(atPath: root + "/raw-metrics/2026/11/20/new_cpu.jsonl.gz"))
        #expect(manager.fileExists(atPath: root + "/quarantine/2026/05/01/bad.jsonl"))
        let again = try BucketLifecycle(root: root).apply(now: now, dryRun: false)
        #expect(again.expired.isEmpty)
    }

    @Test(
        "the windows come from the caller",
        arguments: [(30, 90, 2, 1, 1), (40, 100, 2, 1, 1), (50, 130, 0, 2, 2), (130, 365, 0, 0, 4), (30, 40, 3, 0, 1)]
    )
    func configuredWindows(transition: Int, expiration: Int, expired: Int, infrequent: Int, current: Int) throws {
        let (root, now) = try bucket()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lifecycle = BucketLifecycle(root: root, transitionDays: transition, expirationDays: expiration)
        let plan = try lifecycle.plan(now: now)
        #expect(plan.expired.count == expired && plan.infrequentAccess.count == infrequent && plan.current == current)
        #expect(plan.expiredBytes == Int64(expired * 10) && plan.currentBytes == Int64(current * 10))
        #expect(BucketLifecycle.summary(plan).contains("older than \(expiration) days"))
        try lifecycle.delete(plan.expired)
        #expect(try lifecycle.objects().count == 4 - expired)
    }

    @Test func objectsCarryTheirSizeAndAge() throws {
        let (root, now) = try bucket()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let objects = try BucketLifecycle(root: root).objects()
        #expect(objects.map(\.key).first == "raw-metrics/2026/07/28/old_cpu.jsonl.gz")
        #expect(objects.map { Int($0.ageDays(at: now).rounded()) } == [120, 120, 45, 5])
        #expect(objects.allSatisfy { $0.bytes == 10 })
    }

    @Test func missingBucketIsEmpty() throws {
        let report = try BucketLifecycle(root: "/nonexistent/bucket").apply(dryRun: false)
        #expect(report.expired.isEmpty && report.current == 0)
    }
}

@Suite struct PackageTests {
    @Test func zipHoldsAnExecutableBootstrap() async throws {
        let folder = try Fixtures.temporaryDirectory("package")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = folder + "/infra-monitor-lambda"
        try Data("#!/bin/sh\necho lambda\n".utf8).write(to: URL(fileURLWithPath: binary))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
        let output = folder + "/out/package.zip"
        let size = try LambdaPackage.zip(binary: binary, to: output)
        #expect(size > 0)
        let script = """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            for i in z.infolist():
                print(i.filename, oct((i.external_attr >> 16) & 0o777), z.read(i.filename).decode())
            """
        let result = try await CommandRunner.run("/usr/bin/env", ["python3", "-c", script, output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("bootstrap 0o755 #!/bin/sh\necho lambda"), "\(result.stdout)")
    }

    @Test func missingBinaryIsAPackageError() {
        #expect(throws: DeployError.self) { try LambdaPackage.zip(binary: "/nonexistent/infra-monitor-lambda", to: "/tmp/x.zip") }
    }

    @Test func buildArgumentsAreTheStaticReleaseBuild() {
        #expect(LambdaPackage.buildArguments == ["build", "-c", "release", "--product", "infra-monitor-lambda", "--static-swift-stdlib"])
    }
}
