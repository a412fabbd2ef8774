import InfraJSON

/// Turns definition JSON into states, collecting every problem with its JSON path.
struct DefinitionParser {
    var problems: [DefinitionProblem] = []
    var resources: [String] = []
    var allNames: Set<String> = []
    /// Whether the machine's top-level `QueryLanguage` is JSONata (the default of every state).
    var defaultJSONata = false
    /// The distributed Map `Label`s seen so far: each must be unique within the definition.
    var mapLabels: Set<String> = []

    private static let stateTypes: Set<String> = ["Task", "Pass", "Succeed", "Fail", "Choice", "Wait", "Parallel", "Map"]

    mutating func problem(_ path: String, _ message: String) {
        problems.append(DefinitionProblem(path: path, message: message))
    }

    mutating func parseMachine(_ json: JSON) -> Branch? {
        guard case .object = json else {
            problem("$", "a state machine definition must be a JSON object")
            return nil
        }
        if let timeout = json["TimeoutSeconds"], (timeout.intValue ?? 0) <= 0 {
            problem("$.TimeoutSeconds", "must be a positive integer")
        }
        checkQueryLanguage(json["QueryLanguage"], at: "$.QueryLanguage")
        defaultJSONata = json["QueryLanguage"] == "JSONata"
        let branch = parseBranch(json, at: "$")
        if let branch { checkVariableScopes(branch, outer: [], at: "$") }
        var seen: Set<String> = []
        resources = resources.filter { seen.insert($0).inserted }
        return branch
    }

    /// Parses `StartAt` and `States` of a machine, branch or iterator, checking transitions and reachability.
    mutating func parseBranch(_ json: JSON, at location: String) -> Branch? {
        let startAt = json["StartAt"]?.stringValue
        if startAt == nil { problem(location + ".StartAt", json["StartAt"] == nil ? "StartAt is required" : "StartAt must be a string") }
        guard case .object(let statesJSON)? = json["States"] else {
            problem(location + ".States", json["States"] == nil ? "States is required" : "States must be an object")
            return nil
        }
        if statesJSON.isEmpty { problem(location + ".States", "States must contain at least one state") }
        var states: [String: StateNode] = [:]
        for name in statesJSON.keys.sorted() {
            let stateLocation = location + ".States" + DefinitionProblem.member(name)
            if name.isEmpty || name.unicodeScalars.count > 80 { problem(stateLocation, "state names must have 1 to 80 characters") }
            if !allNames.insert(name).inserted { problem(stateLocation, "state name '\(name)' is used more than once in the state machine") }
            if let node = parseState(name: name, statesJSON[name]!, at: stateLocation) { states[name] = node }
        }
        guard let startAt else { return nil }
        if statesJSON[startAt] == nil { problem(location + ".StartAt", "StartAt names '\(startAt)', which is not a state in States") }
        // Transitions must stay inside this set of states.
        var edges: [String: [String]] = [:]
        for name in states.keys.sorted() {
            let node = states[name]!
            let stateLocation = location + ".States" + DefinitionProblem.member(name)
            var targets: [(String, String)] = []
            if let next = node.next { targets.append((next, stateLocation + ".Next")) }
            if case .choice(let spec) = node.kind {
                for (index, choice) in spec.choices.enumerated() { targets.append((choice.next, stateLocation + ".Choices[\(index)].Next")) }
                if let defaultNext = spec.defaultNext { targets.append((defaultNext, stateLocation + ".Default")) }
            }
            for (index, catcher) in node.catchers.enumerated() { targets.append((catcher.next, stateLocation + ".Catch[\(index)].Next")) }
            for (target, targetLocation) in targets where statesJSON[target] == nil {
                problem(targetLocation, "no state named '\(target)' in this scope")
            }
            edges[name] = targets.map(\.0)
        }
        if statesJSON[startAt] != nil, states.count == statesJSON.count {
            var reached: Set<String> = [startAt]
            var queue = [startAt]
            while let current = queue.popLast() {
                for target in edges[current] ?? [] where statesJSON[target] != nil && reached.insert(target).inserted { queue.append(target) }
            }
            for name in statesJSON.keys.sorted() where !reached.contains(name) {
                problem(location + ".States" + DefinitionProblem.member(name), "state '\(name)' is unreachable from StartAt")
            }
        }
        return Branch(startAt: startAt, states: states)
    }

