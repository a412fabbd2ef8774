import InfraJSON
import Synchronization

/// Counts the Map Runs of each distributed Map state of one execution, so that each run (a Map in
/// a loop runs again) has an id of its own.
final class MapRunCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// The number of runs `state` had before this one.
    func next(_ state: String) -> Int {
        counts.withLock { counts in
            let count = counts[state, default: 0]
            counts[state] = count + 1
            return count
        }
    }
}

/// One Map Run: the execution of a distributed Map state, as Step Functions names it
/// (`arn:aws:states:…:mapRun:<state machine>/<label>:<id>`).
struct MapRun: Sendable {
    var id: String
    var arn: String
    var executionType: DistributedMapSpec.ExecutionType
    /// `$$.StateMachine.Id` of the child executions: `<state machine ARN>/<label>`.
    var childStateMachineID: String
    var childStateMachineName: String
    /// What a child's name is appended to for its execution ARN.
    var childExecutionPrefix: String
}

/// What one child execution did, for the `ResultWriter` files.
struct ChildExecutionRecord: Sendable {
    enum Outcome: Sendable {
        case succeeded(JSON)
        case failed(ExecutionError)
        case aborted
    }

    var name: String
    var arn: String
    var input: JSON
    var startDate: String
    var stopDate: String
    var outcome: Outcome
}

/// The records of a Map Run's child executions, filled in by the children as they finish.
final class ChildRecords: Sendable {
    private let records: Mutex<[ChildExecutionRecord?]>

    init(count: Int) { records = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ record: ChildExecutionRecord) { records.withLock { $0[index] = record } }

    var all: [ChildExecutionRecord?] { records.withLock { $0 } }
}

extension ExecutionRun {
    /// The cause when a distributed Map needs buckets and the interpreter was given none.
    static let noStorageCause =
        "This interpreter has no bucket storage for the distributed Map's ItemReader or ResultWriter "
        + "(Interpreter(storage:); `infra-monitor states run` needs --data-dir DIR, whose objects/<bucket> folders are the buckets)"

    /// One attempt of a distributed Map state, JSONPath or JSONata (Developer Guide, "Using Map state
    /// in Distributed mode", https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html):
    /// the items come from `ItemReader` (or the input as for an inline Map), go through `ItemSelector`
    /// and `ItemBatcher`, and each item or batch runs as a child execution of its own (own context
    /// object, own history with its own event quota, no access to the parent's variables), at most
    /// `MaxConcurrency` (up to 10,000) at once. Failures count against the tolerated threshold; the
    /// state fails with `States.ExceedToleratedFailureThreshold` beyond it. With a `ResultWriter` the
    /// results go to the bucket and the state's result is the `ResultWriterDetails` object.
    func attemptDistributedMap(
        _ state: StateNode,
        _ spec: MapSpec,
        _ distributed: DistributedMapSpec,
        input: JSON,
        entered: String,
        retryCount: Int,
        cursor: EventCursor,
        variables: [String: JSON]
    ) async throws(ExecutionError) -> StateExit {
        let jsonata = state.isJSONata
        let context = context(state: state.name, entered: entered, retryCount: retryCount)
        let effective = jsonata ? input : try DataFlow.applyInputPath(state.inputPath, to: input, context: context, variables: variables)
        var states: [String: JSON] = ["input": input, "context": context]
        let scope = MapScope(jsonata: jsonata, effective: effective, context: context, states: .object(states), variables: variables)
        if distributed.writer?.exports == true, storage == nil { throw ExecutionError(StatesErrors.resultWriterFailed, Self.noStorageCause) }

        var items: [JSON]
        if let reader = distributed.reader {
            items = try await readItems(reader, scope: scope)
        } else if jsonata {
            let value = try spec.items?.evaluate(states: scope.states, variables: variables, field: "Items") ?? input
            guard case .array(let array) = value else {
                throw ExecutionError(
                    spec.items == nil ? StatesErrors.runtime : StatesErrors.queryEvaluationError,
                    "The Map state's items (\(spec.items == nil ? "$states.input" : "Items")) are \(value.typeName), not an array"
                )
            }
            items = array
        } else {
            guard case .array(let array)? = spec.itemsPath.select(input: effective, context: context, variables: variables) else {
                throw ExecutionError.runtime("The ItemsPath '\(spec.itemsPath.text)' did not select an array in '\(effective.text)'")
            }
            items = array
        }
        let (maxConcurrency, tolerance) = try limits(spec, scope: scope)

        var selected: [JSON] = []
        selected.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let mapItem: JSON = ["Index": .number(Double(index)), "Value": item]
            if jsonata, let selector = spec.itemSelectorQuery {
                let itemContext = self.context(state: state.name, entered: entered, retryCount: retryCount, mapItem: mapItem)
                selected.append(try selector.evaluate(states: ["input": input, "context": itemContext], variables: variables, field: "ItemSelector"))
            } else if !jsonata, let selector = spec.itemSelector {
                let itemContext = self.context(state: state.name, entered: entered, retryCount: retryCount, mapItem: mapItem)
                selected.append(try selector.evaluate(input: effective, context: itemContext, variables: variables))
            } else {
                selected.append(item)
            }
        }
        // Only the selected items are needed from here on; at 100,000 items the copies count.
        items.removeAll()
        var childInputs = selected
        if let batcher = distributed.batcher {
            childInputs = try batches(selected, batcher, scope: scope)
            selected.removeAll()
        }

