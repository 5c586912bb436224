using System.Security.Cryptography;
using System.Text;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// Every link the bridge driver makes for a network (the bridge and the host ends of its veths) is
/// put in one interface group (IFLA_GROUP), so that teardown deletes them all in one request
/// (<c>ip link del group N</c>: one RCU grace period instead of one per link) and so that the
/// driver recognises its own links after a crash. The group is derived from the network id, in a
/// range that marks it as the bridge driver's: 0xB0000000..0xBFFFFFFF.
/// </summary>
internal static class LinkGroups
{
    public const uint Marker = 0xB000_0000;
    public const uint MarkerMask = 0xF000_0000;

    public static uint ForNetwork(string networkId)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkId);
        // 28 bits of SHA-256: two networks collide with probability 2^-28 per pair; CreateNetwork
        // refuses a group that holds links it does not know, so a collision is an error, never a loss.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(networkId));
        var low = ((uint)hash[0] << 24 | (uint)hash[1] << 16 | (uint)hash[2] << 8 | hash[3]) & ~MarkerMask;
        return Marker | low;
    }

    /// <summary>The group a batch of leaving host ends is moved to just before the batch is deleted.</summary>
    public static uint ForLeavingBatch(long batch) => ForNetwork($"leaving batch {batch}");

    public static bool IsBridgeDriverGroup(uint group) => (group & MarkerMask) == Marker;
}