    /// The variables page: states of a Parallel branch or Map iteration read the variables of the
    /// scopes around them but cannot assign them; an inner `Assign` of a name an outer scope assigns
    /// is refused.
    mutating func checkVariableScopes(_ branch: Branch, outer: Set<String>, at location: String) {
        let names = branch.states.keys.sorted()
        var own: Set<String> = []
        for name in names { own.formUnion(Self.assignedNames(branch.states[name]!)) }
        for name in names {
            let node = branch.states[name]!
            let stateLocation = location + ".States" + DefinitionProblem.member(name)
            for variable in Self.assignedNames(node).sorted() where outer.contains(variable) {
                problem(stateLocation + ".Assign", "the variable '\(variable)' belongs to an outer scope; a branch or iteration cannot assign it")
            }
            switch node.kind {
            case .parallel(let branches):
                for (index, inner) in branches.enumerated() {
                    checkVariableScopes(inner, outer: outer.union(own), at: stateLocation + ".Branches[\(index)]")
                }
            case .map(let spec):
                // A distributed Map's child executions cannot read the variables of outer scopes
                // (workflow-variables.html, "Variable scope"), so their own names clash with nothing.
                checkVariableScopes(spec.iterator, outer: spec.distributed == nil ? outer.union(own) : [], at: stateLocation + ".ItemProcessor")
            default:
                break
            }
        }
    }

    /// Every variable a state may assign: its own `Assign`, its choice rules' and its catchers'.
    static func assignedNames(_ node: StateNode) -> Set<String> {
        var names = Set(node.assign?.names ?? [])
        for catcher in node.catchers { names.formUnion(catcher.assign?.names ?? []) }
        if case .choice(let spec) = node.kind { for choice in spec.choices { names.formUnion(choice.assign?.names ?? []) } }
        return names
    }

    // MARK: - States

