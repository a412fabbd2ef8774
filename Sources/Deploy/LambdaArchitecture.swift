import Foundation

/// The instruction set a Lambda function runs on, named as the `Architectures` property names it.
public enum LambdaArchitecture: String, Sendable, CaseIterable {
    case x86_64
    case arm64

    /// The architecture of this machine, which `swift build` targets: `uname -m` gives `x86_64`
    /// or `aarch64` (Lambda's `arm64`).
    public static var host: LambdaArchitecture {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return machine == "aarch64" || machine == "arm64" ? .arm64 : .x86_64
    }
}
