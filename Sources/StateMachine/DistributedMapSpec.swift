import InfraJSON

/// What a Map state whose `ItemProcessor.ProcessorConfig.Mode` is `DISTRIBUTED` adds to an inline
/// Map: where its items come from, how they are batched, where its results go, and how its child
/// executions run (Developer Guide, "Using Map state in Distributed mode",
/// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html).
struct DistributedMapSpec: Sendable {
    /// `ProcessorConfig.ExecutionType`: how each child workflow execution runs.
    enum ExecutionType: String, Sendable {
        /// A Standard child: its history has Step Functions' 25,000-event quota.
        case standard = "STANDARD"
        /// An Express child: no history quota.
        case express = "EXPRESS"
    }

    var executionType: ExecutionType
    /// `Label`: names the Map Run (its ARN) and the child state machine; defaults to the state name.
    var label: String?
    var reader: ItemReaderSpec?
    var batcher: ItemBatcherSpec?
    var writer: ResultWriterSpec?

    /// The most child executions a distributed Map runs at once: "up to 10,000 parallel child
    /// workflow executions" (state-map-distributed.html); `MaxConcurrency` 0 means this many.
    static let concurrencyLimit = 10_000
}

/// `ItemReader` (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html):
/// the items of a distributed Map read from one S3 object or from an S3 object listing.
struct ItemReaderSpec: Sendable {
    enum Source: Sendable, Equatable {
        /// `arn:aws:states:::s3:getObject` with `ReaderConfig.InputType`.
        case object(ItemFormat)
        /// `arn:aws:states:::s3:listObjectsV2`: one item per object under `Prefix`.
        case listing
    }

    var source: Source
    /// `ReaderConfig.MaxItems`: read at most this many items (0 or absent: all).
    var maxItems: Int?
    var maxItemsPath: JSONPath?
    var maxItemsQuery: QueryTemplate?
    /// JSONPath `Parameters`: `Bucket`, `Key` (getObject) or `Prefix` (listObjectsV2).
    var parameters: PayloadTemplate?
    /// JSONata `Arguments`, the same fields.
    var arguments: QueryTemplate?

    static let getObject = "arn:aws:states:::s3:getObject"
    static let listObjectsV2 = "arn:aws:states:::s3:listObjectsV2"
    /// ItemReader's quota: "MaxItems … up to 100,000,000".
    static let maxItemsLimit = 100_000_000
}

/// The formats of an object `ItemReader` reads (`ReaderConfig.InputType`).
enum ItemFormat: Sendable, Equatable {
    /// The object is one JSON array; each element is an item.
    case json
    /// JSON Lines: each non-empty line is one item.
    case jsonLines
    /// CSV: each row is an object from header to field text.
    case csv(CSVFormat)
}

/// `CSVHeaderLocation`, `CSVHeaders` and `CSVDelimiter`.
struct CSVFormat: Sendable, Equatable {
    /// The given headers (`GIVEN`), or `nil` to read them from the first row (`FIRST_ROW`).
    var headers: [String]?
    var delimiter: UInt8 = UInt8(ascii: ",")

    /// `CSVDelimiter` names: "COMMA (default), PIPE, SEMICOLON, SPACE, TAB" (input-output-itemreader.html).
    static let delimiters: [String: UInt8] = [
        "COMMA": UInt8(ascii: ","), "PIPE": UInt8(ascii: "|"), "SEMICOLON": UInt8(ascii: ";"), "SPACE": UInt8(ascii: " "),
        "TAB": UInt8(ascii: "\t"),
    ]
}

/// `ItemBatcher` (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html):
/// each child execution gets `{"Items": [...], "BatchInput": …}` instead of one item.
struct ItemBatcherSpec: Sendable {
    var maxItemsPerBatch: Int?
    var maxItemsPerBatchPath: JSONPath?
    var maxItemsPerBatchQuery: QueryTemplate?
    var maxInputBytesPerBatch: Int?
    var maxInputBytesPerBatchPath: JSONPath?
    var maxInputBytesPerBatchQuery: QueryTemplate?
    /// JSONPath `BatchInput` (a template with `.$` fields) …
    var batchInput: PayloadTemplate?
    /// … or JSONata `BatchInput`.
    var batchInputQuery: QueryTemplate?

