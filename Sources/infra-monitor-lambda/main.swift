import Foundation
import LambdaRuntime

// The `bootstrap` of the `provided.al2023` functions data-collector and log-processor.
let environment = ProcessInfo.processInfo.environment
do {
    let loop = try LambdaRunLoop.fromEnvironment(environment)
    try await loop.start {
        try FunctionConfiguration(environment: environment).makeHandler(environment: environment)
    }
} catch {
    FileHandle.standardError.write(Data("infra-monitor-lambda: \(error)\n".utf8))
    exit(1)
}