    mutating func parseState(name: String, _ json: JSON, at location: String) -> StateNode? {
        guard case .object(let fields) = json else {
            problem(location, "a state must be a JSON object")
            return nil
        }
        guard let type = fields["Type"]?.stringValue else {
            problem(location + ".Type", fields["Type"] == nil ? "Type is required" : "Type must be a string")
            return nil
        }
        guard Self.stateTypes.contains(type) else {
            problem(location + ".Type", "unknown state type '\(type)'")
            return nil
        }
        var node = StateNode(name: name, kind: .succeed)
        checkQueryLanguage(fields["QueryLanguage"], at: location + ".QueryLanguage")
        // Developer Guide, "Transforming data with JSONata in Step Functions": a state machine whose
        // QueryLanguage is JSONata cannot have JSONPath states; a JSONPath machine may have JSONata states.
        if defaultJSONata, fields["QueryLanguage"] == "JSONPath" {
            problem(location + ".QueryLanguage", "a state cannot use JSONPath when the state machine's QueryLanguage is JSONata")
        }
        let jsonata = (fields["QueryLanguage"]?.stringValue ?? (defaultJSONata ? "JSONata" : "JSONPath")) == "JSONata"
        node.isJSONata = jsonata
        var allowed = Self.allowedFields[type]!
        if jsonata {
            allowed.subtract(Self.jsonPathOnlyFields)
            allowed.formUnion(Self.jsonataFields[type] ?? [])
        }
        for key in fields.keys.sorted() where !allowed.contains(key) && !Self.commonFields.contains(key) {
            if jsonata, Self.jsonPathOnlyFields.contains(key) {
                problem(
                    location + DefinitionProblem.member(key),
                    "field '\(key)' is a JSONPath field and is not allowed in a JSONata state; use Arguments, Output and {% %} expressions"
                )
            } else if !jsonata, Self.jsonataOnlyFields.contains(key) {
                problem(
                    location + DefinitionProblem.member(key),
                    "field '\(key)' is only allowed in a JSONata state (\"QueryLanguage\": \"JSONata\")"
                )
            } else {
                problem(location + DefinitionProblem.member(key), "field '\(key)' is not allowed in a \(type) state")
            }
        }
        if allowed.contains("Assign"), let assign = fields["Assign"] {
            node.assign = jsonata ? queryAssignment(assign, at: location + ".Assign") : assignment(assign, at: location + ".Assign")
        }
        if jsonata {
            if allowed.contains("Output"), let output = fields["Output"] { node.output = query(output, at: location + ".Output") }
            if allowed.contains("Arguments"), let arguments = fields["Arguments"] {
                if type == "Task" || type == "Parallel", !arguments.isObjectOrExpression {
                    problem(location + ".Arguments", "Arguments must be a JSON object or a {% %} expression")
                }
                node.arguments = query(arguments, at: location + ".Arguments")
            }
        }
        if allowed.contains("InputPath") { node.inputPath = path(fields["InputPath"], at: location + ".InputPath", reference: false) }
        if allowed.contains("OutputPath") { node.outputPath = path(fields["OutputPath"], at: location + ".OutputPath", reference: false) }
        if allowed.contains("ResultPath") { node.resultPath = path(fields["ResultPath"], at: location + ".ResultPath", reference: true) }
        if allowed.contains("Parameters"), let parameters = fields["Parameters"] {
            node.parameters = template(parameters, at: location + ".Parameters")
        }
        if allowed.contains("ResultSelector"), let selector = fields["ResultSelector"] {
            node.resultSelector = template(selector, at: location + ".ResultSelector")
        }
        if allowed.contains("Next") { parseTransition(fields, into: &node, at: location) }
        if allowed.contains("Retry") { node.retriers = parseRetry(fields["Retry"], at: location + ".Retry") }
        if allowed.contains("Catch") { node.catchers = parseCatch(fields["Catch"], at: location + ".Catch", jsonata: jsonata) }

        switch type {
        case "Task":
            let resource = fields["Resource"]?.stringValue
            if let resource { resources.append(resource) } else { problem(location + ".Resource", "a Task state needs a Resource string") }
            var spec = TaskSpec(resource: resource ?? "")
            if jsonata, let timeout = fields["TimeoutSeconds"], timeout.stringValue != nil {
                spec.timeoutQuery = expressionField(timeout, at: location + ".TimeoutSeconds")
            } else if let timeout = fields["TimeoutSeconds"] {
                if let seconds = timeout.intValue, seconds > 0 {
                    spec.timeoutSeconds = seconds
                } else {
                    problem(location + ".TimeoutSeconds", "must be a positive integer")
                }
            }
            if fields["TimeoutSecondsPath"] != nil {
                if fields["TimeoutSeconds"] != nil { problem(location, "TimeoutSeconds and TimeoutSecondsPath are mutually exclusive") }
                spec.timeoutSecondsPath = path(fields["TimeoutSecondsPath"], at: location + ".TimeoutSecondsPath", reference: true)
            }
            if jsonata, let heartbeat = fields["HeartbeatSeconds"], heartbeat.stringValue != nil {
                spec.heartbeatQuery = expressionField(heartbeat, at: location + ".HeartbeatSeconds")
                var others = fields
                others["HeartbeatSeconds"] = nil
                parseHeartbeat(others, into: &spec, at: location)
            } else {
                parseHeartbeat(fields, into: &spec, at: location)
            }
            node.kind = .task(spec)
        case "Pass":
            node.kind = .pass(result: fields["Result"])
        case "Succeed":
            node.kind = .succeed
        case "Fail":
            var spec = FailSpec()
            spec.error = stringField(fields, "Error", at: location)
            spec.cause = stringField(fields, "Cause", at: location)
            if jsonata, let error = spec.error, QueryTemplate.expressionBody(error) != nil {
                spec.errorQuery = query(.string(error), at: location + ".Error")
                spec.error = nil
            }
            if jsonata, let cause = spec.cause, QueryTemplate.expressionBody(cause) != nil {
                spec.causeQuery = query(.string(cause), at: location + ".Cause")
                spec.cause = nil
            }
            if let value = fields["ErrorPath"] {
                if spec.error != nil { problem(location, "Error and ErrorPath are mutually exclusive") }
                spec.errorPath = failSource(value, at: location + ".ErrorPath")
            }
            if let value = fields["CausePath"] {
                if spec.cause != nil { problem(location, "Cause and CausePath are mutually exclusive") }
                spec.causePath = failSource(value, at: location + ".CausePath")
            }
            node.kind = .fail(spec)
        case "Choice":
            node.kind = .choice(parseChoice(fields, at: location, jsonata: jsonata))
        case "Wait":
            node.kind = .wait(parseWait(fields, at: location, jsonata: jsonata))
        case "Parallel":
            guard case .array(let branchesJSON)? = fields["Branches"], !branchesJSON.isEmpty else {
                problem(location + ".Branches", "a Parallel state needs a non-empty Branches array")
                return node
            }
            var branches: [Branch] = []
            for (index, branchJSON) in branchesJSON.enumerated() {
                if let branch = parseBranch(branchJSON, at: location + ".Branches[\(index)]") { branches.append(branch) }
            }
            node.kind = .parallel(branches: branches)
        case "Map":
            let processorKey = fields["ItemProcessor"] != nil ? "ItemProcessor" : "Iterator"
            guard let processor = fields[processorKey] else {
                problem(location + ".ItemProcessor", "a Map state needs an ItemProcessor (or Iterator)")
                return node
            }
            let executionType = parseProcessorConfig(processor["ProcessorConfig"], at: location + "." + processorKey + ".ProcessorConfig")
            if executionType == nil {
                for key in Self.distributedMapFields.sorted() where fields[key] != nil {
                    problem(
                        location + "." + key,
                        "field '\(key)' is only allowed in a distributed Map (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED)"
                    )
                }
            }
            guard let iterator = parseBranch(processor, at: location + "." + processorKey) else { return node }
            var spec = MapSpec(iterator: iterator)
            if let executionType {
                spec.distributed = parseDistributedMap(fields, executionType: executionType, at: location, jsonata: jsonata)
            }
            if jsonata {
                parseJSONataMap(fields, into: &spec, at: location)
                node.kind = .map(spec)
                return node
            }
            if fields["ItemsPath"] != nil { spec.itemsPath = path(fields["ItemsPath"], at: location + ".ItemsPath", reference: true) ?? .identity }
            let selectorKey = fields["ItemSelector"] != nil ? "ItemSelector" : "Parameters"
            if let selector = fields[selectorKey] {
                spec.itemSelector = template(selector, at: location + "." + selectorKey)
                node.parameters = nil
            }
            if let concurrency = fields["MaxConcurrency"] {
                if let value = concurrency.intValue, value >= 0 {
                    spec.maxConcurrency = value
                } else {
                    problem(location + ".MaxConcurrency", "must be a non-negative integer")
                }
            }
            // ASL: "A JSONPath Map State MAY have "MaxConcurrencyPath" field which MUST be a Reference
            // Path which, when resolved, MUST select a field whose value is a non-negative integer."
            if fields["MaxConcurrencyPath"] != nil {
                if fields["MaxConcurrency"] != nil { problem(location, "MaxConcurrency and MaxConcurrencyPath are mutually exclusive") }
                spec.maxConcurrencyPath = path(fields["MaxConcurrencyPath"], at: location + ".MaxConcurrencyPath", reference: true)
            }
            parseTolerance(fields, into: &spec, at: location)
            node.kind = .map(spec)
        default:
            break
        }
        return node
    }

