namespace Netstack.Linux.Netlink.Wire;

/// <summary>struct ndmsg, NDA_*, NUD_* and NTF_* of include/uapi/linux/neighbour.h.</summary>
internal static class Nda
{
    internal const int MessageLength = 12; // family u8, pad u8, pad u16, ifindex s32, state u16, flags u8, type u8

    internal const ushort DST = 1;
    internal const ushort LLADDR = 2;
    internal const ushort VLAN = 5;
    internal const ushort PORT = 6;
    internal const ushort VNI = 7;
    internal const ushort IFINDEX = 8;
    internal const ushort MASTER = 9;

    internal const ushort NUD_INCOMPLETE = 0x01;
    internal const ushort NUD_REACHABLE = 0x02;
    internal const ushort NUD_STALE = 0x04;
    internal const ushort NUD_NOARP = 0x40;
    internal const ushort NUD_PERMANENT = 0x80;

    internal const byte NTF_USE = 0x01;
    internal const byte NTF_SELF = 0x02;
    internal const byte NTF_MASTER = 0x04;
    internal const byte NTF_PROXY = 0x08;
}
