import Benchmark
import InfraJSON
import StateMachine

/// A loop of a Pass state (incrementing a counter with `States.MathAdd`) and a Choice state
/// (`NumericLessThan`): 50,000 rounds, 100,000 state transitions per execution.
private let loopDefinition = """
    {"StartAt":"Init","States":{
      "Init":{"Type":"Pass","Result":{"i":0},"Next":"Increment"},
      "Increment":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)"},"Next":"Check"},
      "Check":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericLessThan":50000,"Next":"Increment"}],"Default":"Done"},
      "Done":{"Type":"Succeed"}}}
    """

/// The same loop in JSONata: `Output` computes the counter, the Choice rule's `Condition` tests it.
private let jsonataLoopDefinition = """
    {"QueryLanguage":"JSONata","StartAt":"Init","States":{
      "Init":{"Type":"Pass","Output":{"i":0},"Next":"Increment"},
      "Increment":{"Type":"Pass","Output":{"i":"{% $states.input.i + 1 %}"},"Next":"Check"},
      "Check":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.i < 50000 %}","Next":"Increment"}],"Default":"Done"},
      "Done":{"Type":"Succeed"}}}
    """

/// A Map over 10,000 items whose iterator is a Choice and a Pass state (two transitions per item).
private let mapDefinition = """
    {"StartAt":"Fan","States":{"Fan":{"Type":"Map","ItemsPath":"$.items",
      "ItemSelector":{"value.$":"$$.Map.Item.Value","index.$":"$$.Map.Item.Index"},
      "ItemProcessor":{"StartAt":"Even","States":{
        "Even":{"Type":"Choice","Choices":[{"Variable":"$.value","NumericGreaterThanEquals":5000,"Next":"High"}],"Default":"Low"},
        "High":{"Type":"Pass","Parameters":{"band":"high","index.$":"$.index"},"End":true},
        "Low":{"Type":"Pass","Parameters":{"band":"low","index.$":"$.index"},"End":true}}},
      "End":true}}}
    """

/// The iterator of the 100,000-item Maps: a Choice and a Pass state (two transitions per item).
private let itemIterator = """
    "StartAt":"Even","States":{
      "Even":{"Type":"Choice","Choices":[{"Variable":"$.value","NumericGreaterThanEquals":50000,"Next":"High"}],"Default":"Low"},
      "High":{"Type":"Pass","Parameters":{"band":"high","index.$":"$.index"},"End":true},
      "Low":{"Type":"Pass","Parameters":{"band":"low","index.$":"$.index"},"End":true}}
    """

/// A distributed Map reading 100,000 items from a JSON Lines object in the bucket; each item runs as
/// an Express child execution, at most `maxConcurrency` at once (0: Step Functions' 10,000).
private func distributedMapDefinition(maxConcurrency: Int) -> String {
    """
    {"StartAt":"Fan","States":{"Fan":{"Type":"Map","MaxConcurrency":\(maxConcurrency),
      "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},
        "Parameters":{"Bucket":"bench","Key":"items.jsonl"}},
      "ItemSelector":{"value.$":"$$.Map.Item.Value.value","index.$":"$$.Map.Item.Index"},
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},\(itemIterator)},
      "End":true}}}
    """
}

/// The JSONPath inline equivalent: the same 100,000 items given as the input (at most 40 at once).
private let inlineMapDefinition = """
    {"StartAt":"Fan","States":{"Fan":{"Type":"Map","ItemsPath":"$.items",
      "ItemSelector":{"value.$":"$$.Map.Item.Value.value","index.$":"$$.Map.Item.Index"},
      "ItemProcessor":{\(itemIterator)},
      "End":true}}}
    """

private let hundredThousandItems = (0..<100_000).map { index -> JSON in ["value": .number(Double(index))] }