    /// "MaxInputBytesPerBatch … up to 256 KiB": a batch is one child execution's input, and an
    /// execution input is at most 256 KiB.
    static let byteLimit = 262_144
}

/// `ResultWriter` (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html).
struct ResultWriterSpec: Sendable {
    /// `WriterConfig.Transformation`.
    enum Transformation: String, Sendable {
        /// The child execution's output with its metadata (ARN, name, input, dates, status).
        case none = "NONE"
        /// The child execution's output only.
        case compact = "COMPACT"
        /// The output only; an array output is spliced into the results.
        case flatten = "FLATTEN"
    }

    /// `WriterConfig.OutputType`.
    enum OutputType: String, Sendable {
        case json = "JSON"
        case jsonLines = "JSONL"
    }

    /// `nil`: NONE when exporting to the bucket, COMPACT otherwise ("Default when exporting … and
    /// WriterConfig is not specified" / "Default when ResultWriter is not specified").
    var transformation: Transformation?
    var outputType: OutputType = .json
    /// `Resource` and `Parameters`/`Arguments` given: the results go to the bucket.
    var exports: Bool { parameters != nil || arguments != nil }
    var parameters: PayloadTemplate?
    var arguments: QueryTemplate?

    static let putObject = "arn:aws:states:::s3:putObject"
}

extension DefinitionParser {
    /// The Map fields only a distributed Map has.
    static let distributedMapFields: Set<String> = ["ItemReader", "ItemBatcher", "ResultWriter", "Label"]

    /// `ItemProcessor.ProcessorConfig`: `Mode` INLINE (default) or DISTRIBUTED, and for DISTRIBUTED
    /// the required `ExecutionType`. Returns the execution type of a distributed Map, `nil` for inline.
    mutating func parseProcessorConfig(_ json: JSON?, at location: String) -> DistributedMapSpec.ExecutionType? {
        guard let json else { return nil }
        guard case .object(let fields) = json else {
            problem(location, "ProcessorConfig must be an object")
            return nil
        }
        for key in fields.keys.sorted() where key != "Mode" && key != "ExecutionType" {
            problem(location + DefinitionProblem.member(key), "field '\(key)' is not allowed in ProcessorConfig")
        }
        let mode = fields["Mode"]?.stringValue ?? (fields["Mode"] == nil ? "INLINE" : "")
        switch mode {
        case "INLINE":
            if fields["ExecutionType"] != nil {
                problem(location + ".ExecutionType", "ExecutionType is only allowed when Mode is DISTRIBUTED")
            }
            return nil
        case "DISTRIBUTED":
            guard let value = fields["ExecutionType"] else {
                problem(location + ".ExecutionType", "a DISTRIBUTED Map needs an ExecutionType (STANDARD or EXPRESS)")
                return .standard
            }
            guard let type = value.stringValue.flatMap(DistributedMapSpec.ExecutionType.init(rawValue:)) else {
                problem(location + ".ExecutionType", "ExecutionType must be \"STANDARD\" or \"EXPRESS\"")
                return .standard
            }
            return type
        default:
            problem(location + ".Mode", "Mode must be \"INLINE\" or \"DISTRIBUTED\"")
            return nil
        }
    }