    static let commonFields: Set<String> = ["Type", "Comment", "QueryLanguage"]

    /// The fields only JSONPath states have; a JSONata state refuses them (Developer Guide,
    /// "Transforming data with JSONata in Step Functions": "JSONPath fields … are not supported").
    static let jsonPathOnlyFields: Set<String> = [
        "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Result", "ItemsPath", "SecondsPath", "TimestampPath",
        "TimeoutSecondsPath", "HeartbeatSecondsPath", "ErrorPath", "CausePath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
    ]
    /// The fields only JSONata states have; a JSONPath state refuses them.
    static let jsonataOnlyFields: Set<String> = ["Arguments", "Output", "Items"]
    /// The JSONata fields of each state type.
    static let jsonataFields: [String: Set<String>] = [
        "Task": ["Arguments", "Output"], "Pass": ["Output"], "Succeed": ["Output"], "Choice": ["Output"], "Wait": ["Output"],
        "Parallel": ["Arguments", "Output"], "Map": ["Items", "Output"],
    ]

    /// `QueryLanguage` must say `JSONPath` (the default) or `JSONata`.
    mutating func checkQueryLanguage(_ value: JSON?, at location: String) {
        guard let value, value != "JSONPath", value != "JSONata" else { return }
        problem(location, "must be \"JSONPath\" or \"JSONata\"")
    }

    /// A JSONata field value: JSON with `{% %}` expressions, each checked for syntax.
    mutating func query(_ json: JSON, at location: String) -> QueryTemplate {
        QueryTemplate.compile(json, at: location, problems: &problems)
    }

    /// A field that is a `{% %}` expression string in a JSONata state (a number given as text is refused).
    mutating func expressionField(_ json: JSON, at location: String) -> QueryTemplate? {
        guard let text = json.stringValue, QueryTemplate.expressionBody(text) != nil else {
            problem(location, "must be a number or a {% %} JSONata expression")
            return nil
        }
        return query(json, at: location)
    }

    /// A JSONata `Assign`: an object whose keys are variable names and whose values are JSON with expressions.
    mutating func queryAssignment(_ json: JSON, at location: String) -> Assignment? {
        guard case .object(let members) = json else {
            problem(location, "Assign must be a JSON object")
            return nil
        }
        for key in members.keys.sorted() {
            if let message = VariableName.problem(key) { problem(location + DefinitionProblem.member(key), message) }
        }
        return Assignment(template: nil, query: query(json, at: location), names: members.keys.sorted())
    }

