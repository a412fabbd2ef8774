public import InfraJSON

/// Counts the state transitions Step Functions bills for one execution of a definition.
///
/// Standard workflows bill each state entered. The count follows the success path: a Parallel
/// state is one transition plus every state its branches enter; a Choice follows its `Default`
/// (else its first rule); a Map counts one iteration, or `mapIterations` (the shards of a fleet:
/// each shard's invocation is one iteration of every metric's Map).
/// Retries would add one transition per attempt and are not counted.
public enum StateTransitions {
    /// Transitions on the success path of `definition` (an ASL document).
    public static func successPath(of definition: JSON) throws(DeployError) -> Int {
        guard let states = definition["States"]?.objectValue, let start = definition["StartAt"]?.stringValue else {
            throw .definition("the state-machine definition has no States/StartAt; check pipeline/state-machine.asl.json")
        }
        return try count(states: states, start: start)
    }

    /// Tasks on the success path whose resource is `resource` (e.g. Lambda invocations per execution).
    public static func tasks(of definition: JSON, resource: String, mapIterations: Int = 1) -> Int {
        guard let states = definition["States"]?.objectValue, let start = definition["StartAt"]?.stringValue else { return 0 }
        return walk(states: states, start: start, mapIterations: mapIterations).filter { $0["Resource"]?.stringValue == resource }.count
    }

    /// The data-collector invocations that collect (and store a batch), not the shard plan
    /// (`"action": "plan"`), when every Map runs `mapIterations` iterations.
    public static func collectionTasks(of definition: JSON, mapIterations: Int = 1) -> Int {
        guard let states = definition["States"]?.objectValue, let start = definition["StartAt"]?.stringValue else { return 0 }
        return walk(states: states, start: start, mapIterations: mapIterations).filter {
            $0["Resource"]?.stringValue == "arn:aws:states:::lambda:invoke" && $0["Parameters"]?["Payload"]?["action"] != "plan"
        }.count
    }

    /// Transitions on the success path when every Map runs `mapIterations` iterations.
    public static func successPath(of definition: JSON, mapIterations: Int) throws(DeployError) -> Int {
        guard let states = definition["States"]?.objectValue, let start = definition["StartAt"]?.stringValue else {
            throw .definition("the state-machine definition has no States/StartAt; check pipeline/state-machine.asl.json")
        }
        return try count(states: states, start: start, mapIterations: mapIterations)
    }

    private static func count(states: [String: JSON], start: String, mapIterations: Int = 1) throws(DeployError) -> Int {
        let path = walk(states: states, start: start, mapIterations: mapIterations)
        guard !path.isEmpty else { throw .definition("the definition's StartAt \"\(start)\" names no state") }
        return path.count
    }

    /// Every state entered on the success path, branches included.
    private static func walk(states: [String: JSON], start: String, mapIterations: Int = 1) -> [JSON] {
        var entered: [JSON] = []
        var visited = Set<String>()
        var name: String? = start
        while let current = name, let state = states[current], !visited.contains(current) {
            visited.insert(current)
            entered.append(state)
            switch state["Type"]?.stringValue {
            case "Parallel":
                for branch in state["Branches"]?.arrayValue ?? [] {
                    if let branchStates = branch["States"]?.objectValue, let branchStart = branch["StartAt"]?.stringValue {
                        entered += walk(states: branchStates, start: branchStart, mapIterations: mapIterations)
                    }
                }
            case "Map":
                let processor = state["ItemProcessor"] ?? state["Iterator"]
                if let mapStates = processor?["States"]?.objectValue, let mapStart = processor?["StartAt"]?.stringValue {
                    for _ in 0..<max(1, mapIterations) { entered += walk(states: mapStates, start: mapStart, mapIterations: mapIterations) }
                }
            default:
                break
            }
            if state["End"]?.boolValue == true { break }
            if state["Type"]?.stringValue == "Choice" {
                name = state["Default"]?.stringValue ?? state["Choices"]?[0]?["Next"]?.stringValue
            } else {
                name = state["Next"]?.stringValue
            }
        }
        return entered
    }
}
