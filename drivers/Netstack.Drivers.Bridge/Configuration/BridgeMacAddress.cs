using System.Net.NetworkInformation;
using System.Security.Cryptography;

namespace Netstack.Drivers.Bridge;

internal static class BridgeMacAddress
{
    /// <summary>
    /// The bridge's own MAC, fixed at creation. A bridge created without one takes the lowest MAC of
    /// its ports and changes it whenever that port leaves, which leaves every container with a stale
    /// gateway entry in its ARP cache until it expires. Derived from the network id, so a bridge that
    /// reconcile recreates keeps the MAC its containers already cached. First byte 0x0a: locally
    /// administered unicast (IEEE 802), and never 02:42 like the endpoints' addresses.
    /// </summary>
    public static PhysicalAddress For(string networkId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(networkId), hash);
        Span<byte> bytes = stackalloc byte[6];
        bytes[0] = 0x0a;
        bytes[1] = 0x42;
        hash[..4].CopyTo(bytes[2..]);
        return new PhysicalAddress(bytes.ToArray());
    }

}
