import Foundation
import InfraMonitorCore
import Pipeline
import StateMachine
import Testing

/// The definition built into the binary is the project's file, and is used where no file is found.
@Suite struct PipelineDefinitionTests {
    @Test func theBuiltInDefinitionIsTheProjectsFile() throws {
        let file = try String(contentsOfFile: PipelineRunnerTests.repositoryFile(PipelineDefinition.relativePath), encoding: .utf8)
        #expect(
            PipelineDefinition.embeddedText == file,
            "pipeline/state-machine.asl.json changed: run scripts/embed-definition.sh"
        )
    }

    @Test func theBuiltInDefinitionIsValidAndAMissingConfiguredFileIsStillAnError() throws {
        let builtIn = try PipelineDefinition(
            text: PipelineDefinition.embeddedText,
            path: PipelineDefinition.embeddedPath,
            substitutions: PipelineDefinition.localSubstitutions(region: "eu-west-1")
        )
        let file = try PipelineDefinition(
            path: PipelineRunnerTests.repositoryFile(PipelineDefinition.relativePath),
            substitutions: PipelineDefinition.localSubstitutions(region: "eu-west-1")
        )
        #expect(builtIn.definition.startAt == file.definition.startAt)
        let missing = Settings(stateMachineDefinition: NSTemporaryDirectory() + "/no-such-definition.json")
        #expect(throws: PipelineError.self, "a configured file that is missing is an error, not the built-in copy") {
            try PipelineDefinition.configured(missing, region: "eu-west-1")
        }
    }
}
