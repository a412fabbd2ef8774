import AWSClients
import Foundation
import InfraJSON
import TestSupport

/// A `moto_server` on 127.0.0.1 and a free port, for the life of one test; stopped by PID.
final class MotoServer {
    let port: Int
    let process: Process

    /// The credentials and region the tests and the command line use against moto.
    static let environment = [
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_PROFILE": "", "AWS_SESSION_TOKEN": "",
    ]

    /// Starts moto with `environment` added to this process's, e.g. `INITIAL_NO_AUTH_ACTION_COUNT`
    /// to make it verify signatures.
    init(environment: [String: String] = [:]) async throws {
        port = try await CommandRunner.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
        var serverEnvironment = ProcessInfo.processInfo.environment
        for (key, value) in environment { serverEnvironment[key] = value }
        process.environment = serverEnvironment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<600 {
            if Self.canConnect(port: port) { return }
            if !process.isRunning { break }
            usleep(50_000)
        }
        stop()
        throw TestSupportError("moto_server did not start on port \(port); check that `moto_server` is installed")
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// A request layer pointed at this server, with the test credentials.
    var client: AWSClient {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in Self.environment { environment[key] = value }
        return AWSClient(configuration: .standard(endpointURL: URL(string: endpoint)!, environment: environment))
    }

    /// A request layer pointed at this server that signs with `accessKey` and `secret`.
    func client(accessKey: String, secret: String) -> AWSClient {
        AWSClient(
            configuration: AWSClientConfiguration(
                region: "eu-west-1",
                credentialProvider: StaticCredentialProvider(AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret)),
                endpointURL: URL(string: endpoint)!
            )
        )
    }

    /// Stops the server: SIGKILL, then waits for it.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// POSTs `body` to a moto API path such as `/moto-api/config`.
    func post(_ path: String, _ body: JSON) async throws {
        let result = try await CommandRunner.run(
            "/usr/bin/env",
            ["curl", "-sf", "-X", "POST", "-H", "content-type: application/json", "--data", body.text, endpoint + path]
        )
        guard result.status == 0 else { throw TestSupportError("POST \(path) to moto failed: \(result.stderr)") }
    }

    /// Makes moto's Athena in `region` answer the next query with two rows.
    func stageAthenaResult(region: String = "eu-west-1") async throws {
        let cell = { (text: String) -> JSON in ["VarCharValue": .string(text)] }
        try await post(
            "/moto-api/static/athena/query-results",
            [
                "region": .string(region),
                "results": [
                    [
                        "rows": [
                            ["Data": [cell("metric"), cell("samples")]],
                            ["Data": [cell("cpu_utilization"), cell("4")]],
                            ["Data": [cell("memory_usage"), cell("4")]],
                        ],
                        "column_info": [
                            ["Name": "metric", "Type": "varchar", "CatalogName": "hive", "SchemaName": "", "TableName": "", "Label": "metric"],
                            ["Name": "samples", "Type": "bigint", "CatalogName": "hive", "SchemaName": "", "TableName": "", "Label": "samples"],
                        ],
                    ]
                ],
            ]
        )
    }

    /// Every message published to any topic, as moto records them (`[id, message, subject, …]`).
    func sentNotifications() async throws -> [JSON] {
        let topics = try await data()["sns"]?["Topic"]?.arrayValue ?? []
        return topics.flatMap { $0["sent_notifications"]?.arrayValue ?? [] }
    }

    /// Lets moto run state machines and creates `InfraMonitoring-Pipeline-Orch` from the project's
    /// definition (its substitutions filled with this account's ARNs); returns its ARN.
    func createPipelineStateMachine(stepFunctions: StepFunctionsClient) async throws -> String {
        try await post("/moto-api/config", ["stepfunctions": ["execute_state_machine": true]])
        var definition = try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8)
        for (name, value) in [
            "DataCollectorFunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:data-collector",
            "LogProcessorFunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:log-processor",
            "AlarmTopicArn": "arn:aws:sns:eu-west-1:123456789012:InfraMonitoring-Alarms",
        ] {
            definition = definition.replacingOccurrences(of: "${\(name)}", with: value)
        }
        return try await stepFunctions.createStateMachine(
            name: "InfraMonitoring-Pipeline-Orch",
            definition: definition,
            roleARN: "arn:aws:iam::123456789012:role/infra-monitor-pipeline"
        )
    }

    /// The state of moto's backends (`/moto-api/data.json`).
    func data() async throws -> JSON {
        let result = try await CommandRunner.run("/usr/bin/env", ["curl", "-sf", endpoint + "/moto-api/data.json"])
        guard result.status == 0 else { throw TestSupportError("GET /moto-api/data.json failed: \(result.stderr)") }
        return try JSON(parsing: result.stdout)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func canConnect(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
