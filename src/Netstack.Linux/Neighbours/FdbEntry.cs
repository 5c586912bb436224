using System.Net;
using System.Net.NetworkInformation;

namespace Netstack.Linux;

/// <summary>
/// A forwarding-database entry (AF_BRIDGE neighbour). On a VXLAN device with NTF_SELF it maps a MAC
/// to the remote VTEP that owns it: <c>bridge fdb append MAC dev VXLAN dst VTEP self permanent</c>.
/// </summary>
public sealed record FdbEntry(int LinkIndex, PhysicalAddress MacAddress, IPAddress? Destination, NeighbourState State, byte Flags)
{
    /// <summary>Entry of the device itself (NTF_SELF), as VXLAN entries are.</summary>
    public bool IsSelf => (Flags & 0x02) != 0;
}
