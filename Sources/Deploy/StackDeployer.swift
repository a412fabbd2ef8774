public import AWSClients
public import Foundation
import InfraJSON

/// Creates, updates and deletes the stack through the CloudFormation API, uploading the Lambda
/// package first and reporting progress from the stack's events while it waits.
public struct StackDeployer: Sendable {
    public let client: AWSClient
    public var stackName: String
    /// Receives one line per progress event.
    public var progress: @Sendable (String) -> Void
    /// Time between two polls of the stack.
    public var pollInterval: Duration = .seconds(2)
    /// The longest wait for a stack operation.
    public var timeout: Duration = .seconds(3_600)

    public init(client: AWSClient, stackName: String = SeedNames.stackName, progress: @escaping @Sendable (String) -> Void) {
        self.client = client
        self.stackName = stackName
        self.progress = progress
    }

    /// A deployer over the standard configuration: region from `region`, `AWS_REGION`, the
    /// profile or eu-west-1, credentials from the standard chain read from `environment`.
    public init(
        region: String?,
        endpointURL: URL?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        stackName: String = SeedNames.stackName,
        progress: @escaping @Sendable (String) -> Void
    ) {
        let configuration = AWSClientConfiguration.standard(region: region, endpointURL: endpointURL, environment: environment)
        self.init(client: AWSClient(configuration: configuration), stackName: stackName, progress: progress)
    }

    /// What `apply` did.
    public enum ApplyOutcome: Sendable, Equatable {
        case created
        case updated
        /// CloudFormation reported "No updates are to be performed".
        case unchanged
    }

    /// Uploads `packagePath` to the code bucket (created when missing) under a content-addressed
    /// key, and `fleet`'s scrape configs beside it, then creates or updates the stack with
    /// `template` and `parameters` (`CodeBucket`, `CodeKey` and `ScrapeConfigKey` are filled
    /// here; fleet parameters `fleet` leaves nil keep the deployed stack's values), and waits for
    /// it to settle.
    /// - Throws: ``StackError`` naming the failed resources, or the AWS error.
    public func apply(
        template: String,
        parameters: [String: String],
        packagePath: String,
        codeBucket: String?,
        fleet: FleetDeployment = FleetDeployment()
    ) async throws
        -> ApplyOutcome
    {
        try fleet.validate()
        guard let package = FileManager.default.contents(atPath: packagePath) else {
            throw DeployError.usage("no Lambda package at \(packagePath); run `infra-monitor deploy package` first or pass --package")
        }
        let bucket = try await codeBucketName(codeBucket)
        let s3 = S3Client(client: client)
        if !(try await s3.headBucket(bucket: bucket)) {
            progress("creating code bucket \(bucket)")
            try await s3.createBucket(bucket: bucket)
        }
        let name = URL(fileURLWithPath: packagePath).deletingPathExtension().lastPathComponent
        let key = "lambda/\(name)-\(Self.contentHash(package)).zip"
        progress("uploading \(packagePath) (\(package.count) bytes) to s3://\(bucket)/\(key)")
        try await s3.putObject(bucket: bucket, key: key, body: Array(package), contentType: "application/zip")
        var all = parameters.merging(fleet.parameters) { given, _ in given }
        all["CodeBucket"] = bucket
        all["CodeKey"] = key
        if let document = fleet.scrapeConfigs, !document.isEmpty {
            let configKey = ScrapeConfigDeployment.key(for: document)
            progress("uploading the scrape configs (\(document.utf8.count) bytes) to s3://\(bucket)/\(configKey)")
            try await s3.putObject(bucket: bucket, key: configKey, body: Array(document.utf8), contentType: "application/yaml")
            all["ScrapeConfigKey"] = configKey
        }
        if let document = fleet.fanOutAlarms, !document.isEmpty {
            let alarmsKey = ScrapeConfigDeployment.alarmsKey(for: document)
            progress("uploading the fan-out alarms (\(document.utf8.count) bytes) to s3://\(bucket)/\(alarmsKey)")
            try await s3.putObject(bucket: bucket, key: alarmsKey, body: Array(document.utf8), contentType: "application/json")
            all["AlarmsKey"] = alarmsKey
        }
        let cloudFormation = CloudFormationClient(client: client)
        let capabilities = ["CAPABILITY_IAM"]
        let existing = try await cloudFormation.describeStack(name: stackName)
        if let existing, existing.status != "DELETE_COMPLETE" {
            for name in FleetDeployment.parameterNames where all[name] == nil {
                if let deployed = existing.parameters[name] { all[name] = deployed }
            }
        }
        let seen = Set(try await events().map(\.id))
        let dataBucket = Self.dataBucketName(parameters: parameters)
        if all[Self.bucketExistsParameter] == nil {
            if let existing, existing.status != "DELETE_COMPLETE" {
                // An update keeps what the stack was created with: a bucket the stack owns stays
                // owned, an adopted one stays adopted.
                all[Self.bucketExistsParameter] = existing.parameters[Self.bucketExistsParameter] ?? "false"
            } else {
                let kept = try await s3.headBucket(bucket: dataBucket)
                if kept { progress("adopting the data bucket \(dataBucket) kept by an earlier stack (DataBucketExists=true)") }
                all[Self.bucketExistsParameter] = kept ? "true" : "false"
            }
        }
        let outcome = try await createOrUpdate(
            existing: existing,
            template: template,
            parameters: all,
            capabilities: capabilities,
            seen: seen
        )
        if all[Self.bucketExistsParameter] == "true", outcome != .unchanged {
            try await notifyProcessor(bucket: dataBucket)
        }
        return outcome
    }

