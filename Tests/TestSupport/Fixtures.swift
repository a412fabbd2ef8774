public import Foundation

/// Locates test fixtures as files beside the test sources, so tests read the same files a
/// person can open in the repository.
public enum Fixtures {
    /// The absolute path of `Tests/<TestTarget>/Fixtures/<name>`, given the `#filePath` of a
    /// file in that test target.
    public static func path(_ name: String, testFile: String = #filePath) -> String {
        var dir = URL(fileURLWithPath: testFile).deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Fixtures").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    /// The bytes of a fixture file.
    public static func data(_ name: String, testFile: String = #filePath) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(name, testFile: testFile)))
    }

    /// The text of a fixture file.
    public static func text(_ name: String, testFile: String = #filePath) throws -> String {
        String(decoding: try data(name, testFile: testFile), as: UTF8.self)
    }

    /// A fresh empty temporary directory, removed by the caller when done.
    public static func temporaryDirectory(_ label: String = "infra-monitor-test") throws -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
