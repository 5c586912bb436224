using System.Net;
using System.Net.Sockets;

namespace Netstack.Linux;

/// <summary>
/// A route to add, replace or delete. A null <see cref="Destination"/> is the default route.
/// Equivalent to <c>ip route add DEST [via GW] [dev DEV] [onlink] [scope S] [table T] [src IP] [metric M]</c>.
/// </summary>
public sealed record RouteSpec
{
    /// <summary>The destination network; null = default (0.0.0.0/0 or ::/0, family taken from the gateway).</summary>
    public IPNetwork? Destination { get; init; }

    public IPAddress? Gateway { get; init; }

    public LinkRef? Device { get; init; }

    /// <summary>Routing table; null = main (254).</summary>
    public uint? Table { get; init; }

    /// <summary>Scope; null = link for routes without a gateway, universe otherwise (as ip does).</summary>
    public RouteScope? Scope { get; init; }

    /// <summary>Treat the gateway as on-link even if no prefix covers it (RTNH_F_ONLINK).</summary>
    public bool OnLink { get; init; }

    public IPAddress? PreferredSource { get; init; }

    public uint? Metric { get; init; }

    internal AddressFamily Family =>
        Destination?.BaseAddress.AddressFamily ?? Gateway?.AddressFamily ?? PreferredSource?.AddressFamily ?? AddressFamily.InterNetwork;

    /// <summary>A default route through <paramref name="gateway"/>.</summary>
    public static RouteSpec DefaultVia(IPAddress gateway, LinkRef? device = null) => new() { Gateway = gateway, Device = device };
}
