import Foundation
import InfraMonitorCore
import TestSupport
import Testing

@testable import Collectors

@Suite("procfs parsing, file system rules and collector state")
struct ParsingTests {
    @Test("mount points have their octal escapes decoded")
    func mountEscapes() {
        let text = "/dev/sdb1 /media/My\\040Disk\\011x ext4 rw 0 0\n/dev/sdc /back\\134slash vfat rw 0 0\nbad\n/dev/sdd /a\\04 ext4 rw 0 0\n"
        let entries = Array(text.utf8).withUnsafeBytes { ProcParse.mounts($0) }
        #expect(entries.map(\.mountPoint) == ["/media/My Disk\tx", "/back\\slash", "/a\\04"])
        #expect(entries.map(\.fileSystemType) == ["ext4", "vfat", "ext4"])
    }

    @Test(
        "pseudo file systems and system trees are skipped",
        arguments: [
            ("/", "ext4", true), ("/", "overlay", true), ("/home", "xfs", true), ("/mnt/data", "btrfs", true),
            ("/media/usb", "vfat", true), ("/boot/efi", "vfat", true), ("/srv/nfs", "nfs4", true),
            ("/proc", "proc", false), ("/sys", "sysfs", false), ("/dev", "devtmpfs", false), ("/dev/shm", "tmpfs", false),
            ("/run", "tmpfs", false), ("/tmp", "tmpfs", false), ("/sys/fs/cgroup", "cgroup2", false),
            ("/sys/fs/cgroup/cpu", "cgroup", false), ("/var/lib/docker/overlay2/x/merged", "overlay", false),
            ("/snap/core/1", "squashfs", false), ("/run/user/1000", "ext4", false), ("/devices", "ext4", true),
            ("/var/lib/docker", "ext4", true), ("/var/lib/docker/volumes", "ext4", false), ("/proc/sys/fs/binfmt_misc", "binfmt_misc", false),
        ]
    )
    func fileSystemFilter(mountPoint: String, type: String, included: Bool) {
        #expect(FileSystemFilter.includes(mountPoint: mountPoint, type: type) == included)
    }

    @Test("/proc/net/dev: counters per interface without lo")
    func netDev() throws {
        let text = try Fixtures.text("proc1/net/dev")
        let interfaces = try Array(text.utf8).withUnsafeBytes { bytes throws(CollectorError) in
            try ProcParse.networkDevices(bytes, path: "dev")
        }
        #expect(
            interfaces == [
                InterfaceCounters(name: "eth0", receivedBytes: 1_000_000, transmittedBytes: 2_000_000),
                InterfaceCounters(name: "wlan0", receivedBytes: 500_000, transmittedBytes: 250_000),
            ]
        )
    }

    @Test("/proc/stat: eight counters of the aggregate line, guest excluded, and btime")
    func stat() throws {
        let text = try Fixtures.text("proc1/stat")
        let counters = try Array(text.utf8).withUnsafeBytes { bytes throws(CollectorError) in try ProcParse.cpu(bytes, path: "stat") }
        #expect(counters.fields == [10000, 500, 3000, 80000, 1000, 200, 300, 0])
        #expect(counters.total == 95000)
        #expect(counters.bootTime == 1_764_000_000)
    }

    @Test("network state round-trips, names with quotes too")
    func networkStateRoundTrip() {
        let state = CounterState.Network(
            time: Timestamp(seconds: 1_795_000_000, nanoseconds: 5),
            bootTime: 42,
            interfaces: [
                InterfaceCounters(name: "eth0", receivedBytes: UInt64.max, transmittedBytes: 0),
                InterfaceCounters(name: "we\"ird\\", receivedBytes: 1, transmittedBytes: 2),
            ]
        )
        let text = CounterState.encode(state)
        #expect(CounterState.decodeNetwork(text) == state)
        #expect(CounterState.decodeCPU(text) == nil)
    }

    @Test(
        "cpu state round-trips and rejects what it does not know",
        arguments: ["{}", "[]", "{\"v\":1,\"t\":[1,2000000000],\"btime\":0,\"cpu\":[1,2,3,4]}"]
    )
    func cpuState(bad: String) {
        let state = CounterState.CPU(
            time: Timestamp(seconds: 7, nanoseconds: 999_999_999),
            counters: CPUCounters(fields: [1, 2, 3, 4, 5, 6, 7, 8], bootTime: 9)
        )
        #expect(CounterState.decodeCPU(CounterState.encode(state)) == state)
        #expect(CounterState.decodeCPU(" \(CounterState.encode(state)) ") == state)
        #expect(CounterState.decodeCPU(bad) == nil)
    }

    @Test("HostName.system() is the kernel's host name")
    func hostName() throws {
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!HostName.system().isEmpty)
        if let kernel { #expect(HostName.system() == kernel) }
    }
}
