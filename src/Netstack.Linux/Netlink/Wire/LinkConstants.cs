namespace Netstack.Linux.Netlink.Wire;

/// <summary>struct ifinfomsg and the IFLA_* attributes of include/uapi/linux/if_link.h.</summary>
internal static class Ifla
{
    internal const int InfoMessageLength = 16; // ifinfomsg: family u8, pad u8, type u16, index s32, flags u32, change u32

    internal const ushort ADDRESS = 1;
    internal const ushort BROADCAST = 2;
    internal const ushort IFNAME = 3;
    internal const ushort MTU = 4;
    internal const ushort LINK = 5;
    internal const ushort MASTER = 10;
    internal const ushort PROTINFO = 12;
    internal const ushort TXQLEN = 13;
    internal const ushort OPERSTATE = 16;
    internal const ushort LINKINFO = 18;
    internal const ushort NET_NS_PID = 19;
    internal const ushort IFALIAS = 20;

    /// <summary>IFLA_STATS64: struct rtnl_link_stats64, the device's counters as 64-bit values.</summary>
    internal const ushort STATS64 = 23;
    internal const ushort GROUP = 27;
    internal const ushort NET_NS_FD = 28;
    internal const ushort LINK_NETNSID = 37;

    internal const ushort INFO_KIND = 1;
    internal const ushort INFO_DATA = 2;
    internal const ushort INFO_SLAVE_KIND = 4;
    internal const ushort INFO_SLAVE_DATA = 5;

    // include/uapi/linux/veth.h
    internal const ushort VETH_INFO_PEER = 1;

    // IFLA_VXLAN_*
    internal const ushort VXLAN_ID = 1;
    internal const ushort VXLAN_GROUP = 2;
    internal const ushort VXLAN_LINK = 3;
    internal const ushort VXLAN_LOCAL = 4;
    internal const ushort VXLAN_TTL = 5;
    internal const ushort VXLAN_TOS = 6;
    internal const ushort VXLAN_LEARNING = 7;
    internal const ushort VXLAN_AGEING = 8;
    internal const ushort VXLAN_LIMIT = 9;
    internal const ushort VXLAN_PORT_RANGE = 10;
    internal const ushort VXLAN_PROXY = 11;
    internal const ushort VXLAN_RSC = 12;
    internal const ushort VXLAN_L2MISS = 13;
    internal const ushort VXLAN_L3MISS = 14;
    internal const ushort VXLAN_PORT = 15;   // be16
    internal const ushort VXLAN_GROUP6 = 16;
    internal const ushort VXLAN_LOCAL6 = 17;

    // IFLA_MACVLAN_*
    internal const ushort MACVLAN_MODE = 1;

    // IFLA_VLAN_*
    internal const ushort VLAN_ID = 1;
    internal const ushort VLAN_PROTOCOL = 5;  // be16

    // IFLA_BRPORT_* inside IFLA_PROTINFO (AF_BRIDGE) or IFLA_INFO_SLAVE_DATA
    internal const ushort BRPORT_MODE = 4;   // hairpin
    internal const ushort BRPORT_LEARNING = 8;

    // include/uapi/linux/if.h
    internal const uint IFF_UP = 0x1;
    internal const uint IFF_BROADCAST = 0x2;
    internal const uint IFF_LOOPBACK = 0x8;
    internal const uint IFF_RUNNING = 0x40;
    internal const uint IFF_NOARP = 0x80;
    internal const uint IFF_LOWER_UP = 0x10000;
}