    /// The fields of a distributed Map: `ItemReader`, `ItemBatcher`, `ResultWriter`, `Label`.
    mutating func parseDistributedMap(
        _ fields: [String: JSON],
        executionType: DistributedMapSpec.ExecutionType,
        at location: String,
        jsonata: Bool
    ) -> DistributedMapSpec {
        var spec = DistributedMapSpec(executionType: executionType)
        if let label = fields["Label"] {
            spec.label = parseLabel(label, at: location + ".Label")
            if let name = spec.label, !mapLabels.insert(name).inserted {
                problem(location + ".Label", "the Label '\(name)' is used by another Map state; labels must be unique within the state machine")
            }
        }
        if let reader = fields["ItemReader"] {
            spec.reader = parseItemReader(reader, at: location + ".ItemReader", jsonata: jsonata)
            for key in ["ItemsPath", "Items"] where fields[key] != nil {
                problem(location + "." + key, "\(key) and ItemReader are mutually exclusive: the items come from the ItemReader")
            }
        }
        if let batcher = fields["ItemBatcher"] { spec.batcher = parseItemBatcher(batcher, at: location + ".ItemBatcher", jsonata: jsonata) }
        if let writer = fields["ResultWriter"] { spec.writer = parseResultWriter(writer, at: location + ".ResultWriter", jsonata: jsonata) }
        if let value = fields["MaxConcurrency"]?.intValue, value > DistributedMapSpec.concurrencyLimit {
            problem(location + ".MaxConcurrency", "a distributed Map runs at most \(DistributedMapSpec.concurrencyLimit) child executions at once")
        }
        return spec
    }

    /// `Label`: "up to 40 characters … must be unique within the state machine definition and can't
    /// contain … whitespace, brackets < > { } [ ], wildcard characters ? *, special characters
    /// " # % \ ^ | ~ ` $ & , ; : /, control characters" (state-map-distributed.html).
    mutating func parseLabel(_ json: JSON, at location: String) -> String? {
        guard let label = json.stringValue, !label.isEmpty, label.unicodeScalars.count <= 40 else {
            problem(location, "Label must be a string of 1 to 40 characters")
            return nil
        }
        let forbidden = Set(" <>{}[]?*\"#%\\^|~`$&,;:/".unicodeScalars)
        if label.unicodeScalars.contains(where: { forbidden.contains($0) || $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }) {
            problem(location, "Label cannot contain whitespace, brackets, wildcards, control characters or any of \" # % \\ ^ | ~ ` $ & , ; : /")
        }
        return label
    }

