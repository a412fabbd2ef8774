import Deploy
import Foundation
import InfraJSON
import TestSupport
import Testing

@Suite struct LintAndPolicyTests {
    /// cfn-lint, as installed by the test dependencies.
    static var cfnLint: String? {
        let result = try? CommandRunner.shellBlocking("command -v cfn-lint")
        let path = result?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return path.isEmpty ? nil : path
    }

    @Test(arguments: Template.Format.allCases)
    func cfnLintReportsNothing(format: Template.Format) async throws {
        let cfnLint = try #require(Self.cfnLint, "cfn-lint is not installed: pip install cfn-lint")
        let text = try String(contentsOfFile: CommandRunner.projectRoot + "/pipeline/state-machine.asl.json", encoding: .utf8)
        let template = try SeedTemplate(architecture: .x86_64, definitionText: text).build().rendered(format)
        let folder = try Fixtures.temporaryDirectory("deploy-lint")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/template." + format.rawValue
        try template.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.run(cfnLint, ["--regions", "eu-west-1", "--", path])
        #expect(result.status == 0, "cfn-lint: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "cfn-lint: \(result.stdout)")
    }

    @Test func generatedPoliciesHaveNoWildcardsBeyondTheDocumentedExceptions() throws {
        let template = try seedTemplateJSON()
        #expect(IAMPolicyCheck.findings(in: template).isEmpty, "\(IAMPolicyCheck.findings(in: template))")
        var statements = 0
        for resource in template["Resources"]?.objectValue?.values ?? [:].values where resource["Type"] == "AWS::IAM::Role" {
            statements += resource["Properties"]?["Policies"]?[0]?["PolicyDocument"]?["Statement"]?.arrayValue?.count ?? 0
        }
        #expect(statements >= 10)
    }

    @Test(
        arguments: [
            (#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}"#, "wildcard"),
            (#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#, "wildcard"),
            (#"{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}"#, "support resource ARNs"),
            (#"{"Effect":"Allow","Action":["logs:CreateLogDelivery","sns:Publish"],"Resource":["*"]}"#, "sns:Publish"),
            (#"{"Effect":"Allow","Action":"cloudwatch:PutMetricData","Resource":"*"}"#, "cloudwatch:namespace"),
            (#"{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::b"}"#, "NotAction"),
        ]
    )
    func wildcardStatementsAreFound(statement: String, reason: String) throws {
        let template: JSON = [
            "Resources": [
                "Role": [
                    "Type": "AWS::IAM::Role",
                    "Properties": ["Policies": [["PolicyName": "p", "PolicyDocument": ["Statement": [try JSON(parsing: statement)]]]]],
                ]
            ]
        ]
        let findings = IAMPolicyCheck.findings(in: template)
        #expect(findings.contains { $0.reason.contains(reason) }, "\(findings)")
    }

    @Test func documentedExceptionsPass() throws {
        let statements = [
            #"{"Effect":"Allow","Action":["cloudwatch:PutMetricData"],"Resource":"*","Condition":{"StringEquals":{"cloudwatch:namespace":"InfraMonitoring"}}}"#,
            #"{"Effect":"Allow","Action":["logs:CreateLogDelivery","logs:DescribeLogGroups"],"Resource":"*"}"#,
        ]
        let template: JSON = [
            "Resources": [
                "Policy": [
                    "Type": "AWS::IAM::Policy", "Properties": ["PolicyDocument": ["Statement": .array(try statements.map { try JSON(parsing: $0) })]],
                ]
            ]
        ]
        #expect(IAMPolicyCheck.findings(in: template).isEmpty)
        for action in ["cloudwatch:PutMetricData", "logs:CreateLogDelivery"] {
            #expect(IAMPolicyCheck.resourceWildcardExceptions[action]?.isEmpty == false)
        }
    }
}
