/// Which mounted file systems `disk_usage` reports: real storage, not kernel pseudo file systems.
///
/// The rules follow node_exporter's filesystem collector defaults (`fs-types-exclude` and
/// `mount-points-exclude`), with three differences an operator would expect from `df`:
/// memory-backed file systems (`tmpfs`, `ramfs`) are skipped too, `/mnt` and `/media` are kept
/// (removable and data disks live there), and an `overlay` mounted at `/` (a container's root) is
/// kept because it is the disk the container writes to. File systems of zero size are skipped
/// when measured.
public enum FileSystemFilter {
    /// File system types never reported.
    public static let excludedTypes: Set<String> = [
        // node_exporter 1.x default fs-types-exclude
        "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs", "fusectl",
        "hugetlbfs", "iso9660", "mqueue", "nsfs", "overlay", "proc", "procfs", "pstore", "rpc_pipefs", "securityfs",
        "selinuxfs", "squashfs", "sysfs", "tracefs",
        // memory-backed and other pseudo file systems df or node_exporter also leave out
        "tmpfs", "ramfs", "rootfs", "efivarfs", "devfs", "nfsd", "fuse.lxcfs", "fuse.gvfsd-fuse", "fuse.portal",
        "fuse.snapfuse", "none",
    ]

    /// Whether a mount of type `type` at `mountPoint` is reported.
    public static func includes(mountPoint: String, type: String) -> Bool {
        if type == "overlay" && mountPoint == "/" { return true }
        if excludedTypes.contains(type) { return false }
        return !isExcludedMountPoint(mountPoint)
    }

    /// node_exporter's `^/(dev|proc|run|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)`,
    /// without `mnt` and `media`.
    public static func isExcludedMountPoint(_ mountPoint: String) -> Bool {
        for tree in ["/dev", "/proc", "/run", "/sys"] where isAtOrUnder(mountPoint, tree) {
            return true
        }
        for tree in ["/var/lib/docker/", "/var/lib/containers/storage/"] where mountPoint.hasPrefix(tree) && mountPoint.count > tree.count {
            return true
        }
        return false
    }

    private static func isAtOrUnder(_ path: String, _ tree: String) -> Bool {
        guard path.hasPrefix(tree) else { return false }
        let rest = path.utf8.dropFirst(tree.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "/")
    }
}
