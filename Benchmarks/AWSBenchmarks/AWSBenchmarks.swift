import AWSClients
import AWSSigner
import Benchmark
import Foundation

/// A moto_server on a free port, started for the S3 throughput benchmark and killed by PID after it.
private final class Moto: @unchecked Sendable {
    let process = Process()
    let port: Int

    init() async throws {
        let probe = Process()
        let pipe = Pipe()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]
        probe.standardOutput = pipe
        try probe.run()
        probe.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let transport = HTTPClientTransport()
        for _ in 0..<300 {
            let request = AWSHTTPRequest(url: URL(string: "http://127.0.0.1:\(port)/moto-api/")!, method: "GET")
            if (try? await transport.send(request, timeout: .seconds(1))) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw AWSTransportError(url: "http://127.0.0.1:\(port)", reason: "moto_server did not start; is it installed?")
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Runs `Benchmarks/reference/aws_reference.py` with `arguments` and returns the nanoseconds per
/// operation it prints (the AWS SDK for Python doing the same work, timed inside its process).
private func pythonReference(_ arguments: [String]) throws -> Int {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("reference").appendingPathComponent("aws_reference.py").path
    let process = Process()
    let pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
    process.standardOutput = pipe
    try process.run()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0, let nanoseconds = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw AWSTransportError(url: script, reason: "aws_reference.py \(arguments.joined(separator: " ")) failed; is boto3 installed?")
    }
    return nanoseconds
}

private let signer = AWSSigner(
    credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    service: "s3",
    region: "eu-west-1"
)
private let objectURL = URL(string: "https://raw-batches.s3.eu-west-1.amazonaws.com/raw/2026/11/25/web-1/batch-0001.jsonl.gz")!
private let smallBatch = Array(repeating: UInt8(ascii: "x"), count: 512)

let benchmarks: @Sendable () -> Void = {
    let signing = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(10),
        maxIterations: 50
    )

    // One iteration signs 1,000 requests; the report is per signature.
    Benchmark("SigV4 signHeaders (512-byte PUT)", configuration: signing) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                signer.signHeaders(
                    url: objectURL,
                    method: "PUT",
                    headers: [("content-type", "application/gzip")],
                    body: .bytes(smallBatch)
                )
            )
        }
    }

    // The reference for signHeaders: botocore's S3SigV4Auth.add_auth on the same 512-byte PUT,
    // 1,000 signatures timed inside the Python process.
    Benchmark(
        "Reference: botocore S3SigV4Auth.add_auth (512-byte PUT)",
        configuration: .init(
            metrics: [.custom("botocore ns/signature", useScalingFactor: false)],
            warmupIterations: 0,
            maxDuration: .seconds(30),
            maxIterations: 5
        )
    ) { benchmark in
        benchmark.measurement(.custom("botocore ns/signature", useScalingFactor: false), try pythonReference(["sign", "1000"]))
    }

    Benchmark("SigV4 signURL (presigned GET)", configuration: signing) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(signer.signURL(url: objectURL, method: "GET", expires: 3600))
        }
    }

    // One iteration PUTs 1,000 small batches into moto sequentially (signing, HTTP, moto's work);
    // the report is per PUT, throughput in PUTs/s.
    Benchmark(
        "S3 PutObject x1000 against moto",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal, .throughput],
            timeUnits: .microseconds,
            scalingFactor: .kilo,
            maxDuration: .seconds(120),
            maxIterations: 3
        )
    ) { benchmark in
        let moto = try await Moto()
        defer { moto.stop() }
        let configuration = AWSClientConfiguration(
            region: "eu-west-1",
            credentialProvider: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIDBENCH", secretAccessKey: "bench")),
            endpointURL: URL(string: "http://127.0.0.1:\(moto.port)")!
        )
        let s3 = S3Client(client: AWSClient(configuration: configuration))
        try await s3.createBucket(bucket: "bench")
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            try await s3.putObject(bucket: "bench", key: "raw/batch-\(index).jsonl", body: smallBatch)
        }
        benchmark.stopMeasurement()
    }

    // The reference for the PUT throughput: boto3 PutObject of the same 512-byte bodies into a
    // fresh moto_server, 1,000 PUTs timed inside the Python process.
    Benchmark(
        "Reference: boto3 S3 PutObject x1000 against moto",
        configuration: .init(
            metrics: [.custom("boto3 µs/PUT", useScalingFactor: false)],
            warmupIterations: 0,
            maxDuration: .seconds(120),
            maxIterations: 3
        )
    ) { benchmark in
        let moto = try await Moto()
        defer { moto.stop() }
        let nanoseconds = try pythonReference(["put", String(moto.port), "1000"])
        benchmark.measurement(.custom("boto3 µs/PUT", useScalingFactor: false), nanoseconds / 1000)
    }
}