    /// `Items`, `ItemSelector`, `MaxConcurrency` and the tolerances of a JSONata Map state.
    mutating func parseJSONataMap(_ fields: [String: JSON], into spec: inout MapSpec, at location: String) {
        if let items = fields["Items"] {
            if items.arrayValue == nil, items.stringValue.flatMap(QueryTemplate.expressionBody) == nil {
                problem(location + ".Items", "Items must be a JSON array or a {% %} JSONata expression")
            }
            spec.items = query(items, at: location + ".Items")
        }
        if let selector = fields["ItemSelector"] { spec.itemSelectorQuery = query(selector, at: location + ".ItemSelector") }
        if let value = fields["MaxConcurrency"] {
            if value.stringValue != nil {
                spec.maxConcurrencyQuery = expressionField(value, at: location + ".MaxConcurrency")
            } else if let count = value.intValue, count >= 0 {
                spec.maxConcurrency = count
            } else {
                problem(location + ".MaxConcurrency", "must be a non-negative integer")
            }
        }
        var numeric = fields
        for key in ["ToleratedFailureCount", "ToleratedFailurePercentage"] {
            guard let value = fields[key], value.stringValue != nil else { continue }
            numeric[key] = nil
            let parsed = expressionField(value, at: location + "." + key)
            if key == "ToleratedFailureCount" { spec.toleratedFailureCountQuery = parsed } else { spec.toleratedFailurePercentageQuery = parsed }
        }
        parseTolerance(numeric, into: &spec, at: location)
    }
    static let ioFields: Set<String> = ["InputPath", "OutputPath"]
    static let allowedFields: [String: Set<String>] = [
        "Task": ioFields.union([
            "Assign", "Next", "End", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Resource", "TimeoutSeconds",
            "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials",
        ]),
        "Pass": ioFields.union(["Assign", "Next", "End", "ResultPath", "Parameters", "Result"]),
        "Succeed": ioFields,
        "Fail": ["Error", "ErrorPath", "Cause", "CausePath"],
        "Choice": ioFields.union(["Assign", "Choices", "Default"]),
        "Wait": ioFields.union(["Assign", "Next", "End", "Seconds", "SecondsPath", "Timestamp", "TimestampPath"]),
        "Parallel": ioFields.union(["Assign", "Next", "End", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Branches"]),
        "Map": ioFields.union([
            "Assign", "Next", "End", "ResultPath", "Parameters", "ItemSelector", "ResultSelector", "Retry", "Catch", "Iterator",
            "ItemProcessor", "ItemsPath", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailureCountPath",
            "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ItemReader", "ItemBatcher", "ResultWriter", "Label",
        ]),
    ]

    /// `HeartbeatSeconds` must be a positive integer below `TimeoutSeconds`; `HeartbeatSecondsPath` a
    /// reference path; not both. Handlers report progress with ``TaskInvocation/sendHeartbeat``.
    mutating func parseHeartbeat(_ fields: [String: JSON], into spec: inout TaskSpec, at location: String) {
        if let heartbeat = fields["HeartbeatSeconds"] {
            if let seconds = heartbeat.intValue, seconds > 0 {
                spec.heartbeatSeconds = seconds
                if let timeout = spec.timeoutSeconds, seconds >= timeout {
                    problem(location + ".HeartbeatSeconds", "HeartbeatSeconds (\(seconds)) must be smaller than TimeoutSeconds (\(timeout))")
                }
            } else {
                problem(location + ".HeartbeatSeconds", "must be a positive integer")
            }
        }
        if fields["HeartbeatSecondsPath"] != nil {
            if fields["HeartbeatSeconds"] != nil { problem(location, "HeartbeatSeconds and HeartbeatSecondsPath are mutually exclusive") }
            spec.heartbeatSecondsPath = path(fields["HeartbeatSecondsPath"], at: location + ".HeartbeatSecondsPath", reference: true)
        }
    }

    /// `ToleratedFailureCount` (non-negative integer) and `ToleratedFailurePercentage` (0–100), or their `…Path` variants.
    mutating func parseTolerance(_ fields: [String: JSON], into spec: inout MapSpec, at location: String) {
        if let value = fields["ToleratedFailureCount"] {
            if let count = value.intValue, count >= 0 {
                spec.toleratedFailureCount = count
            } else {
                problem(location + ".ToleratedFailureCount", "must be a non-negative integer")
            }
        }
        if let value = fields["ToleratedFailurePercentage"] {
            if let percentage = value.doubleValue, (0...100).contains(percentage) {
                spec.toleratedFailurePercentage = percentage
            } else {
                problem(location + ".ToleratedFailurePercentage", "must be a number from 0 to 100")
            }
        }
        for key in ["ToleratedFailureCount", "ToleratedFailurePercentage"] where fields[key + "Path"] != nil {
            if fields[key] != nil { problem(location, "\(key) and \(key)Path are mutually exclusive") }
            let parsed = path(fields[key + "Path"], at: location + ".\(key)Path", reference: true)
            if key == "ToleratedFailureCount" { spec.toleratedFailureCountPath = parsed } else { spec.toleratedFailurePercentagePath = parsed }
        }
    }

    mutating func parseTransition(_ fields: [String: JSON], into node: inout StateNode, at location: String) {
        let next = fields["Next"]
        let end = fields["End"]
        if let end, end.boolValue == nil { problem(location + ".End", "End must be a boolean") }
        let isEnd = end?.boolValue == true
        switch (next, isEnd) {
        case (nil, false):
            problem(location, "a non-terminal state needs Next or \"End\": true")
        case (.some, true):
            problem(location, "Next and \"End\": true are mutually exclusive")
        case (.some(let value), false):
            if let name = value.stringValue { node.next = name } else { problem(location + ".Next", "Next must be a state name string") }
        case (nil, true):
            node.next = nil
        }
    }

    mutating func stringField(_ fields: [String: JSON], _ key: String, at location: String) -> String? {
        guard let value = fields[key] else { return nil }
        guard let text = value.stringValue else {
            problem(location + "." + key, "\(key) must be a string")
            return nil
        }
        return text
    }

    /// Parses a path field; an absent field means `$`, JSON `null` gives `nil`.
    mutating func path(_ value: JSON?, at location: String, reference: Bool) -> JSONPath? {
        guard let value else { return .identity }
        if value.isNull { return nil }
        guard let text = value.stringValue else {
            problem(location, "a path must be a string or null")
            return .identity
        }
        do {
            let parsed = try JSONPath.parse(text)
            if reference, !parsed.isReference {
                problem(location, "'\(text)' must be a reference path that selects one node (no wildcards, slices, unions, filters or '..')")
            }
            if reference, location.hasSuffix(".ResultPath"), parsed.root == .context {
                problem(location, "ResultPath cannot refer to the context object")
            }
            if location.hasSuffix(".ResultPath"), case .variable = parsed.root {
                problem(location, "ResultPath cannot refer to a variable; set variables with Assign")
            }
            return parsed
        } catch {
            problem(location, "invalid path '\(text)': \(error.message)")
            return .identity
        }
    }

    /// `ErrorPath`/`CausePath` of a Fail state: the ASL says their values "MUST be Reference Paths or
    /// Intrinsic Functions", as the Developer Guide's Fail state example
    /// `"CausePath": "States.Format('...', $.x)"` shows.
    mutating func failSource(_ value: JSON, at location: String) -> FailSpec.Source? {
        guard let text = value.stringValue else {
            problem(location, "must be a reference path or an intrinsic function string")
            return nil
        }
        if text.hasPrefix("$") { return path(value, at: location, reference: true).map(FailSpec.Source.path) }
        do {
            return .intrinsic(try IntrinsicCall.parse(text))
        } catch {
            problem(location, "invalid intrinsic function '\(text)': \(error.message)")
            return nil
        }
    }

    /// An `Assign` object: each key is a variable name, or a name ending in `.$` whose value is a path
    /// or an intrinsic function; names follow ``VariableName``.
    mutating func assignment(_ json: JSON, at location: String) -> Assignment? {
        guard case .object(let members) = json else {
            problem(location, "Assign must be a JSON object")
            return nil
        }
        var names: [String] = []
        for key in members.keys.sorted() {
            let name = key.hasSuffix(".$") ? String(key.dropLast(2)) : key
            if let message = VariableName.problem(name) { problem(location + DefinitionProblem.member(key), message) }
            if names.contains(name) { problem(location + DefinitionProblem.member(key), "the variable '\(name)' is assigned twice") }
            names.append(name)
        }
        guard let template = template(json, at: location) else { return nil }
        return Assignment(template: template, query: nil, names: names)
    }

    mutating func template(_ json: JSON, at location: String) -> PayloadTemplate? {
        guard case .object = json else {
            problem(location, "must be a JSON object")
            return nil
        }
        return PayloadTemplate.compile(json, at: location, problems: &problems)
    }

    // MARK: - Retry and Catch

    mutating func errorEquals(_ json: JSON?, at location: String) -> [String] {
        guard case .array(let values)? = json, !values.isEmpty else {
            problem(location, "ErrorEquals must be a non-empty array of error names")
            return []
        }
        let names = values.compactMap(\.stringValue)
        if names.count != values.count { problem(location, "ErrorEquals must contain only strings") }
        if names.contains(StatesErrors.all), names.count > 1 { problem(location, "States.ALL must appear alone in ErrorEquals") }
        return names
    }

    mutating func parseRetry(_ json: JSON?, at location: String) -> [Retrier] {
        guard let json else { return [] }
        guard case .array(let entries) = json else {
            problem(location, "Retry must be an array")
            return []
        }
        var retriers: [Retrier] = []
        for (index, entry) in entries.enumerated() {
            let here = location + "[\(index)]"
            var retrier = Retrier(errorEquals: errorEquals(entry["ErrorEquals"], at: here + ".ErrorEquals"))
            if retrier.errorEquals.contains(StatesErrors.all), index != entries.count - 1 {
                problem(here, "a retrier with States.ALL must be the last one")
            }
            if let value = entry["IntervalSeconds"] {
                if let seconds = value.intValue, seconds > 0 {
                    retrier.intervalSeconds = Double(seconds)
                } else {
                    problem(here + ".IntervalSeconds", "must be a positive integer")
                }
            }
            if let value = entry["MaxAttempts"] {
                if let attempts = value.intValue, attempts >= 0 {
                    retrier.maxAttempts = attempts
                } else {
                    problem(here + ".MaxAttempts", "must be a non-negative integer")
                }
            }
            if let value = entry["BackoffRate"] {
                if let rate = value.doubleValue, rate >= 1 {
                    retrier.backoffRate = rate
                } else {
                    problem(here + ".BackoffRate", "must be a number ≥ 1.0")
                }
            }
            if let value = entry["MaxDelaySeconds"] {
                if let seconds = value.intValue, seconds > 0 {
                    retrier.maxDelaySeconds = Double(seconds)
                } else {
                    problem(here + ".MaxDelaySeconds", "must be a positive integer")
                }
            }
            if let value = entry["JitterStrategy"] {
                if let jitter = value.stringValue.flatMap(Retrier.Jitter.init(rawValue:)) {
                    retrier.jitter = jitter
                } else {
                    problem(here + ".JitterStrategy", "must be \"FULL\" or \"NONE\"")
                }
            }
            for key in entry.objectValue?.keys.sorted() ?? []
            where !["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"].contains(key) {
                problem(here + DefinitionProblem.member(key), "field '\(key)' is not allowed in a retrier")
            }
            retriers.append(retrier)
        }
        return retriers
    }

    mutating func parseCatch(_ json: JSON?, at location: String, jsonata: Bool) -> [Catcher] {
        guard let json else { return [] }
        guard case .array(let entries) = json else {
            problem(location, "Catch must be an array")
            return []
        }
        var catchers: [Catcher] = []
        for (index, entry) in entries.enumerated() {
            let here = location + "[\(index)]"
            let names = errorEquals(entry["ErrorEquals"], at: here + ".ErrorEquals")
            if names.contains(StatesErrors.all), index != entries.count - 1 { problem(here, "a catcher with States.ALL must be the last one") }
            guard let next = entry["Next"]?.stringValue else {
                problem(here + ".Next", "a catcher needs a Next state name")
                continue
            }
            let resultPath = jsonata ? nil : path(entry["ResultPath"], at: here + ".ResultPath", reference: true)
            let assign = entry["Assign"].flatMap { jsonata ? queryAssignment($0, at: here + ".Assign") : assignment($0, at: here + ".Assign") }
            let output = jsonata ? entry["Output"].map { query($0, at: here + ".Output") } : nil
            let allowed: Set<String> = ["ErrorEquals", "Next", "Comment", "Assign", jsonata ? "Output" : "ResultPath"]
            for key in entry.objectValue?.keys.sorted() ?? [] where !allowed.contains(key) {
                if jsonata, key == "ResultPath" {
                    problem(here + ".ResultPath", "field 'ResultPath' is a JSONPath field and is not allowed in a JSONata state; use Output")
                } else {
                    problem(here + DefinitionProblem.member(key), "field '\(key)' is not allowed in a catcher")
                }
            }
            catchers.append(Catcher(errorEquals: names, resultPath: resultPath, next: next, assign: assign, output: output))
        }
        return catchers
    }

    // MARK: - Choice and Wait

    mutating func parseChoice(_ fields: [String: JSON], at location: String, jsonata: Bool) -> ChoiceSpec {
        var spec = ChoiceSpec(choices: [], defaultNext: nil)
        if let value = fields["Default"] {
            if let name = value.stringValue { spec.defaultNext = name } else { problem(location + ".Default", "Default must be a state name string") }
        }
        guard case .array(let rules)? = fields["Choices"], !rules.isEmpty else {
            problem(location + ".Choices", "a Choice state needs a non-empty Choices array")
            return spec
        }
        for (index, ruleJSON) in rules.enumerated() {
            let here = location + ".Choices[\(index)]"
            guard let next = ruleJSON["Next"]?.stringValue else {
                problem(here + ".Next", "a top-level choice rule needs a Next state name")
                continue
            }
            if jsonata {
                spec.choices.append(parseConditionRule(ruleJSON, next: next, at: here))
                continue
            }
            let assign = ruleJSON["Assign"].flatMap { assignment($0, at: here + ".Assign") }
            if ruleJSON["Condition"] != nil || ruleJSON["Output"] != nil {
                let key = ruleJSON["Condition"] != nil ? "Condition" : "Output"
                problem(here + "." + key, "field '\(key)' is only allowed in a JSONata state (\"QueryLanguage\": \"JSONata\")")
                continue
            }
            if let rule = parseRule(ruleJSON, at: here, topLevel: true) { spec.choices.append(.init(rule: rule, next: next, assign: assign)) }
        }
        return spec
    }

    /// A JSONata choice rule: `Condition` (a boolean or a `{% %}` expression), `Next`, and optional `Assign` and `Output`.
    mutating func parseConditionRule(_ json: JSON, next: String, at location: String) -> ChoiceSpec.Choice {
        var choice = ChoiceSpec.Choice(rule: nil, next: next)
        for key in json.objectValue?.keys.sorted() ?? [] where !["Condition", "Next", "Assign", "Output", "Comment"].contains(key) {
            problem(
                location + DefinitionProblem.member(key),
                key == "Variable" || ChoiceRule.operators[key] != nil || ["And", "Or", "Not"].contains(key)
                    ? "field '\(key)' is a JSONPath choice rule field and is not allowed in a JSONata state; use Condition"
                    : "field '\(key)' is not allowed in a choice rule"
            )
        }
        if let condition = json["Condition"] {
            if condition.boolValue == nil, condition.stringValue.flatMap(QueryTemplate.expressionBody) == nil {
                problem(location + ".Condition", "Condition must be a boolean or a {% %} JSONata expression")
            }
            choice.condition = query(condition, at: location + ".Condition")
        } else {
            problem(location + ".Condition", "a JSONata choice rule needs a Condition")
        }
        choice.assign = json["Assign"].flatMap { queryAssignment($0, at: location + ".Assign") }
        choice.output = json["Output"].map { query($0, at: location + ".Output") }
        return choice
    }

    mutating func parseRule(_ json: JSON, at location: String, topLevel: Bool) -> ChoiceRule? {
        guard case .object(var fields) = json else {
            problem(location, "a choice rule must be an object")
            return nil
        }
        fields["Comment"] = nil
        if topLevel {
            fields["Next"] = nil
            fields["Assign"] = nil
        } else if fields["Next"] != nil {
            problem(location + ".Next", "nested choice rules cannot have Next")
        }
        if let and = fields["And"] ?? fields["Or"] {
            let key = fields["And"] != nil ? "And" : "Or"
            guard fields.count == 1, case .array(let items) = and, !items.isEmpty else {
                problem(location + "." + key, "\(key) must be the only operator and a non-empty array of rules")
                return nil
            }
            let rules = items.enumerated().compactMap { parseRule($0.element, at: location + ".\(key)[\($0.offset)]", topLevel: false) }
            guard rules.count == items.count else { return nil }
            return key == "And" ? .and(rules) : .or(rules)
        }
        if let not = fields["Not"] {
            guard fields.count == 1 else {
                problem(location + ".Not", "Not must be the only operator")
                return nil
            }
            return parseRule(not, at: location + ".Not", topLevel: false).map(ChoiceRule.not)
        }
        guard let variableJSON = fields.removeValue(forKey: "Variable") else {
            problem(location, "a choice rule needs Variable and a comparison operator, or And, Or or Not")
            return nil
        }
        guard let variableText = variableJSON.stringValue else {
            problem(location + ".Variable", "Variable must be a valid path string")
            return nil
        }
        let variable: JSONPath
        do {
            variable = try JSONPath.parse(variableText)
        } catch {
            problem(location + ".Variable", "Variable must be a valid path: \(error.message)")
            return nil
        }
        guard fields.count == 1, let (key, operandJSON) = fields.first else {
            problem(location, "a choice rule needs exactly one comparison operator, found \(fields.keys.sorted())")
            return nil
        }
        let isPath = key.hasSuffix("Path") && ChoiceRule.operators[String(key.dropLast(4))]?.hasPathVariant == true
        guard let op = ChoiceRule.operators[isPath ? String(key.dropLast(4)) : key] else {
            problem(location + DefinitionProblem.member(key), "unknown comparison operator '\(key)'")
            return nil
        }
        if isPath {
            guard let text = operandJSON.stringValue else {
                problem(location + "." + key, "\(key) must be a valid path string")
                return nil
            }
            let operand: JSONPath
            do {
                operand = try JSONPath.parse(text)
            } catch {
                problem(location + "." + key, "\(key) must be a valid path: \(error.message)")
                return nil
            }
            return .compare(variable: variable, op: op, operand: .path(operand))
        }
        let valid: Bool
        switch op {
        case .equals(.string), .lessThan(.string), .greaterThan(.string), .lessThanEquals(.string), .greaterThanEquals(.string), .stringMatches:
            valid = operandJSON.stringValue != nil
        case .equals(.number), .lessThan(.number), .greaterThan(.number), .lessThanEquals(.number), .greaterThanEquals(.number):
            valid = operandJSON.doubleValue != nil
        case .equals(.timestamp), .lessThan(.timestamp), .greaterThan(.timestamp), .lessThanEquals(.timestamp), .greaterThanEquals(.timestamp):
            valid = operandJSON.stringValue.flatMap(Timestamps.parse) != nil
        default:
            valid = operandJSON.boolValue != nil
        }
        if !valid { problem(location + "." + key, "invalid operand \(operandJSON.text) for \(key)") }
        return .compare(variable: variable, op: op, operand: .value(operandJSON))
    }

    mutating func parseWait(_ fields: [String: JSON], at location: String, jsonata: Bool) -> WaitSpec {
        let present = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"].filter { fields[$0] != nil }
        guard present.count == 1, let key = present.first, let value = fields[key] else {
            problem(
                location,
                jsonata
                    ? "a Wait state needs exactly one of Seconds and Timestamp"
                    : "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath"
            )
            return WaitSpec(duration: .seconds(0))
        }
        if jsonata, let text = value.stringValue, QueryTemplate.expressionBody(text) != nil {
            let parsed = query(value, at: location + "." + key)
            return WaitSpec(duration: key == "Seconds" ? .secondsQuery(parsed) : .timestampQuery(parsed))
        }
        switch key {
        case "Seconds":
            guard let seconds = value.doubleValue, seconds >= 0 else {
                problem(location + ".Seconds", "must be a non-negative number")
                return WaitSpec(duration: .seconds(0))
            }
            return WaitSpec(duration: .seconds(seconds))
        case "Timestamp":
            guard let instant = value.stringValue.flatMap(Timestamps.parse) else {
                problem(location + ".Timestamp", "must be an RFC 3339 timestamp such as 2016-03-14T01:59:00Z")
                return WaitSpec(duration: .seconds(0))
            }
            return WaitSpec(duration: .timestamp(instant))
        default:
            let parsed = path(value, at: location + "." + key, reference: true) ?? .identity
            return WaitSpec(duration: key == "SecondsPath" ? .secondsPath(parsed) : .timestampPath(parsed))
        }
    }
}