    /// The template parameter that says the data bucket exists and is adopted.
    static let bucketExistsParameter = "DataBucketExists"

    /// The data bucket's name for `parameters`: the seed's name, with `-<BucketNameSuffix>` when set.
    static func dataBucketName(parameters: [String: String]) -> String {
        let suffix = parameters["BucketNameSuffix"] ?? ""
        return suffix.isEmpty ? SeedNames.bucket : "\(SeedNames.bucket)-\(suffix)"
    }

    /// Points the adopted bucket's notification at this stack's log-processor (the stack output
    /// `LogProcessorFunctionArn`), as the bucket resource does when the stack owns the bucket.
    func notifyProcessor(bucket: String) async throws {
        guard let stack = try await CloudFormationClient(client: client).describeStack(name: stackName),
            let function = stack.outputs["LogProcessorFunctionArn"], !function.isEmpty
        else {
            throw DeployError.usage("stack \(stackName) has no LogProcessorFunctionArn output; apply the current template")
        }
        try await putNotification(bucket: bucket, body: Self.notificationXML(function: function))
        progress("the data bucket \(bucket) now notifies \(function) of new \(SeedNames.rawPrefix) objects")
    }

    /// The body of `PutBucketNotificationConfiguration`: new raw batches to `function`, or no
    /// notification at all for `nil`
    /// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html).
    public static func notificationXML(function: String?) -> String {
        let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"
        guard let function else { return "<NotificationConfiguration xmlns=\"\(namespace)\"/>" }
        return "<NotificationConfiguration xmlns=\"\(namespace)\"><LambdaFunctionConfiguration><Id>raw-batches</Id>"
            + "<CloudFunction>\(function)</CloudFunction><Event>s3:ObjectCreated:*</Event>"
            + "<Filter><S3Key><FilterRule><Name>prefix</Name><Value>\(SeedNames.rawPrefix)</Value></FilterRule></S3Key></Filter>"
            + "</LambdaFunctionConfiguration></NotificationConfiguration>"
    }

    private func putNotification(bucket: String, body: String) async throws {
        let s3 = S3Client(client: client)
        _ = try await client.send(
            .s3,
            operation: "PutBucketNotificationConfiguration",
            method: "PUT",
            // `?notification` without `=`, as the AWS SDKs send it (moto ignores `?notification=`).
            url: URL(string: s3.url(bucket: bucket).absoluteString + "?notification")!,
            headers: [("content-type", "application/xml")],
            body: Array(body.utf8)
        )
    }

