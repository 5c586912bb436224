using System.Net;
using System.Net.NetworkInformation;

namespace Netstack.Drivers.Overlay;

/// <summary>
/// One endpoint as the peer table carries it (libnetwork's <c>PeerRecord</c>): its address, MAC and
/// the tunnel endpoint (VTEP) of the node that hosts it.
/// </summary>
internal sealed record PeerRecord(IPAddress Address, int PrefixLength, PhysicalAddress MacAddress, IPAddress Vtep);
