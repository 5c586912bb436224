using System.Net;

namespace Netstack.Linux;

/// <summary>A route as the kernel lists it (RTM_NEWROUTE), what <c>ip route show</c> prints.</summary>
public sealed record Route
{
    /// <summary>Destination; /0 for the default route.</summary>
    public required IPNetwork Destination { get; init; }

    public IPAddress? Gateway { get; init; }

    public int OutputIndex { get; init; }

    public uint Table { get; init; }

    public RouteScope Scope { get; init; }

    public byte Protocol { get; init; }

    /// <summary>RTN_* route type: 1 unicast, 2 local, 3 broadcast, ...</summary>
    public byte Type { get; init; }

    public IPAddress? PreferredSource { get; init; }

    public uint Metric { get; init; }

    public uint Flags { get; init; }

    public bool IsDefault => Destination.PrefixLength == 0;
}
