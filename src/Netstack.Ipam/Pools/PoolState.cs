using System.Net;
using System.Net.Sockets;
using Netstack.Core;

namespace Netstack.Ipam;

/// <summary>In-memory view of one pool: its taken addresses (loaded from the store once) and the serial cursor.</summary>
internal sealed class PoolState
{
    public PoolState(IPNetwork subnet, IPNetwork? range, bool serial)
    {
        Subnet = subnet;
        Range = range;
        Serial = serial;
        Family = subnet.BaseAddress.AddressFamily;
        (SubnetFirst, SubnetLast) = IPNetworkMath.Range(subnet);
        (UsableFirst, UsableLast) = Usable(subnet);
        if (range is { } r)
        {
            var (rf, rl) = IPNetworkMath.Range(r);
            (RangeFirst, RangeLast) = (UInt128.Max(rf, UsableFirst), UInt128.Min(rl, UsableLast));
        }
        else
        {
            (RangeFirst, RangeLast) = (UsableFirst, UsableLast);
        }
    }

    public IPNetwork Subnet { get; }

    public IPNetwork? Range { get; }

    public bool Serial { get; }

    public AddressFamily Family { get; }

    public UInt128 SubnetFirst { get; }

    public UInt128 SubnetLast { get; }

    /// <summary>Addresses that may ever be handed out.</summary>
    public UInt128 UsableFirst { get; }

    public UInt128 UsableLast { get; }

    /// <summary>Where plain requests draw from: the ip-range (within the usable span), else the usable span.</summary>
    public UInt128 RangeFirst { get; }

    public UInt128 RangeLast { get; }

    public AddressSet Taken { get; } = new();

    public SemaphoreSlim Lock { get; } = new(1, 1);

    public bool Loaded { get; set; }

    /// <summary>Last address given out, for serial allocation.</summary>
    public UInt128? Last { get; set; }

    /// <summary>
    /// IPv4: the network address (all host bits 0) and the broadcast address (all 1) are not hosts,
    /// except in /31 point-to-point subnets (RFC 3021) and /32. IPv6: the all-zero host address is the
    /// subnet-router anycast address (RFC 4291 2.6.1); IPv6 has no broadcast.
    /// </summary>
    private static (UInt128 First, UInt128 Last) Usable(IPNetwork subnet)
    {
        var (first, last) = IPNetworkMath.Range(subnet);
        if (subnet.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return subnet.PrefixLength >= 127 ? (first, last) : (first + 1, last);
        }
        return subnet.PrefixLength >= 31 ? (first, last) : (first + 1, last - 1);
    }
}
