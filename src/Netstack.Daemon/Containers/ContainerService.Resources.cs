using Netstack.Api.Contracts.Containers;
using Netstack.Api.Resources;
using Netstack.Core;
using Netstack.Runtime.Containers;

namespace Netstack.Daemon.Containers;

/// <summary>
/// HostConfig's resource limits checked with Docker's rules (the field and value named in every
/// refusal) and turned into the runtime's <see cref="ContainerResources"/> for the OCI spec.
/// </summary>
internal sealed partial class ContainerService
{
    /// <summary>Docker's warning when the kernel cannot limit swap, word for word.</summary>
    public const string SwapLimitUnsupported = "Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.";

    internal static ContainerResources? ToResources(HostConfig? host, List<string> warnings)
    {
        if (host is null)
        {
            return null;
        }
        var cpus = Environment.ProcessorCount;
        Check("HostConfig.Memory", host.Memory, ResourceLimits.CheckMemory(host.Memory));
        Check("HostConfig.MemorySwap", host.MemorySwap, ResourceLimits.CheckMemorySwap(host.MemorySwap, host.Memory));
        Check("HostConfig.NanoCpus", host.NanoCpus, ResourceLimits.CheckNanoCpus(host.NanoCpus, cpus));
        Check("HostConfig.CpuShares", host.CpuShares, ResourceLimits.CheckCpuShares(host.CpuShares));
        Check("HostConfig.PidsLimit", host.PidsLimit ?? 0, ResourceLimits.CheckPidsLimit(host.PidsLimit ?? 0));
        Check("HostConfig.CpuQuota", host.CpuQuota, host.CpuQuota is < 0 or (> 0 and < 1000) ? "must be at least 1000 microseconds" : null);
        Check("HostConfig.CpuPeriod", host.CpuPeriod, host.CpuPeriod is < 0 or (> 0 and < 1000) or > 1_000_000 ? "must be between 1000 and 1000000 microseconds" : null);
        if (host.NanoCpus > 0 && (host.CpuQuota > 0 || host.CpuPeriod > 0))
        {
            throw new InvalidParameterException("HostConfig.NanoCpus", host.NanoCpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "conflicting options: NanoCpus (--cpus) and CpuPeriod/CpuQuota cannot both be set");
        }
        if (!string.IsNullOrEmpty(host.CpusetCpus) && ResourceLimits.CheckCpuset(host.CpusetCpus, cpus) is { } bad)
        {
            throw new InvalidParameterException("HostConfig.CpusetCpus", host.CpusetCpus, bad);
        }

        var swap = host.MemorySwap;
        if (host.Memory > 0 && swap == 0)
        {
            // Docker's default: as much swap as memory.
            swap = host.Memory * 2;
        }
        if (swap != 0 && !ContainerRuntime.SwapLimitSupported)
        {
            if (host.MemorySwap != 0)
            {
                warnings.Add(SwapLimitUnsupported);
            }
            swap = 0;
        }
        var resources = new ContainerResources
        {
            MemoryBytes = host.Memory,
            MemorySwapBytes = swap,
            CpuQuota = host.NanoCpus > 0 ? host.NanoCpus * ResourceLimits.CpuPeriodMicros / 1_000_000_000 : host.CpuQuota,
            CpuPeriod = host.NanoCpus > 0 ? ResourceLimits.CpuPeriodMicros : host.CpuPeriod,
            // Docker clamps small weights up to the kernel's floor.
            CpuShares = host.CpuShares is > 0 and < ResourceLimits.MinCpuShares ? ResourceLimits.MinCpuShares : host.CpuShares,
            PidsLimit = host.PidsLimit is > 0 ? host.PidsLimit.Value : 0,
            CpusetCpus = string.IsNullOrEmpty(host.CpusetCpus) ? null : host.CpusetCpus,
        };
        return resources.IsEmpty ? null : resources;

        static void Check(string field, long value, string? why)
        {
            if (why is not null)
            {
                throw new InvalidParameterException(field, value.ToString(System.Globalization.CultureInfo.InvariantCulture), why);
            }
        }
    }
}
