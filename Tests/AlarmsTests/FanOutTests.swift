import Alarms
import InfraMonitorCore
import Testing

@Suite struct FanOutTests {
    static let diskFilling = definition(m: 2, n: 3, dimensions: [.init(name: "mountpoint", value: "/")], name: "disk-filling", metric: "disk_usage")

    static let series: [SeriesKey] = [
        SeriesKey(metric: "disk_usage", labels: ["host": "web-1", "mountpoint": "/"]),
        SeriesKey(metric: "disk_usage", labels: ["host": "web-1", "mountpoint": "/var"]),
        SeriesKey(metric: "disk_usage", labels: ["host": "web-2", "mountpoint": "/"]),
        SeriesKey(metric: "cpu_utilization", labels: ["host": "web-1"]),
        SeriesKey(metric: "disk_usage", labels: ["host": "web-3", "mountpoint": "/"], namespace: "Other"),
    ]

    @Test func oneInstancePerMatchingSeries() {
        let instances = Self.diskFilling.instances(series: Self.series)
        #expect(instances.map(\.id) == ["disk-filling{host=\"web-1\",mountpoint=\"/\"}", "disk-filling{host=\"web-2\",mountpoint=\"/\"}"])
        #expect(instances.map(\.fanOutLabels) == [["host"], ["host"]])
        #expect(instances.map(\.fanOutText) == ["host=web-1", "host=web-2"])
    }

    @Test func everyDimensionGivenIsExactlyOneAlarm() {
        let pinned = definition(
            m: 1,
            n: 1,
            dimensions: [.init(name: "host", value: "web-1"), .init(name: "mountpoint", value: "/")],
            name: "root-web-1",
            metric: "disk_usage"
        )
        let instances = pinned.instances(series: Self.series)
        #expect(instances.count == 1)
        #expect(instances[0].fanOutLabels.isEmpty)
        // Before the metric exists the alarm exists too, in its dimensions' labels.
        let alone = pinned.instances(series: [])
        #expect(alone.map(\.id) == ["root-web-1{host=\"web-1\",mountpoint=\"/\"}"])
    }

    @Test func theStandInOfAPinnedAlarmGoesWhenItsSeriesHaveMoreLabels() {
        let hostOnly = definition(m: 1, n: 1, dimensions: [.init(name: "host", value: "web-1")], name: "web-1-disks", metric: "disk_usage")
        let standIn = hostOnly.instances(series: [])
        #expect(standIn.map(\.id) == ["web-1-disks{host=\"web-1\"}"])
        let instances = hostOnly.instances(series: Self.series, known: standIn)
        #expect(instances.map(\.id) == ["web-1-disks{host=\"web-1\",mountpoint=\"/\"}", "web-1-disks{host=\"web-1\",mountpoint=\"/var\"}"])
        #expect(instances.allSatisfy { $0.fanOutLabels == ["mountpoint"] })
    }

    @Test func noDimensionsWatchesEverySeriesOfTheMetric() {
        let anyDisk = definition(m: 1, n: 1, name: "any-disk", metric: "disk_usage")
        let instances = anyDisk.instances(series: Self.series)
        #expect(instances.count == 3)
        #expect(instances.allSatisfy { $0.fanOutLabels == ["host", "mountpoint"] })
        #expect(instances.map(\.fanOutText).contains("host=web-1 mountpoint=/var"))
    }

    @Test func knownInstancesStayWhileTheyMatch() {
        let gone = AlarmInstance(definition: Self.diskFilling, labels: ["host": "web-9", "mountpoint": "/"])
        let otherAlarm = AlarmInstance(alarmName: "other", labels: ["host": "web-8", "mountpoint": "/"], fanOutLabels: ["host"])
        let noLongerMatching = AlarmInstance(definition: Self.diskFilling, labels: ["host": "web-7", "mountpoint": "/boot"])
        let instances = Self.diskFilling.instances(series: Self.series, known: [gone, otherAlarm, noLongerMatching])
        #expect(instances.map { $0.labels["host"]! } == ["web-1", "web-2", "web-9"])
    }

    @Test func idsAreStableAndEscaped() {
        let a = AlarmInstance(alarmName: "x", labels: ["b": "2", "a": "1"], fanOutLabels: ["a", "b"])
        let b = AlarmInstance(alarmName: "x", labels: ["a": "1", "b": "2"], fanOutLabels: ["a", "b"])
        #expect(a.id == b.id)
        #expect(a.id == "x{a=\"1\",b=\"2\"}")
        let quoted = AlarmInstance(alarmName: "x", labels: ["path": "C:\\\"x\"\n"], fanOutLabels: ["path"])
        #expect(quoted.id == "x{path=\"C:\\\\\\\"x\\\"\\n\"}")
    }
}