    mutating func parseItemReader(_ json: JSON, at location: String, jsonata: Bool) -> ItemReaderSpec? {
        guard case .object(let fields) = json else {
            problem(location, "ItemReader must be an object")
            return nil
        }
        let argumentsKey = jsonata ? "Arguments" : "Parameters"
        for key in fields.keys.sorted() where !["Resource", "ReaderConfig", argumentsKey].contains(key) {
            let wrongLanguage = key == (jsonata ? "Parameters" : "Arguments")
            problem(
                location + DefinitionProblem.member(key),
                wrongLanguage
                    ? "use \(argumentsKey) in a \(jsonata ? "JSONata" : "JSONPath") state, not \(key)"
                    : "field '\(key)' is not allowed in an ItemReader"
            )
        }
        let config = fields["ReaderConfig"]?.objectValue ?? [:]
        if let value = fields["ReaderConfig"], value.objectValue == nil { problem(location + ".ReaderConfig", "ReaderConfig must be an object") }
        let source: ItemReaderSpec.Source
        switch fields["Resource"]?.stringValue {
        case ItemReaderSpec.getObject?:
            source = .object(parseInputType(config, at: location + ".ReaderConfig"))
        case ItemReaderSpec.listObjectsV2?:
            source = .listing
            if config["InputType"] != nil {
                problem(location + ".ReaderConfig.InputType", "an s3:listObjectsV2 ItemReader lists objects; InputType is for s3:getObject")
            }
        case nil:
            problem(location + ".Resource", "an ItemReader needs a Resource: \(ItemReaderSpec.getObject) or \(ItemReaderSpec.listObjectsV2)")
            return nil
        case let other?:
            problem(
                location + ".Resource",
                "unsupported ItemReader Resource '\(other)': use \(ItemReaderSpec.getObject) or \(ItemReaderSpec.listObjectsV2)"
            )
            return nil
        }
        var spec = ItemReaderSpec(source: source)
        let allowedConfig: Set<String> = ["InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter", "MaxItems", jsonata ? "" : "MaxItemsPath"]
        for key in config.keys.sorted() where !allowedConfig.contains(key) {
            problem(
                location + ".ReaderConfig" + DefinitionProblem.member(key),
                key == "MaxItemsPath"
                    ? "MaxItemsPath is a JSONPath field; use MaxItems with a {% %} expression" : "field '\(key)' is not allowed in ReaderConfig"
            )
        }
        if let value = config["MaxItems"] {
            if jsonata, value.stringValue != nil {
                spec.maxItemsQuery = expressionField(value, at: location + ".ReaderConfig.MaxItems")
            } else if let count = value.intValue, (0...ItemReaderSpec.maxItemsLimit).contains(count) {
                spec.maxItems = count
            } else {
                problem(location + ".ReaderConfig.MaxItems", "must be an integer from 0 to \(ItemReaderSpec.maxItemsLimit)")
            }
        }
        if !jsonata, config["MaxItemsPath"] != nil {
            if config["MaxItems"] != nil { problem(location + ".ReaderConfig", "MaxItems and MaxItemsPath are mutually exclusive") }
            spec.maxItemsPath = path(config["MaxItemsPath"], at: location + ".ReaderConfig.MaxItemsPath", reference: true)
        }
        let required = source == .listing ? ["Bucket"] : ["Bucket", "Key"]
        let allowedArguments: Set<String> = source == .listing ? ["Bucket", "Prefix"] : ["Bucket", "Key", "VersionId"]
        guard let arguments = fields[argumentsKey] else {
            problem(location + "." + argumentsKey, "an ItemReader needs \(argumentsKey) with \(required.joined(separator: " and "))")
            return spec
        }
        if case .object(let members) = arguments {
            let names = Set(members.keys.map { !jsonata && $0.hasSuffix(".$") ? String($0.dropLast(2)) : $0 })
            for name in required where !names.contains(name) {
                problem(location + "." + argumentsKey + "." + name, "the ItemReader's \(argumentsKey) need \(name)")
            }
            for key in members.keys.sorted() where !allowedArguments.contains(!jsonata && key.hasSuffix(".$") ? String(key.dropLast(2)) : key) {
                problem(
                    location + "." + argumentsKey + DefinitionProblem.member(key),
                    "field '\(key)' is not allowed in these ItemReader \(argumentsKey)"
                )
            }
        } else if !(jsonata && arguments.isObjectOrExpression) {
            problem(location + "." + argumentsKey, "\(argumentsKey) must be a JSON object\(jsonata ? " or a {% %} expression" : "")")
            return spec
        }
        if jsonata {
            spec.arguments = query(arguments, at: location + ".Arguments")
        } else {
            spec.parameters = template(arguments, at: location + ".Parameters")
        }
        return spec
    }