        let run = mapRun(state, distributed)
        cursor.last = await recorder.emit(
            "MapStateStarted",
            previous: cursor.last,
            state: state.name,
            details: ["length": .number(Double(childInputs.count))]
        )
        cursor.last = await recorder.emit("MapRunStarted", previous: cursor.last, state: state.name, details: ["mapRunArn": .string(run.arn)])
        let records = ChildRecords(count: childInputs.count)
        // Without a ResultWriter only a failed child's metadata is ever shown (COMPACT keeps
        // failures unchanged), so a succeeded child keeps just its output.
        let keepSucceededMetadata = distributed.writer != nil
        let iterator = spec.iterator
        let (_, failure, _) = await runConcurrently(
            childInputs.map { (iterator, $0) },
            limit: min(maxConcurrency == 0 ? DistributedMapSpec.concurrencyLimit : maxConcurrency, DistributedMapSpec.concurrencyLimit),
            previous: cursor.last,
            tolerance: tolerance
        ) { index, branch, childInput in
            var record = await runChild(branch, input: childInput, index: index, run: run)
            if !keepSucceededMetadata, case .succeeded = record.outcome {
                record = ChildExecutionRecord(name: "", arn: "", input: .null, startDate: "", stopDate: "", outcome: record.outcome)
            }
            records.set(index, record)
            switch record.outcome {
            case .succeeded(let output): return .succeeded(output, last: 0)
            case .failed(let error): return .failed(error, last: 0)
            case .aborted: return .cancelled
            }
        }
        let result: JSON
        do throws(ExecutionError) {
            result = try await mapRunResult(distributed.writer, records: records.all, inputs: childInputs, run: run, scope: scope)
        } catch {
            cursor.last = await recorder.emit(
                "MapRunFailed",
                previous: cursor.last,
                state: state.name,
                details: ["error": .string(error.error), "cause": .string(error.cause)]
            )
            try await recordFanOut("Map", state, failure: failure ?? error, cursor: cursor)
            throw error
        }
        if let failure {
            cursor.last = await recorder.emit(
                "MapRunFailed",
                previous: cursor.last,
                state: state.name,
                details: ["error": .string(failure.error), "cause": .string(failure.cause)]
            )
        } else {
            cursor.last = await recorder.emit("MapRunSucceeded", previous: cursor.last, state: state.name, details: ["mapRunArn": .string(run.arn)])
        }
        guard jsonata else {
            return try await finishFanOut(
                "Map",
                state,
                result: result,
                failure: failure,
                input: input,
                context: context,
                cursor: cursor,
                variables: variables
            )
        }
        try await recordFanOut("Map", state, failure: failure, cursor: cursor)
        states["result"] = result
        let assigned = try state.assign?.evaluate(states: .object(states), variables: variables) ?? [:]
        let output = try state.output?.evaluate(states: .object(states), variables: variables, field: "Output") ?? result
        return StateExit(output: output, assigned: assigned)
    }

    /// What a distributed Map's fields are evaluated against: the effective input and context
    /// (JSONPath) or `$states` (JSONata), and the variables at state entry.
    struct MapScope {
        var jsonata: Bool
        var effective: JSON
        var context: JSON
        var states: JSON
        var variables: [String: JSON]

        /// A JSONPath `Parameters`-style template or a JSONata `Arguments`-style query, whichever the state has.
        func evaluate(_ template: PayloadTemplate?, _ query: QueryTemplate?, field: String) throws(ExecutionError) -> JSON? {
            if let template { return try template.evaluate(input: effective, context: context, variables: variables) }
            if let query { return try query.evaluate(states: states, variables: variables, field: field) }
            return nil
        }

        /// A count from a fixed value, a reference path (JSONPath) or an expression (JSONata).
        func count(_ fixed: Int?, _ path: JSONPath?, _ query: QueryTemplate?, field: String) throws(ExecutionError) -> Int? {
            if let path {
                guard let value = path.select(input: effective, context: context, variables: variables)?.intValue, value >= 0 else {
                    throw ExecutionError.runtime("The \(field)Path '\(path.text)' did not select a non-negative integer in '\(effective.text)'")
                }
                return value
            }
            if let query {
                let value = try query.evaluate(states: states, variables: variables, field: field)
                guard let number = value.intValue, number >= 0 else {
                    throw ExecutionError(
                        StatesErrors.queryEvaluationError,
                        "The JSONata expression of the field '\(field)' returned \(value.text), not a non-negative integer"
                    )
                }
                return number
            }
            return fixed
        }
    }

    /// `MaxConcurrency` and the failure tolerance. A distributed Map tolerates no failure by
    /// default, and any failure beyond the tolerance is `States.ExceedToleratedFailureThreshold`.
    private func limits(_ spec: MapSpec, scope: MapScope) throws(ExecutionError) -> (Int, FailureTolerance) {
        var tolerance: FailureTolerance
        if scope.jsonata {
            tolerance = FailureTolerance(count: spec.toleratedFailureCount, percentage: spec.toleratedFailurePercentage)
            if let count = try scope.count(nil, nil, spec.toleratedFailureCountQuery, field: "ToleratedFailureCount") { tolerance.count = count }
            if let query = spec.toleratedFailurePercentageQuery {
                let value = try query.evaluate(states: scope.states, variables: scope.variables, field: "ToleratedFailurePercentage")
                guard let percentage = value.doubleValue, (0...100).contains(percentage) else {
                    throw ExecutionError(StatesErrors.queryEvaluationError, "ToleratedFailurePercentage must be from 0 to 100, got \(value.text)")
                }
                tolerance.percentage = percentage
            }
        } else {
            tolerance = try spec.tolerance(input: scope.effective, context: scope.context, variables: scope.variables)
        }
        if !tolerance.isSet { tolerance.count = 0 }
        let concurrency = try scope.count(spec.maxConcurrency, spec.maxConcurrencyPath, spec.maxConcurrencyQuery, field: "MaxConcurrency") ?? 0
        return (concurrency, tolerance)
    }

    /// The items an `ItemReader` reads (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html).
    /// - Throws: `States.ItemReaderFailed` when the bucket or object is missing or the object does
    ///   not parse in its `InputType`.
    func readItems(_ reader: ItemReaderSpec, scope: MapScope) async throws(ExecutionError) -> [JSON] {
        let arguments = try scope.evaluate(reader.parameters, reader.arguments, field: "Arguments") ?? [:]
        guard let bucket = arguments["Bucket"]?.stringValue else {
            throw ExecutionError(StatesErrors.itemReaderFailed, "The ItemReader's Bucket is not a string in \(arguments.text)")
        }
        let maxItems = try scope.count(reader.maxItems, reader.maxItemsPath, reader.maxItemsQuery, field: "MaxItems")
        let limit = maxItems == 0 ? nil : maxItems
        guard let storage else { throw ExecutionError(StatesErrors.itemReaderFailed, Self.noStorageCause) }
        switch reader.source {
        case .listing:
            let prefix = arguments["Prefix"]?.stringValue ?? ""
            do {
                let objects = try await storage.listObjects(bucket: bucket, prefix: prefix)
                return (limit.map { Array(objects.prefix($0)) } ?? objects).map(ItemParser.listingItem)
            } catch {
                throw ExecutionError(StatesErrors.itemReaderFailed, "Listing s3://\(bucket)/\(prefix) failed: \(error)")
            }
        case .object(let format):
            guard let key = arguments["Key"]?.stringValue else {
                throw ExecutionError(StatesErrors.itemReaderFailed, "The ItemReader's Key is not a string in \(arguments.text)")
            }
            let bytes: [UInt8]
            do {
                bytes = try await storage.getObject(bucket: bucket, key: key)
            } catch {
                throw ExecutionError(StatesErrors.itemReaderFailed, "Reading s3://\(bucket)/\(key) failed: \(error)")
            }
            do {
                return try ItemParser.items(bytes, format: format, limit: limit)
            } catch {
                throw ExecutionError(StatesErrors.itemReaderFailed, "Reading s3://\(bucket)/\(key): \(error.message)")
            }
        }
    }

    /// Groups items into batch inputs `{"Items": [...], "BatchInput": …}` of at most
    /// `MaxItemsPerBatch` items and `MaxInputBytesPerBatch` bytes of JSON text (and never more
    /// than 256 KiB) (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html).
    /// - Throws: `States.Runtime` when one item alone is larger than the byte limit.
    func batches(_ items: [JSON], _ batcher: ItemBatcherSpec, scope: MapScope) throws(ExecutionError) -> [JSON] {
        let maxItems =
            try scope.count(batcher.maxItemsPerBatch, batcher.maxItemsPerBatchPath, batcher.maxItemsPerBatchQuery, field: "MaxItemsPerBatch")
            .flatMap { $0 > 0 ? $0 : nil } ?? Int.max
        let maxBytes = min(
            try scope.count(
                batcher.maxInputBytesPerBatch,
                batcher.maxInputBytesPerBatchPath,
                batcher.maxInputBytesPerBatchQuery,
                field: "MaxInputBytesPerBatch"
            ).flatMap { $0 > 0 ? $0 : nil } ?? ItemBatcherSpec.byteLimit,
            ItemBatcherSpec.byteLimit
        )
        let batchInput = try scope.evaluate(batcher.batchInput, batcher.batchInputQuery, field: "BatchInput")
        let emptySize = #"{"Items":[]}"#.utf8.count + (batchInput.map { #","BatchInput":"#.utf8.count + $0.text.utf8.count } ?? 0)
        var batches: [JSON] = []
        var current: [JSON] = []
        var size = emptySize
        func flush() {
            guard !current.isEmpty else { return }
            var batch: [String: JSON] = ["Items": .array(current)]
            if let batchInput { batch["BatchInput"] = batchInput }
            batches.append(.object(batch))
            current = []
            size = emptySize
        }
        for (index, item) in items.enumerated() {
            let itemSize = item.text.utf8.count
            if !current.isEmpty, current.count >= maxItems || size + 1 + itemSize > maxBytes { flush() }
            guard size + itemSize <= maxBytes else {
                throw ExecutionError.runtime(
                    "Item \(index) is \(itemSize) bytes of JSON, too large for a batch of at most \(maxBytes) bytes (MaxInputBytesPerBatch)"
                )
            }
            size += itemSize + (current.isEmpty ? 0 : 1)
            current.append(item)
        }
        flush()
        return batches
    }

    /// Names a new Map Run of `state`: ids are name-based UUIDs of the execution, the state and the
    /// run's number, so a run with the same execution id has the same Map Run ids.
    func mapRun(_ state: StateNode, _ distributed: DistributedMapSpec) -> MapRun {
        let label = distributed.label ?? state.name
        let id = Self.nameUUID("\(options.resolvedExecutionID)/\(state.name)/\(mapRuns.next(state.name))")
        let machine = options.resolvedStateMachineID
        let marker = ":stateMachine:"
        let markerStart = machine.indices.first { machine[$0...].hasPrefix(marker) }
        func replacing(_ kind: String) -> String {
            guard let markerStart else { return "arn:aws:states:local:000000000000:\(kind):\(options.stateMachineName)/\(label)" }
            return machine[..<markerStart] + ":\(kind):" + machine[machine.index(markerStart, offsetBy: marker.count)...] + "/" + label
        }
        let executionPrefix =
            distributed.executionType == .express ? replacing("express") + ":" + id + ":" : replacing("execution") + ":"
        return MapRun(
            id: id,
            arn: replacing("mapRun") + ":" + id,
            executionType: distributed.executionType,
            childStateMachineID: machine + "/" + label,
            childStateMachineName: options.stateMachineName + "/" + label,
            childExecutionPrefix: executionPrefix
        )
    }

    /// Runs one child execution of a Map Run with its own context object, history and event quota
    /// (none for an Express child); its events go to ``ExecutionOptions/onChildExecutionEvent``.
    func runChild(_ branch: Branch, input: JSON, index: Int, run: MapRun) async -> ChildExecutionRecord {
        let name = Self.nameUUID("\(run.id):\(index)")
        let arn = run.childExecutionPrefix + name
        var childOptions = options
        childOptions.executionName = name
        childOptions.executionID = arn
        childOptions.stateMachineName = run.childStateMachineName
        childOptions.stateMachineID = run.childStateMachineID
        childOptions.startTime = options.now()
        if run.executionType == .express { childOptions.historyEventLimit = nil }
        let recorder: EventRecorder
        if let handler = options.onChildExecutionEvent {
            recorder = EventRecorder(now: options.now) { event in await handler(arn, event) }
        } else {
            recorder = EventRecorder(now: options.now)
        }
        let child = ExecutionRun(bindings: bindings, options: childOptions, recorder: recorder, executionInput: input, storage: storage)
        let started = await recorder.emit(
            "ExecutionStarted",
            previous: 0,
            details: ["input": .string(input.text), "stateMachineArn": .string(run.childStateMachineID)]
        )
        let outcome = await child.runBranch(branch, input: input, previous: started)
        let recordOutcome: ChildExecutionRecord.Outcome
        switch outcome {
        case .succeeded(let output, let last):
            await recorder.emit("ExecutionSucceeded", previous: last, details: ["output": .string(output.text)])
            recordOutcome = .succeeded(output)
        case .failed(let error, let last):
            await recorder.emit("ExecutionFailed", previous: last, details: ["error": .string(error.error), "cause": .string(error.cause)])
            recordOutcome = .failed(error)
        case .cancelled:
            await recorder.emit("ExecutionAborted", previous: started, details: [:])
            recordOutcome = .aborted
        }
        await recorder.finish()
        return ChildExecutionRecord(
            name: name,
            arn: arn,
            input: input,
            startDate: childOptions.startTime,
            stopDate: options.now(),
            outcome: recordOutcome
        )
    }

    /// The state's result from the children's records, writing the `ResultWriter` files when it exports:
    /// `<Prefix>/<map run id>/SUCCEEDED_0.json`, `FAILED_0.json`, `PENDING_0.json` (each only when it
    /// has entries) and `manifest.json`; the result is then `{"MapRunArn", "ResultWriterDetails":
    /// {"Bucket", "Key"}}` (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html).
    /// Without an export the result is the array of transformed outputs in item order.
    /// - Throws: `States.ResultWriterFailed` when writing fails.
    func mapRunResult(
        _ writer: ResultWriterSpec?,
        records: [ChildExecutionRecord?],
        inputs: [JSON],
        run: MapRun,
        scope: MapScope
    ) async throws(ExecutionError) -> JSON {
        let exports = writer?.exports ?? false
        let transformation = writer?.transformation ?? (exports ? .none : .compact)
        func transformed(_ record: ChildExecutionRecord) -> [JSON] {
            guard case .succeeded(let output) = record.outcome, transformation != .none else { return [entry(record, run: run)] }
            if transformation == .flatten, case .array(let elements) = output { return elements }
            return [output]
        }
        guard exports, let writer else {
            return .array(records.flatMap { $0.map(transformed) ?? [] })
        }
        let arguments = try scope.evaluate(writer.parameters, writer.arguments, field: "Arguments") ?? [:]
        guard let bucket = arguments["Bucket"]?.stringValue else {
            throw ExecutionError(StatesErrors.resultWriterFailed, "The ResultWriter's Bucket is not a string in \(arguments.text)")
        }
        guard let storage else { throw ExecutionError(StatesErrors.resultWriterFailed, Self.noStorageCause) }
        let prefix = arguments["Prefix"]?.stringValue ?? ""
        let folder = (prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/") + run.id + "/"
        var succeeded: [JSON] = []
        var failed: [JSON] = []
        var pending: [JSON] = []
        for (index, record) in records.enumerated() {
            guard let record else {
                pending.append(["Input": .string(inputs[index].text), "InputDetails": ["Included": true], "Status": "PENDING"])
                continue
            }
            if case .succeeded = record.outcome { succeeded.append(contentsOf: transformed(record)) } else { failed.append(entry(record, run: run)) }
        }
        var files: [String: JSON] = ["FAILED": [], "PENDING": [], "SUCCEEDED": []]
        let fileExtension = writer.outputType == .json ? "json" : "jsonl"
        for (status, entries) in [("SUCCEEDED", succeeded), ("FAILED", failed), ("PENDING", pending)] where !entries.isEmpty {
            let key = folder + status + "_0." + fileExtension
            let text = writer.outputType == .json ? JSON.array(entries).text : entries.map { $0.text + "\n" }.joined()
            let body = Array(text.utf8)
            try await put(storage, bucket: bucket, key: key, body: body)
            files[status] = [["Key": .string(key), "Size": .number(Double(body.count))]]
        }
        let manifestKey = folder + "manifest.json"
        let manifest: JSON = ["DestinationBucket": .string(bucket), "MapRunArn": .string(run.arn), "ResultFiles": .object(files)]
        try await put(storage, bucket: bucket, key: manifestKey, body: Array(manifest.text.utf8))
        return ["MapRunArn": .string(run.arn), "ResultWriterDetails": ["Bucket": .string(bucket), "Key": .string(manifestKey)]]
    }

    private func put(_ storage: any BucketStorage, bucket: String, key: String, body: [UInt8]) async throws(ExecutionError) {
        do {
            try await storage.putObject(bucket: bucket, key: key, body: body)
        } catch {
            throw ExecutionError(StatesErrors.resultWriterFailed, "Writing s3://\(bucket)/\(key) failed: \(error)")
        }
    }

    /// A child execution as the `NONE` transformation writes it: its output (or error and cause)
    /// with the execution's metadata, as the ResultWriter page's example shows.
    func entry(_ record: ChildExecutionRecord, run: MapRun) -> JSON {
        var members: [String: JSON] = [
            "ExecutionArn": .string(record.arn), "Input": .string(record.input.text), "InputDetails": ["Included": true],
            "Name": .string(record.name), "RedriveCount": 0, "RedriveStatus": "NOT_REDRIVABLE", "StartDate": .string(record.startDate),
            "StateMachineArn": .string(run.childStateMachineID), "StopDate": .string(record.stopDate),
        ]
        let status: String
        switch record.outcome {
        case .succeeded(let output):
            status = "SUCCEEDED"
            members["Output"] = .string(output.text)
            members["OutputDetails"] = ["Included": true]
        case .failed(let error):
            status = "FAILED"
            members["Error"] = .string(error.error)
            members["Cause"] = .string(error.cause)
        case .aborted:
            status = "ABORTED"
        }
        members["Status"] = .string(status)
        members["RedriveStatusReason"] =
            run.executionType == .express
            ? "Execution is EXPRESS and cannot be redriven"
            : status == "SUCCEEDED" ? "Execution is SUCCEEDED and cannot be redriven" : "Redrive is not supported by the local interpreter"
        return .object(members)
    }

    /// A name-based UUID (MD5, version 3 layout) of `text`: stable ids for Map Runs and child executions.
    static func nameUUID(_ text: String) -> String {
        var bytes = Digests.md5(Array(text.utf8))
        bytes[6] = (bytes[6] & 0x0f) | 0x30
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