private func options() -> ExecutionOptions {
    ExecutionOptions(
        executionName: "bench",
        startTime: "2026-01-01T00:00:00.000Z",
        stateMachineName: "Bench",
        now: { "2026-01-01T00:00:00.000Z" },
        historyEventLimit: nil
    )
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .throughput],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(30),
        maxIterations: 10
    )

    // One iteration is one whole execution: 100,000 transitions. Transitions per second are
    // 100,000 × the reported throughput (executions per second).
    Benchmark("Pass/Choice loop, 100,000 transitions", configuration: configuration) { benchmark in
        let interpreter = Interpreter(definition: try StateMachineDefinition(parsing: loopDefinition), bindings: ResourceBindings([:]))
        benchmark.startMeasurement()
        let result = await interpreter.run(input: [:], options: options())
        benchmark.stopMeasurement()
        guard case .succeeded(let output) = result, output["i"] == 50_000 else { fatalError("unexpected result \(result)") }
        blackHole(output)
    }

    // The JSONata equivalent of the loop above: 100,000 transitions, two expressions per round.
    Benchmark("JSONata Pass/Choice loop, 100,000 transitions", configuration: configuration) { benchmark in
        let interpreter = Interpreter(definition: try StateMachineDefinition(parsing: jsonataLoopDefinition), bindings: ResourceBindings([:]))
        benchmark.startMeasurement()
        let result = await interpreter.run(input: [:], options: options())
        benchmark.stopMeasurement()
        guard case .succeeded(let output) = result, output["i"] == 50_000 else { fatalError("unexpected result \(result)") }
        blackHole(output)
    }

    // One iteration is one execution mapping 10,000 items (20,000 transitions inside the iterations).
    Benchmark("Map over 10,000 items", configuration: configuration) { benchmark in
        let interpreter = Interpreter(definition: try StateMachineDefinition(parsing: mapDefinition), bindings: ResourceBindings([:]))
        let input: JSON = ["items": .array((0..<10_000).map { .number(Double($0)) })]
        benchmark.startMeasurement()
        let result = await interpreter.run(input: input, options: options())
        benchmark.stopMeasurement()
        guard case .succeeded(.array(let outputs)) = result, outputs.count == 10_000 else { fatalError("unexpected result") }
        blackHole(outputs)
    }

    // One iteration is one execution: the ItemReader parses the 100,000-line JSON Lines object from
    // an in-memory bucket and 100,000 child executions run (200,000 transitions inside them), with
    // the default concurrency (10,000 children at once) and with MaxConcurrency 1,000.
    for (maxConcurrency, name) in [(0, "Distributed Map over 100,000 JSONL items from the bucket"), (1_000, "Distributed Map, MaxConcurrency 1,000")]
    {
        Benchmark(name, configuration: configuration) { benchmark in
            let lines = hundredThousandItems.map { $0.text + "\n" }.joined()
            let storage = InMemoryBucketStorage(objects: ["bench": ["items.jsonl": Array(lines.utf8)]])
            let interpreter = Interpreter(
                definition: try StateMachineDefinition(parsing: distributedMapDefinition(maxConcurrency: maxConcurrency)),
                bindings: ResourceBindings([:]),
                storage: storage
            )
            benchmark.startMeasurement()
            let result = await interpreter.run(input: [:], options: options())
            benchmark.stopMeasurement()
            guard case .succeeded(.array(let outputs)) = result, outputs.count == 100_000 else { fatalError("unexpected result \(result)") }
            blackHole(outputs)
        }
    }

    // The JSONPath inline Map over the same 100,000 items given as the execution input.
    Benchmark("Inline Map over the same 100,000 items as input", configuration: configuration) { benchmark in
        let interpreter = Interpreter(definition: try StateMachineDefinition(parsing: inlineMapDefinition), bindings: ResourceBindings([:]))
        let input: JSON = ["items": .array(hundredThousandItems)]
        benchmark.startMeasurement()
        let result = await interpreter.run(input: input, options: options())
        benchmark.stopMeasurement()
        guard case .succeeded(.array(let outputs)) = result, outputs.count == 100_000 else { fatalError("unexpected result") }
        blackHole(outputs)
    }
}
