import InfraJSON
import InfraMonitorCore

/// libFuzzer entry point: the bytes are an S3 event notification as the log-processor receives
/// it. It must give created-object events or a ``AWSBackendError/badEvent(_:)`` error; every key
/// decoded from a record must come from that record.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzS3Event(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let event = try? JSON(parsing: UnsafeBufferPointer(start: data, count: size)) else { return 0 }
    do {
        let created = try S3EventNotification.objectsCreated(in: event)
        let records = event["Records"]?.arrayValue ?? []
        if created.count > records.count { fatalError("more created objects than records") }
        for object in created where object.bucket.isEmpty || object.key.isEmpty {
            fatalError("an event with an empty bucket or key was accepted")
        }
    } catch let error as AWSBackendError {
        if error.description.isEmpty { fatalError("a refused event must say why") }
    } catch {
        fatalError("an unexpected error type: \(error)")
    }
    return 0
}
