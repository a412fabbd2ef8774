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
}
