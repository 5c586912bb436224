using System.Net;
using System.Net.NetworkInformation;

namespace Netstack.Linux;

/// <summary>
/// A neighbour (ARP/NDP) entry. Equivalent to
/// <c>ip neigh replace IP lladdr MAC dev DEV nud permanent</c>, or with <see cref="Proxy"/>
/// <c>ip neigh add proxy IP dev DEV</c>.
/// </summary>
public sealed record NeighbourSpec(LinkRef Device, IPAddress Address, PhysicalAddress? MacAddress)
{
    public NeighbourState State { get; init; } = NeighbourState.Permanent;

    /// <summary>A proxy entry (NTF_PROXY): answer for this address on the device; no MAC needed.</summary>
    public bool Proxy { get; init; }
}
