using Netstack.Api.Contracts.Containers;
using Netstack.Linux;
using Netstack.Runtime.Containers;

namespace Netstack.Daemon.Containers;

/// <summary>
/// A container's stats in the engine's shape: the runtime's reading of its cgroup (CPU, memory,
/// pids, block I/O) and the counters of its sandbox's interfaces, read through rtnetlink inside the
/// sandbox's namespace (<c>ip -s link</c> without the process).
/// </summary>
internal sealed partial class ContainerService
{
    private const uint IffLoopback = 0x8;

    /// <summary>
    /// One reading; <paramref name="previous"/> (the reading before, when the caller has one) fills
    /// <c>precpu_stats</c> and <c>preread</c>. A container that is not running reads as zeros, as
    /// the engine answers for one.
    /// </summary>
    public ContainerStatsResponse ReadStats(string reference, ContainerStatsResponse? previous)
    {
        var info = _runtime.Inspect(reference);
        var response = new ContainerStatsResponse { Name = "/" + info.Name, Id = info.Id };
        if (previous is not null)
        {
            response.PreRead = previous.Read;
            response.PreCpuStats = previous.CpuStats;
        }
        if (_runtime.ReadStats(info.Id) is not { } stats)
        {
            return response;
        }
        response.Read = stats.Read.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        response.CpuStats = new CpuStats
        {
            CpuUsage = new CpuUsage
            {
                TotalUsage = stats.CpuTotalNanoseconds,
                PercpuUsage = stats.PerCpuNanoseconds.Count == 0 ? null : [.. stats.PerCpuNanoseconds],
                UsageInKernelmode = stats.CpuSystemNanoseconds,
                UsageInUsermode = stats.CpuUserNanoseconds,
            },
            SystemCpuUsage = stats.SystemCpuNanoseconds,
            OnlineCpus = stats.OnlineCpus,
        };
        response.MemoryStats = new MemoryStats
        {
            Usage = stats.MemoryUsage,
            MaxUsage = stats.MemoryMaxUsage,
            Limit = stats.MemoryLimit,
            Stats = new Dictionary<string, ulong>(stats.MemoryStat, StringComparer.Ordinal),
        };
        response.PidsStats = new PidsStats { Current = stats.PidsCurrent, Limit = stats.PidsLimit };
        response.BlkioStats = new BlkioStats
        {
            IoServiceBytesRecursive = [.. stats.BlockIo.Select(b => new BlkioStatEntry { Major = b.Major, Minor = b.Minor, Op = b.Op, Value = b.Value })],
        };
        response.Networks = ReadNetworkStats(info);
        return response;
    }

    /// <summary>The interfaces of the container's network namespace but loopback; null with the host's network (Docker reports none there) or when it is gone.</summary>
    private Dictionary<string, NetworkStats>? ReadNetworkStats(ContainerInfo info)
    {
        if (info.NetworkMode == HostMode || info.NetworkNamespace is not { } path || !File.Exists(path))
        {
            return null;
        }
        try
        {
            using var ns = NetworkNamespace.Open(path);
            using var netlink = ns.OpenNetlink();
            var networks = new Dictionary<string, NetworkStats>(StringComparer.Ordinal);
            foreach (var link in netlink.LinkListWithStatistics())
            {
                if ((link.Flags & IffLoopback) != 0 || link.Statistics is not { } s)
                {
                    continue;
                }
                networks[link.Name] = new NetworkStats
                {
                    RxBytes = s.RxBytes, RxPackets = s.RxPackets, RxErrors = s.RxErrors, RxDropped = s.RxDropped,
                    TxBytes = s.TxBytes, TxPackets = s.TxPackets, TxErrors = s.TxErrors, TxDropped = s.TxDropped,
                };
            }
            return networks;
        }
        catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException)
        {
            // The namespace went with the container between the check and the read.
            Log.StatsNetworkFailed(_logger, info.Id, e);
            return null;
        }
    }
}
