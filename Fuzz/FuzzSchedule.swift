import InfraMonitorCore

/// libFuzzer entry point: the bytes are a schedule expression. A parsed expression must print
/// as an expression that parses to the same schedule, and its next fire times must increase.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSchedule(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let expression: ScheduleExpression
    do {
        expression = try ScheduleExpression(parsing: text)
    } catch {
        if "\(error)".isEmpty { fatalError("a refused expression must say why") }
        return 0
    }
    guard let again = try? ScheduleExpression(parsing: expression.description) else {
        fatalError("printed schedule does not parse: \(expression.description)")
    }
    if again != expression { fatalError("schedule changed in a print/parse round trip: \(expression.description)") }
    let start = Timestamp(seconds: 1_764_633_600)
    var previous = start
    for time in expression.nextN(5, after: start) {
        if time <= previous { fatalError("fire times do not increase: \(time) after \(previous) for \(text)") }
        previous = time
    }
    return 0
}
