namespace Netstack.Runtime.Containers;

/// <summary>
/// One reading of a running container's cgroup counters and the host's CPU time, what the engine's
/// stats carry (network counters come from the sandbox, through the daemon).
/// </summary>
public sealed record ContainerStats
{
    public DateTimeOffset Read { get; init; }

    /// <summary>CPU time of the cgroup's processes in nanoseconds (v2 cpu.stat usage_usec, v1 cpuacct.usage).</summary>
    public ulong CpuTotalNanoseconds { get; init; }

    public ulong CpuUserNanoseconds { get; init; }

    public ulong CpuSystemNanoseconds { get; init; }

    /// <summary>Per-CPU time (v1 cpuacct.usage_percpu); empty on v2, which has none.</summary>
    public IReadOnlyList<ulong> PerCpuNanoseconds { get; init; } = [];

    /// <summary>The host's CPU time in nanoseconds since boot, all CPUs (/proc/stat), for the share.</summary>
    public ulong SystemCpuNanoseconds { get; init; }

    public int OnlineCpus { get; init; }

    /// <summary>Memory charged to the cgroup (v2 memory.current, v1 memory.usage_in_bytes).</summary>
    public ulong MemoryUsage { get; init; }

    public ulong MemoryMaxUsage { get; init; }

    /// <summary>The cgroup's limit, at most the host's memory (as Docker reports an unlimited container).</summary>
    public ulong MemoryLimit { get; init; }

    /// <summary>memory.stat as the kernel names its lines (v1 total_inactive_file, v2 inactive_file, ...).</summary>
    public IReadOnlyDictionary<string, ulong> MemoryStat { get; init; } = new Dictionary<string, ulong>();

    public ulong PidsCurrent { get; init; }

    /// <summary>pids.max; null when unlimited.</summary>
    public ulong? PidsLimit { get; init; }

    /// <summary>Bytes read from and written to block devices, per device (v2 io.stat, v1 blkio.throttle.io_service_bytes).</summary>
    public IReadOnlyList<BlockIoEntry> BlockIo { get; init; } = [];
}

/// <summary>One device's count of an operation (<c>read</c> or <c>write</c>), as the engine's blkio_stats lists it.</summary>
public sealed record BlockIoEntry(ulong Major, ulong Minor, string Op, ulong Value);