    private func createOrUpdate(
        existing: CloudFormationStack?,
        template: String,
        parameters all: [String: String],
        capabilities: [String],
        seen: Set<String>
    ) async throws -> ApplyOutcome {
        let cloudFormation = CloudFormationClient(client: client)
        if let existing, existing.status != "DELETE_COMPLETE" {
            if existing.status == "ROLLBACK_COMPLETE" {
                throw DeployError.usage(
                    "stack \(stackName) is in ROLLBACK_COMPLETE after a failed create; run `infra-monitor deploy destroy`, then apply again"
                )
            }
            if try await isDeployed(template: template, parameters: all) {
                progress("stack \(stackName) is up to date: no updates are to be performed")
                return .unchanged
            }
            progress("updating stack \(stackName) (was \(existing.status))")
            guard try await cloudFormation.updateStack(name: stackName, templateBody: template, parameters: all, capabilities: capabilities)
            else {
                progress("stack \(stackName) is up to date: no updates are to be performed")
                return .unchanged
            }
            try await wait(success: ["UPDATE_COMPLETE"], seen: seen)
            return .updated
        }
        progress("creating stack \(stackName)")
        try await cloudFormation.createStack(name: stackName, templateBody: template, parameters: all, capabilities: capabilities)
        try await wait(success: ["CREATE_COMPLETE"], seen: seen)
        return .created
    }

    /// Deletes the stack and waits. The data bucket is retained by its DeletionPolicy; with
    /// `deleteData` it is emptied and deleted afterwards — also when the stack is already gone,
    /// then by the name `fallbackBucket`. Returns `false` when there was no stack.
    public func destroy(deleteData: Bool, fallbackBucket: String = SeedNames.bucket) async throws -> Bool {
        let cloudFormation = CloudFormationClient(client: client)
        guard let stack = try await cloudFormation.describeStack(name: stackName), stack.status != "DELETE_COMPLETE" else {
            progress("no stack \(stackName): nothing to delete")
            if deleteData { try await deleteBucket(fallbackBucket) }
            return false
        }
        let dataBucket = stack.outputs["DataBucketName"] ?? fallbackBucket
        if try await S3Client(client: client).headBucket(bucket: dataBucket) {
            // The bucket outlives the stack (RetainExceptOnCreate, or adopted): it must not keep
            // notifying a function that is about to be deleted.
            try await putNotification(bucket: dataBucket, body: Self.notificationXML(function: nil))
            progress("removed the data bucket's notification of the log-processor before deleting the stack")
        }
        let seen = Set(try await events().map(\.id))
        progress("deleting stack \(stackName)")
        try await cloudFormation.deleteStack(name: stackName)
        try await wait(success: ["DELETE_COMPLETE"], seen: seen, goneIsSuccess: true)
        if deleteData {
            try await deleteBucket(dataBucket)
        } else {
            progress(
                "kept the data bucket \(dataBucket) (DeletionPolicy RetainExceptOnCreate); the next `deploy apply` adopts it, "
                    + "`deploy destroy --delete-data` deletes it"
            )
        }
        return true
    }

    /// Whether the stack already runs `template` with `parameters` (GetTemplate and the stack's
    /// parameters), so that an unchanged apply makes no UpdateStack call at all.
    func isDeployed(template: String, parameters: [String: String]) async throws -> Bool {
        let current = try await client.query(.cloudFormation, action: "GetTemplate", parameters: [("StackName", stackName)])
        guard let body = current.find("TemplateBody")?.text else { return false }
        let same: Bool
        if let deployed = try? JSON(parsing: body), let wanted = try? JSON(parsing: template) {
            same = deployed == wanted
        } else {
            same = body == template
        }
        guard same else { return false }
        let described = try await client.query(.cloudFormation, action: "DescribeStacks", parameters: [("StackName", stackName)])
        var deployedParameters: [String: String] = [:]
        for member in described.find("Parameters")?.children ?? [] {
            if let key = member.string("ParameterKey") { deployedParameters[key] = member.string("ParameterValue") ?? "" }
        }
        return parameters.allSatisfy { deployedParameters[$0.key] == $0.value }
    }

