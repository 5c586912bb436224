using System.Net;
using System.Net.Sockets;
using Netstack.Core;

namespace Netstack.Ipam;

/// <summary>A block of address space cut into equal subnets: <see cref="Base"/> split into /<see cref="Size"/>.</summary>
public sealed record PoolBlock(IPNetwork Base, int Size)
{
    /// <summary>The subnets of the block in order.</summary>
    public IEnumerable<IPNetwork> Subnets()
    {
        var family = Base.BaseAddress.AddressFamily;
        var bits = IPNetworkMath.Bits(family);
        var (first, last) = IPNetworkMath.Range(Base);
        var step = UInt128.One << (bits - Size);
        for (var n = first; n <= last; n += step)
        {
            yield return new IPNetwork(IPNetworkMath.FromNumber(n, family), Size);
            if (last - n < step)
            {
                yield break;
            }
        }
    }
}

/// <summary>
/// Docker's default address pools (libnetwork <c>ipamutils</c>): local networks take
/// 172.17.0.0/16 ... 172.31.0.0/16, then 192.168.0.0/16 cut into /20s; global networks take
/// 10.0.0.0/8 cut into /24s. IPv6 has no Docker default older than v27, so Netstack uses one ULA
/// /48 (RFC 4193, <c>fd</c> prefix) cut into /64s, the size SLAAC and most tools expect.
/// </summary>
public static class PredefinedPools
{
    public static IReadOnlyList<PoolBlock> LocalIPv4 { get; } = BuildLocal();

    public static IReadOnlyList<PoolBlock> GlobalIPv4 { get; } = [new(IPNetwork.Parse("10.0.0.0/8"), 24)];

    public static IReadOnlyList<PoolBlock> IPv6 { get; } = [new(IPNetwork.Parse("fd42:6e73:7400::/48"), 64)];

    public static IReadOnlyList<PoolBlock> For(string addressSpace, AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? IPv6
        : addressSpace == Core.Ipam.IpamAddressSpaces.Global ? GlobalIPv4 : LocalIPv4;

    private static PoolBlock[] BuildLocal()
    {
        var blocks = new List<PoolBlock>();
        for (var second = 17; second <= 31; second++)
        {
            blocks.Add(new PoolBlock(IPNetwork.Parse($"172.{second}.0.0/16"), 16));
        }
        blocks.Add(new PoolBlock(IPNetwork.Parse("192.168.0.0/16"), 20));
        return blocks.ToArray();
    }
}
