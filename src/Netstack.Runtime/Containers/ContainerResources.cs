namespace Netstack.Runtime.Containers;

/// <summary>
/// A container's resource limits, as the OCI spec's <c>linux.resources</c> carries them (runc writes
/// them to the cgroup v2 files, or v1's on a v1 host). Zero or null means no limit.
/// </summary>
public sealed record ContainerResources
{
    /// <summary>Memory limit in bytes (<c>--memory</c>; memory.max, v1 memory.limit_in_bytes).</summary>
    public long MemoryBytes { get; init; }

    /// <summary>Memory plus swap in bytes (<c>--memory-swap</c>); -1 unlimited swap, 0 unset.</summary>
    public long MemorySwapBytes { get; init; }

    /// <summary>CFS quota in microseconds per <see cref="CpuPeriod"/> (<c>--cpus</c> times the period).</summary>
    public long CpuQuota { get; init; }

    /// <summary>CFS period in microseconds; 0 is the kernel's default (100 ms).</summary>
    public long CpuPeriod { get; init; }

    /// <summary>Relative CPU weight in v1 shares (<c>--cpu-shares</c>; runc maps it to v2's cpu.weight).</summary>
    public long CpuShares { get; init; }

    /// <summary>Most processes at once (<c>--pids-limit</c>; pids.max); 0 unlimited.</summary>
    public long PidsLimit { get; init; }

    /// <summary>CPUs the container may run on (<c>--cpuset-cpus</c>, e.g. <c>0-1</c>); null all.</summary>
    public string? CpusetCpus { get; init; }

    public bool IsEmpty =>
        MemoryBytes == 0 && MemorySwapBytes == 0 && CpuQuota == 0 && CpuPeriod == 0 && CpuShares == 0 && PidsLimit == 0 && string.IsNullOrEmpty(CpusetCpus);
}