    /// Empties and deletes `bucket`.
    public func deleteBucket(_ bucket: String) async throws {
        let s3 = S3Client(client: client)
        guard try await s3.headBucket(bucket: bucket) else {
            progress("data bucket \(bucket) is already gone")
            return
        }
        let keys = try await s3.listAllObjects(bucket: bucket).map(\.key)
        let failures = try await s3.deleteObjects(bucket: bucket, keys: keys)
        if let failure = failures.first {
            throw DeployError.usage(
                "cannot delete s3://\(bucket)/\(failure.key): \(failure.code) \(failure.message); delete it by hand, then run destroy again"
            )
        }
        _ = try await client.send(.s3, operation: "DeleteBucket", method: "DELETE", url: s3.url(bucket: bucket))
        progress("deleted the data bucket \(bucket) and its \(keys.count) object(s)")
    }

    /// The code bucket: the one given, else `infra-monitor-artifacts-<account>-<region>`.
    func codeBucketName(_ explicit: String?) async throws -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        let identity = try await client.query(.sts, action: "GetCallerIdentity")
        guard let account = identity.find("Account")?.text, !account.isEmpty else {
            throw AWSResponseError(operation: "sts GetCallerIdentity", message: "no Account in the response")
        }
        return "infra-monitor-artifacts-\(account)-\(client.configuration.region)"
    }

    private func events() async throws -> [CloudFormationStackEvent] {
        do {
            return try await CloudFormationClient(client: client).describeStackEvents(name: stackName)
        } catch let error as AWSError where error.code == "ValidationError" {
            return []
        }
    }

    /// Polls until the stack settles, printing each new event oldest first.
    private func wait(success: Set<String>, seen: Set<String>, goneIsSuccess: Bool = false) async throws {
        let cloudFormation = CloudFormationClient(client: client)
        var seen = seen
        var failures: [CloudFormationStackEvent] = []
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let stack = try await cloudFormation.describeStack(name: stackName)
            for event in try await events().reversed() where !seen.contains(event.id) {
                seen.insert(event.id)
                var line = "  \(event.status.padding(toLength: 22, withPad: " ", startingAt: 0)) \(event.logicalResourceID) (\(event.resourceType))"
                if let reason = event.statusReason, !reason.isEmpty { line += ": " + reason }
                progress(line)
                if event.status.hasSuffix("_FAILED") { failures.append(event) }
            }
            guard let stack else {
                if goneIsSuccess { return }
                throw StackError(stack: stackName, status: "GONE", failures: failures)
            }
            if stack.isSettled {
                if success.contains(stack.status) {
                    progress("stack \(stackName): \(stack.status)")
                    return
                }
                throw StackError(stack: stackName, status: stack.status, failures: failures, reason: stack.statusReason)
            }
            if clock.now >= deadline {
                throw StackError(stack: stackName, status: stack.status, failures: failures, reason: "still in progress after the timeout")
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// FNV-1a 64 of the package, so a changed package gets a new key (and an unchanged one the same).
    static func contentHash(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// A stack operation ended in a status other than the one asked for.
public struct StackError: Error, Sendable, CustomStringConvertible {
    public var stack: String
    public var status: String
    /// The resources that failed, with CloudFormation's reasons.
    public var failures: [CloudFormationStackEvent]
    public var reason: String?

    public init(stack: String, status: String, failures: [CloudFormationStackEvent], reason: String? = nil) {
        self.stack = stack
        self.status = status
        self.failures = failures
        self.reason = reason
    }

    public var description: String {
        var text = "stack \(stack) ended in \(status)"
        if let reason, !reason.isEmpty { text += " (\(reason))" }
        if !failures.isEmpty {
            text +=
                "; failed: "
                + failures.map { "\($0.logicalResourceID) (\($0.resourceType)): \($0.statusReason ?? "no reason given")" }
                .joined(separator: "; ")
        }
        return text + "; fix the cause, then run `infra-monitor deploy apply` again (or `deploy destroy` after a failed create)"
    }
}
