namespace Netstack.Linux.Netlink.Wire;

/// <summary>struct ifaddrmsg and IFA_* of include/uapi/linux/if_addr.h.</summary>
internal static class Ifa
{
    internal const int MessageLength = 8; // family u8, prefixlen u8, flags u8, scope u8, index u32

    internal const ushort ADDRESS = 1;
    internal const ushort LOCAL = 2;
    internal const ushort LABEL = 3;
    internal const ushort BROADCAST = 4;
    internal const ushort CACHEINFO = 6;
    internal const ushort FLAGS = 8;

    internal const uint F_NODAD = 0x02;
    internal const uint F_PERMANENT = 0x80;
}
