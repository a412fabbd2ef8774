public import InfraJSON

/// A validated Amazon States Language state machine.
///
/// Parsing checks the whole definition and reports every problem found, each with the JSON path of
/// the offending field (e.g. `$.States.Collect.Retry[0].ErrorEquals`).
public struct StateMachineDefinition: Sendable {
    /// The name of the first state.
    public var startAt: String { root.startAt }
    /// The top-level `Comment`, if any.
    public private(set) var comment: String?
    /// The execution's `TimeoutSeconds`, if any.
    public private(set) var timeoutSeconds: Int?
    /// Every Task `Resource` string, including those inside Parallel branches and Map iterators, in
    /// state-name order, without duplicates.
    public private(set) var taskResources: [String]
    /// The names of every state, including nested ones.
    public private(set) var stateNames: [String]
    /// The definition as it was given.
    public private(set) var json: JSON

    var root: Branch

    /// Parses and validates a definition from JSON text.
    public init(parsing text: String) throws(DefinitionError) {
        let json: JSON
        do {
            json = try JSON(parsing: text)
        } catch {
            throw DefinitionError(problems: [DefinitionProblem(path: "$", message: "not valid JSON: \(error)")])
        }
        try self.init(json: json)
    }

    /// Validates a definition given as a JSON value.
    public init(json: JSON) throws(DefinitionError) {
        var parser = DefinitionParser()
        let root = parser.parseMachine(json)
        guard parser.problems.isEmpty, let root else { throw DefinitionError(problems: parser.problems) }
        self.root = root
        self.json = json
        self.comment = json["Comment"]?.stringValue
        self.timeoutSeconds = json["TimeoutSeconds"]?.intValue
        self.taskResources = parser.resources
        self.stateNames = parser.allNames.sorted()
    }
}

/// One problem of an invalid definition.
public struct DefinitionProblem: Sendable, Hashable, CustomStringConvertible {
    /// The JSON path of the offending field, e.g. `$.States.Collect.Next`.
    public var path: String
    /// What is wrong.
    public var message: String

    /// Creates a problem.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    /// The path step naming `key`: `.key` for plain names, `['key']` otherwise.
    static func member(_ key: String) -> String {
        let plain =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" }
        return plain ? ".\(key)" : "['\(String(key.flatMap { $0 == "'" ? ["\\", "'"] : [$0] }))']"
    }
}

/// Why a definition is invalid: every problem found.
public struct DefinitionError: Error, Sendable, CustomStringConvertible {
    /// The problems, in the order found.
    public var problems: [DefinitionProblem]

    /// Creates an error.
    public init(problems: [DefinitionProblem]) { self.problems = problems }

    public var description: String {
        "invalid state machine definition: " + problems.map(\.description).joined(separator: "; ")
    }
}
