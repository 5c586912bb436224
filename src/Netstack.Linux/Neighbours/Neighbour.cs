using System.Net;
using System.Net.NetworkInformation;

namespace Netstack.Linux;

/// <summary>A neighbour entry as the kernel lists it (RTM_NEWNEIGH), what <c>ip neigh show</c> prints.</summary>
public sealed record Neighbour(int LinkIndex, IPAddress? Address, PhysicalAddress? MacAddress, NeighbourState State, byte Flags)
{
    public bool IsProxy => (Flags & 0x08) != 0;
}