    /// `ReaderConfig.InputType` JSON, JSONL or CSV, with the CSV options.
    mutating func parseInputType(_ config: [String: JSON], at location: String) -> ItemFormat {
        let type = config["InputType"]?.stringValue
        if type != "CSV" {
            for key in ["CSVHeaderLocation", "CSVHeaders", "CSVDelimiter"] where config[key] != nil {
                problem(location + "." + key, "\(key) is only allowed when InputType is CSV")
            }
        }
        switch type {
        case "JSON":
            return .json
        case "JSONL":
            return .jsonLines
        case "CSV":
            var format = CSVFormat()
            switch config["CSVHeaderLocation"]?.stringValue ?? (config["CSVHeaderLocation"] == nil ? "FIRST_ROW" : "") {
            case "FIRST_ROW":
                if config["CSVHeaders"] != nil { problem(location + ".CSVHeaders", "CSVHeaders is only allowed when CSVHeaderLocation is GIVEN") }
            case "GIVEN":
                guard case .array(let values)? = config["CSVHeaders"], !values.isEmpty, values.allSatisfy({ $0.stringValue != nil }) else {
                    problem(location + ".CSVHeaders", "CSVHeaderLocation GIVEN needs CSVHeaders, a non-empty array of strings")
                    break
                }
                format.headers = values.compactMap(\.stringValue)
            default:
                problem(location + ".CSVHeaderLocation", "CSVHeaderLocation must be \"FIRST_ROW\" or \"GIVEN\"")
            }
            if let value = config["CSVDelimiter"] {
                if let delimiter = value.stringValue.flatMap({ CSVFormat.delimiters[$0] }) {
                    format.delimiter = delimiter
                } else {
                    problem(location + ".CSVDelimiter", "CSVDelimiter must be one of \(CSVFormat.delimiters.keys.sorted().joined(separator: ", "))")
                }
            }
            return .csv(format)
        case "MANIFEST", "PARQUET":
            problem(location + ".InputType", "InputType \(type!) is not supported by the local interpreter (JSON, JSONL and CSV are)")
            return .json
        case nil:
            problem(location + ".InputType", "an s3:getObject ItemReader needs ReaderConfig.InputType: JSON, JSONL or CSV")
            return .json
        default:
            problem(location + ".InputType", "InputType must be JSON, JSONL or CSV")
            return .json
        }
    }

    mutating func parseItemBatcher(_ json: JSON, at location: String, jsonata: Bool) -> ItemBatcherSpec? {
        guard case .object(let fields) = json else {
            problem(location, "ItemBatcher must be an object")
            return nil
        }
        var spec = ItemBatcherSpec()
        let counts = ["MaxItemsPerBatch", "MaxInputBytesPerBatch"]
        var allowed = Set(counts + ["BatchInput"])
        if !jsonata { allowed.formUnion(counts.map { $0 + "Path" }) }
        for key in fields.keys.sorted() where !allowed.contains(key) {
            problem(
                location + DefinitionProblem.member(key),
                key.hasSuffix("Path") && jsonata
                    ? "\(key) is a JSONPath field; use \(key.dropLast(4)) with a {% %} expression" : "field '\(key)' is not allowed in an ItemBatcher"
            )
        }
        if !counts.contains(where: { fields[$0] != nil || (!jsonata && fields[$0 + "Path"] != nil) }) {
            problem(location, "an ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path variants)")
        }
        for key in counts {
            let limit = key == "MaxInputBytesPerBatch" ? ItemBatcherSpec.byteLimit : Int.max
            var value: Int?
            var queryValue: QueryTemplate?
            if let json = fields[key] {
                if jsonata, json.stringValue != nil {
                    queryValue = expressionField(json, at: location + "." + key)
                } else if let number = json.intValue, number > 0, number <= limit {
                    value = number
                } else {
                    problem(location + "." + key, limit == Int.max ? "must be a positive integer" : "must be an integer from 1 to \(limit) (256 KiB)")
                }
            }
            var pathValue: JSONPath?
            if !jsonata, fields[key + "Path"] != nil {
                if fields[key] != nil { problem(location, "\(key) and \(key)Path are mutually exclusive") }
                pathValue = path(fields[key + "Path"], at: location + ".\(key)Path", reference: true)
            }
            if key == "MaxItemsPerBatch" {
                (spec.maxItemsPerBatch, spec.maxItemsPerBatchPath, spec.maxItemsPerBatchQuery) = (value, pathValue, queryValue)
            } else {
                (spec.maxInputBytesPerBatch, spec.maxInputBytesPerBatchPath, spec.maxInputBytesPerBatchQuery) = (value, pathValue, queryValue)
            }
        }
        if let input = fields["BatchInput"] {
            if jsonata {
                if !input.isObjectOrExpression { problem(location + ".BatchInput", "BatchInput must be a JSON object or a {% %} expression") }
                spec.batchInputQuery = query(input, at: location + ".BatchInput")
            } else {
                spec.batchInput = template(input, at: location + ".BatchInput")
            }
        }
        return spec
    }

