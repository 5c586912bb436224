using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Containers;

/// <summary>
/// One object of <c>GET /containers/{id}/stats</c>, in the engine's snake_case fields: the cgroup's
/// CPU (with the previous reading in <c>precpu_stats</c>, for the share over the interval), memory,
/// pids and block I/O, and the sandbox's interfaces' counters.
/// </summary>
public sealed class ContainerStatsResponse
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("read")]
    public string Read { get; set; } = "0001-01-01T00:00:00Z";

    [JsonPropertyName("preread")]
    public string PreRead { get; set; } = "0001-01-01T00:00:00Z";

    [JsonPropertyName("pids_stats")]
    public PidsStats PidsStats { get; set; } = new();

    [JsonPropertyName("blkio_stats")]
    public BlkioStats BlkioStats { get; set; } = new();

    [JsonPropertyName("num_procs")]
    public int NumProcs { get; set; }

    [JsonPropertyName("cpu_stats")]
    public CpuStats CpuStats { get; set; } = new();

    [JsonPropertyName("precpu_stats")]
    public CpuStats PreCpuStats { get; set; } = new();

    [JsonPropertyName("memory_stats")]
    public MemoryStats MemoryStats { get; set; } = new();

    /// <summary>Per interface of the sandbox (eth0, ...); absent with the host's network or none.</summary>
    [JsonPropertyName("networks")]
    public Dictionary<string, NetworkStats>? Networks { get; set; }
}

public sealed class PidsStats
{
    [JsonPropertyName("current")]
    public ulong Current { get; set; }

    [JsonPropertyName("limit")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? Limit { get; set; }
}

public sealed class BlkioStats
{
    [JsonPropertyName("io_service_bytes_recursive")]
    public List<BlkioStatEntry>? IoServiceBytesRecursive { get; set; }
}

public sealed class BlkioStatEntry
{
    [JsonPropertyName("major")]
    public ulong Major { get; set; }

    [JsonPropertyName("minor")]
    public ulong Minor { get; set; }

    /// <summary><c>read</c> or <c>write</c> (v1 engines said <c>Read</c>, <c>Write</c>).</summary>
    [JsonPropertyName("op")]
    public string Op { get; set; } = "";

    [JsonPropertyName("value")]
    public ulong Value { get; set; }
}

public sealed class CpuStats
{
    [JsonPropertyName("cpu_usage")]
    public CpuUsage CpuUsage { get; set; } = new();

    /// <summary>The host's CPU time in nanoseconds, all CPUs.</summary>
    [JsonPropertyName("system_cpu_usage")]
    public ulong SystemCpuUsage { get; set; }

    [JsonPropertyName("online_cpus")]
    public int OnlineCpus { get; set; }

    [JsonPropertyName("throttling_data")]
    public ThrottlingData ThrottlingData { get; set; } = new();
}

public sealed class CpuUsage
{
    /// <summary>The container's CPU time in nanoseconds.</summary>
    [JsonPropertyName("total_usage")]
    public ulong TotalUsage { get; set; }

    [JsonPropertyName("percpu_usage")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ulong>? PercpuUsage { get; set; }

    [JsonPropertyName("usage_in_kernelmode")]
    public ulong UsageInKernelmode { get; set; }

    [JsonPropertyName("usage_in_usermode")]
    public ulong UsageInUsermode { get; set; }
}

public sealed class ThrottlingData
{
    [JsonPropertyName("periods")]
    public ulong Periods { get; set; }

    [JsonPropertyName("throttled_periods")]
    public ulong ThrottledPeriods { get; set; }

    [JsonPropertyName("throttled_time")]
    public ulong ThrottledTime { get; set; }
}

public sealed class MemoryStats
{
    [JsonPropertyName("usage")]
    public ulong Usage { get; set; }

    [JsonPropertyName("max_usage")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong MaxUsage { get; set; }

    /// <summary>memory.stat's lines by the kernel's names (v1 <c>total_inactive_file</c>, v2 <c>inactive_file</c>, ...).</summary>
    [JsonPropertyName("stats")]
    public Dictionary<string, ulong>? Stats { get; set; }

    [JsonPropertyName("limit")]
    public ulong Limit { get; set; }
}

public sealed class NetworkStats
{
    [JsonPropertyName("rx_bytes")]
    public ulong RxBytes { get; set; }

    [JsonPropertyName("rx_packets")]
    public ulong RxPackets { get; set; }

    [JsonPropertyName("rx_errors")]
    public ulong RxErrors { get; set; }

    [JsonPropertyName("rx_dropped")]
    public ulong RxDropped { get; set; }

    [JsonPropertyName("tx_bytes")]
    public ulong TxBytes { get; set; }

    [JsonPropertyName("tx_packets")]
    public ulong TxPackets { get; set; }

    [JsonPropertyName("tx_errors")]
    public ulong TxErrors { get; set; }

    [JsonPropertyName("tx_dropped")]
    public ulong TxDropped { get; set; }
}
