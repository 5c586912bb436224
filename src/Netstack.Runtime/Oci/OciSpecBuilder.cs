namespace Netstack.Runtime.Oci;

/// <summary>Inputs of a config.json beyond the container record: the bundle's files and the network namespace.</summary>
internal sealed record OciBundleInputs(
    string HostsFile,
    string ResolvConfFile,
    string HostnameFile,
    string? NetworkNamespace,
    string CgroupsPath,
    bool HostNetwork = false,
    Containers.ContainerUser? User = null);

/// <summary>
/// Builds the OCI runtime spec (config.json) of a container: Docker's defaults for capabilities,
/// mounts and masked paths, pid/mount/uts/ipc namespaces of its own and the sandbox's network
/// namespace.
/// </summary>
internal static class OciSpecBuilder
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Docker's default capability set (moby oci/caps/defaults.go), which includes NET_RAW for ping and NET_BIND_SERVICE for ports below 1024.</summary>
    public static readonly IReadOnlyList<string> DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>Paths hidden from the container, as in runc's default spec (<c>runc spec</c>).</summary>
    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ];

    /// <summary>Paths made read-only, as in runc's default spec.</summary>
    public static readonly IReadOnlyList<string> ReadonlyPaths =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    public static OciSpec Build(Containers.ContainerInfo container, OciBundleInputs inputs)
    {
        var caps = DefaultCapabilities.ToList();
        var user = inputs.User ?? Containers.ContainerUsers.Root;
        var spec = new OciSpec
        {
            Process = new OciProcess
            {
                Terminal = container.Tty,
                ConsoleSize = container is { Tty: true, ConsoleSize: [> 0 and <= ushort.MaxValue, > 0 and <= ushort.MaxValue] }
                    ? new OciConsoleSize { Height = (uint)container.ConsoleSize[0], Width = (uint)container.ConsoleSize[1] }
                    : null,
                User = new OciUser
                {
                    Uid = user.Uid,
                    Gid = user.Gid,
                    AdditionalGids = user.AdditionalGids.Count == 0 ? null : [.. user.AdditionalGids],
                },
                Args = [.. container.Cmd],
                Env = BuildEnv(container, user.Home),
                Cwd = container.WorkingDir,
                Capabilities = new OciCapabilities
                {
                    Bounding = caps,
                    Effective = [.. caps],
                    Permitted = [.. caps],
                    Inheritable = [.. caps],
                },
                // No rlimits: the container inherits the daemon's, as Docker's containers do. A fixed
                // RLIMIT_NOFILE above the daemon's hard limit makes runc init fail with EPERM.
                Rlimits = [],
                NoNewPrivileges = false,
            },
            // runc remounts the root read-only after every mount is in place, so the mount points of
            // /etc/hosts and the user's mounts can still be made first.
            Root = new OciRoot { Path = "rootfs", Readonly = container.ReadonlyRootfs },
            Hostname = container.Hostname,
            Mounts = [.. BuildMounts(inputs), .. BuildUserMounts(container.Mounts)],
            Linux = new OciLinux
            {
                CgroupsPath = inputs.CgroupsPath,
                // Deny every device, then runc allows its default set (null, zero, full, random, urandom, tty, ptmx).
                Resources = BuildResources(container.Resources),
                Namespaces =
                [
                    new OciNamespace { Type = "pid" },
                    new OciNamespace { Type = "mount" },
                    new OciNamespace { Type = "uts" },
                    new OciNamespace { Type = "ipc" },
                    // With a path runc joins that namespace (setns) instead of making a new one;
                    // host mode lists none, so the container stays in runc's, the daemon's host.
                    .. inputs.HostNetwork ? Array.Empty<OciNamespace>() : [new OciNamespace { Type = "network", Path = inputs.NetworkNamespace }],
                ],
                MaskedPaths = [.. MaskedPaths],
                ReadonlyPaths = [.. ReadonlyPaths],
            },
        };
        return spec;
    }

    /// <summary>
    /// Devices (deny every device, then runc allows its default set: null, zero, full, random,
    /// urandom, tty, ptmx) and the container's limits; absent limits are left out, so unlimited.
    /// </summary>
    internal static OciResources BuildResources(Containers.ContainerResources? limits)
    {
        var resources = new OciResources { Devices = [new OciDeviceRule { Allow = false, Access = "rwm" }] };
        if (limits is null || limits.IsEmpty)
        {
            return resources;
        }
        if (limits.MemoryBytes > 0 || limits.MemorySwapBytes != 0)
        {
            resources.Memory = new OciMemory
            {
                Limit = limits.MemoryBytes > 0 ? limits.MemoryBytes : null,
                Swap = limits.MemorySwapBytes != 0 ? limits.MemorySwapBytes : null,
            };
        }
        if (limits.CpuQuota > 0 || limits.CpuShares > 0 || !string.IsNullOrEmpty(limits.CpusetCpus))
        {
            resources.Cpu = new OciCpu
            {
                Quota = limits.CpuQuota > 0 ? limits.CpuQuota : null,
                Period = limits.CpuQuota > 0 ? (ulong)(limits.CpuPeriod > 0 ? limits.CpuPeriod : 100_000) : null,
                Shares = limits.CpuShares > 0 ? (ulong)limits.CpuShares : null,
                Cpus = string.IsNullOrEmpty(limits.CpusetCpus) ? null : limits.CpusetCpus,
            };
        }
        if (limits.PidsLimit > 0)
        {
            resources.Pids = new OciPids { Limit = limits.PidsLimit };
        }
        return resources;
    }

    /// <summary>PATH and HOSTNAME first (as Docker sets them), then the user's entries, later ones winning; HOME from the user's passwd entry unless given.</summary>
    internal static List<string> BuildEnv(Containers.ContainerInfo container, string home = "/root")
    {
        var env = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        void Set(string entry)
        {
            var key = entry[..entry.IndexOf('=', StringComparison.Ordinal)];
            if (index.TryGetValue(key, out var at))
            {
                env[at] = entry;
            }
            else
            {
                index[key] = env.Count;
                env.Add(entry);
            }
        }
        Set(DefaultPath);
        Set("HOSTNAME=" + container.Hostname);
        if (container.Tty)
        {
            // As Docker: a terminal's programs need to know what it understands.
            Set("TERM=xterm");
        }
        foreach (var entry in container.Env)
        {
            Set(entry);
        }
        if (!index.ContainsKey("HOME"))
        {
            Set("HOME=" + home);
        }
        return env;
    }

    /// <summary>
    /// Docker's defaults for the user's mounts: a bind is recursive and private unless a propagation
    /// is given; a tmpfs is noexec, nosuid and nodev unless its options say otherwise (runc applies
    /// them in order, so a later <c>exec</c> wins).
    /// </summary>
    internal static IEnumerable<OciMount> BuildUserMounts(IReadOnlyList<Containers.ContainerMount> mounts)
    {
        foreach (var mount in mounts)
        {
            if (mount.Type == Containers.ContainerMount.Bind)
            {
                var propagation = mount.Options.FirstOrDefault(o => o is "private" or "rprivate" or "shared" or "rshared" or "slave" or "rslave") ?? "rprivate";
                yield return new OciMount
                {
                    Destination = mount.Destination,
                    Type = "bind",
                    Source = mount.Source!,
                    Options = ["rbind", mount.ReadOnly ? "ro" : "rw", propagation],
                };
            }
            else
            {
                yield return new OciMount
                {
                    Destination = mount.Destination,
                    Type = "tmpfs",
                    Source = "tmpfs",
                    Options = ["noexec", "nosuid", "nodev", .. mount.Options, .. mount.ReadOnly ? new[] { "ro" } : []],
                };
            }
        }
    }

    private static List<OciMount> BuildMounts(OciBundleInputs inputs) =>
    [
        new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
        // gid=5 is the "tty" group, mode 0620 as a login terminal has.
        new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
        new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
        new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
        // Files bind-mounted over the image's, so the daemon can rewrite them while the container runs.
        new() { Destination = "/etc/hosts", Type = "bind", Source = inputs.HostsFile, Options = ["rbind", "rprivate"] },
        new() { Destination = "/etc/resolv.conf", Type = "bind", Source = inputs.ResolvConfFile, Options = ["rbind", "rprivate"] },
        new() { Destination = "/etc/hostname", Type = "bind", Source = inputs.HostnameFile, Options = ["rbind", "rprivate"] },
    ];
}
