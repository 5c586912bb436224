namespace Netstack.Linux.Netlink.Wire;

/// <summary>struct rtmsg and RTA_* of include/uapi/linux/rtnetlink.h.</summary>
internal static class Rta
{
    internal const int MessageLength = 12; // family, dst_len, src_len, tos, table, protocol, scope, type (u8 each), flags u32

    internal const ushort DST = 1;
    internal const ushort SRC = 2;
    internal const ushort IIF = 3;
    internal const ushort OIF = 4;
    internal const ushort GATEWAY = 5;
    internal const ushort PRIORITY = 6;
    internal const ushort PREFSRC = 7;
    internal const ushort TABLE = 15;

    internal const byte RTN_UNICAST = 1;
    internal const byte RTN_LOCAL = 2;
    internal const byte RTPROT_BOOT = 3;   // what `ip route add` uses
    internal const byte RT_TABLE_UNSPEC = 0;
    internal const byte RT_TABLE_MAIN = 254;
    internal const uint RTNH_F_ONLINK = 4;
}