    mutating func parseResultWriter(_ json: JSON, at location: String, jsonata: Bool) -> ResultWriterSpec? {
        guard case .object(let fields) = json else {
            problem(location, "ResultWriter must be an object")
            return nil
        }
        let argumentsKey = jsonata ? "Arguments" : "Parameters"
        for key in fields.keys.sorted() where !["Resource", "WriterConfig", argumentsKey].contains(key) {
            problem(location + DefinitionProblem.member(key), "field '\(key)' is not allowed in a ResultWriter")
        }
        var spec = ResultWriterSpec()
        // "The ResultWriter field cannot be empty. You must specify one of these sets of sub-fields:
        // WriterConfig; Resource and Parameters; all three" (input-output-resultwriter.html).
        let resource = fields["Resource"]
        let arguments = fields[argumentsKey]
        if resource == nil, arguments == nil, fields["WriterConfig"] == nil {
            problem(location, "a ResultWriter needs WriterConfig, or Resource and \(argumentsKey), or all three")
        }
        if let resource, resource.stringValue != ResultWriterSpec.putObject {
            problem(location + ".Resource", "the ResultWriter Resource must be \(ResultWriterSpec.putObject)")
        }
        if (resource == nil) != (arguments == nil) {
            problem(
                resource == nil ? location + ".Resource" : location + "." + argumentsKey,
                "a ResultWriter needs both Resource and \(argumentsKey) to export to a bucket"
            )
        }
        if let arguments {
            if case .object(let members) = arguments {
                let names = Set(members.keys.map { !jsonata && $0.hasSuffix(".$") ? String($0.dropLast(2)) : $0 })
                if !names.contains("Bucket") { problem(location + "." + argumentsKey + ".Bucket", "the ResultWriter's \(argumentsKey) need Bucket") }
                for key in members.keys.sorted()
                where !["Bucket", "Prefix"].contains(!jsonata && key.hasSuffix(".$") ? String(key.dropLast(2)) : key) {
                    problem(
                        location + "." + argumentsKey + DefinitionProblem.member(key),
                        "field '\(key)' is not allowed in the ResultWriter \(argumentsKey)"
                    )
                }
                if jsonata {
                    spec.arguments = query(arguments, at: location + ".Arguments")
                } else {
                    spec.parameters = template(arguments, at: location + ".Parameters")
                }
            } else if jsonata, arguments.isObjectOrExpression {
                spec.arguments = query(arguments, at: location + ".Arguments")
            } else {
                problem(location + "." + argumentsKey, "\(argumentsKey) must be a JSON object")
            }
        }
        if let config = fields["WriterConfig"] {
            guard case .object(let members) = config else {
                problem(location + ".WriterConfig", "WriterConfig must be an object")
                return spec
            }
            for key in members.keys.sorted() where key != "Transformation" && key != "OutputType" {
                problem(location + ".WriterConfig" + DefinitionProblem.member(key), "field '\(key)' is not allowed in WriterConfig")
            }
            if let value = members["Transformation"] {
                if let transformation = value.stringValue.flatMap(ResultWriterSpec.Transformation.init(rawValue:)) {
                    spec.transformation = transformation
                } else {
                    problem(location + ".WriterConfig.Transformation", "Transformation must be NONE, COMPACT or FLATTEN")
                }
            }
            if let value = members["OutputType"] {
                if let type = value.stringValue.flatMap(ResultWriterSpec.OutputType.init(rawValue:)) {
                    spec.outputType = type
                } else {
                    problem(location + ".WriterConfig.OutputType", "OutputType must be JSON or JSONL")
                }
            }
        }
        return spec
    }
}
