import InfraMonitorCLI

#if canImport(Glibc)
import Glibc
#endif

/// The `infra-monitor` executable: everything lives in InfraMonitorCLI, so that tests can run it too.
@main
struct Main {
    static func main() async {
        exit(await CommandLineEntry.run(Array(CommandLine.arguments.dropFirst())))
    }
}
