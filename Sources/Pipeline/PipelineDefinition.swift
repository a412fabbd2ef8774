import Foundation
public import InfraMonitorCore
public import StateMachine

/// The pipeline's state-machine definition: `pipeline/state-machine.asl.json`, the one file that
/// is also deployed to Step Functions, with its CloudFormation-style `${...}` substitutions bound
/// for the embedded backend.
public struct PipelineDefinition: Sendable {
    /// The file the definition came from.
    public let path: String
    /// The definition after substitution.
    public let definition: StateMachineDefinition

    /// The name of the deployed state machine.
    public static let stateMachineName = "InfraMonitoring-Pipeline-Orch"
    /// Where the definition lives in the project.
    public static let relativePath = "pipeline/state-machine.asl.json"

    /// Loads and validates the definition at `path` with `substitutions` applied.
    /// - Throws: ``PipelineError/definition(path:reason:)``.
    public init(path: String, substitutions: [String: String]) throws {
        let raw: String
        do {
            raw = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineError.definition(path: path, reason: "cannot read it (\(error.localizedDescription))")
        }
        try self.init(text: raw, path: path, substitutions: substitutions)
    }

    /// Validates the definition `raw` (from `path`, for messages) with `substitutions` applied.
    /// - Throws: ``PipelineError/definition(path:reason:)``.
    public init(text raw: String, path: String, substitutions: [String: String]) throws {
        self.path = path
        let text = try Self.substitute(raw, substitutions, path: path)
        do {
            definition = try StateMachineDefinition(parsing: text)
        } catch {
            throw PipelineError.definition(path: path, reason: error.description)
        }
    }

    /// Replaces each `${Name}` by its value; an unknown name is an error.
    static func substitute(_ text: String, _ values: [String: String], path: String) throws -> String {
        var out = ""
        var rest = text[...]
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw PipelineError.definition(path: path, reason: "unterminated ${ substitution")
            }
            let name = String(rest[start.upperBound..<end])
            guard let value = values[name] else {
                throw PipelineError.definition(
                    path: path,
                    reason: "no value for ${\(name)}; known substitutions: \(values.keys.sorted().joined(separator: ", "))"
                )
            }
            out += value
            rest = rest[rest.index(after: end)...]
        }
        out += rest
        return out
    }

    /// The substitutions of the embedded backend: local ARNs that the in-process bindings answer.
    public static func localSubstitutions(region: String) -> [String: String] {
        [
            "DataCollectorFunctionArn": "arn:aws:lambda:\(region):000000000000:function:data-collector",
            "LogProcessorFunctionArn": "arn:aws:lambda:\(region):000000000000:function:log-processor",
            "AlarmTopicArn": "arn:aws:sns:\(region):000000000000:InfraMonitoring-Alarms",
            "ShardSize": String(DataCollector.defaultShardSize),
        ]
    }

    /// What ``path`` says for the definition built into the binary.
    public static let embeddedPath = "(built in)"

    /// The definition `settings` names; else the project's file (working directory, a parent of
    /// the executable, the shared data folders); else the copy built into this binary — so that an
    /// installed binary runs anywhere. Bound for the embedded interpreter in `region`.
    /// - Throws: ``PipelineError/definitionNotFound(searched:)`` when the configured file is missing.
    public static func configured(_ settings: Settings, region: String) throws -> PipelineDefinition {
        var substitutions = localSubstitutions(region: region)
        if let size = settings.collection.shardSize { substitutions["ShardSize"] = String(size) }
        do {
            return try PipelineDefinition(path: try locate(configured: settings.stateMachineDefinition), substitutions: substitutions)
        } catch PipelineError.definitionNotFound(let searched) where settings.stateMachineDefinition?.isEmpty ?? true {
            _ = searched
            return try PipelineDefinition(text: embeddedText, path: embeddedPath, substitutions: substitutions)
        }
    }

    /// Finds the definition: `configured` if set, else `pipeline/state-machine.asl.json` in the
    /// working directory or a parent of the executable (a build folder inside the project).
    /// - Throws: ``PipelineError/definitionNotFound(searched:)`` listing the places it looked.
    public static func locate(
        configured: String?,
        executablePath: String = CommandLine.arguments.first ?? ""
    ) throws
        -> String
    {
        if let configured, !configured.isEmpty {
            guard FileManager.default.fileExists(atPath: configured) else {
                throw PipelineError.definitionNotFound(searched: [configured])
            }
            return configured
        }
        var candidates = [FileManager.default.currentDirectoryPath + "/" + relativePath]
        var folder = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 where folder.path != "/" {
            candidates.append(folder.appendingPathComponent(relativePath).path)
            folder.deleteLastPathComponent()
        }
        candidates.append("/usr/local/share/infra-monitor/state-machine.asl.json")
        candidates.append("/usr/share/infra-monitor/state-machine.asl.json")
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw PipelineError.definitionNotFound(searched: candidates)
    }
}
