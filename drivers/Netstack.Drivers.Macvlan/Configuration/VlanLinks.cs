namespace Netstack.Drivers.Macvlan;

/// <summary>
/// The mark on 802.1Q sub-interfaces the driver created: they are put in one interface group
/// (IFLA_GROUP), kept in the kernel with the link itself, so the driver tells its own sub-interfaces
/// from ones the administrator made even after a crash, and deletes only its own. 0x8100 is the
/// 802.1Q tag protocol identifier; 0xA in the top nibble keeps it apart from the bridge driver's
/// 0xB0000000..0xBFFFFFFF groups.
/// </summary>
internal static class VlanLinks
{
    public const uint Group = 0xA000_8100;
}
