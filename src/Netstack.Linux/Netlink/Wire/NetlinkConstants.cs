namespace Netstack.Linux.Netlink.Wire;

/// <summary>Message types and flags of include/uapi/linux/netlink.h and rtnetlink.h.</summary>
internal static class Nl
{
    internal const int HeaderLength = 16;   // struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32
    internal const int AttributeHeaderLength = 4; // struct nlattr / rtattr: len u16, type u16
    internal const int Alignment = 4;       // NLMSG_ALIGNTO and NLA_ALIGNTO

    internal const ushort NLMSG_NOOP = 1;
    internal const ushort NLMSG_ERROR = 2;
    internal const ushort NLMSG_DONE = 3;
    internal const ushort NLMSG_OVERRUN = 4;

    internal const ushort NLM_F_REQUEST = 0x01;
    internal const ushort NLM_F_MULTI = 0x02;
    internal const ushort NLM_F_ACK = 0x04;
    internal const ushort NLM_F_DUMP_INTR = 0x10;
    internal const ushort NLM_F_DUMP = 0x300;     // NLM_F_ROOT | NLM_F_MATCH
    internal const ushort NLM_F_REPLACE = 0x100;
    internal const ushort NLM_F_EXCL = 0x200;
    internal const ushort NLM_F_CREATE = 0x400;
    internal const ushort NLM_F_APPEND = 0x800;
    internal const ushort NLM_F_NONREC = 0x100;   // RTM_DELLINK etc. are not recursive
    internal const ushort NLM_F_CAPPED = 0x100;   // on NLMSG_ERROR: the request was not echoed
    internal const ushort NLM_F_ACK_TLVS = 0x200; // on NLMSG_ERROR: extended-ack attributes follow

    internal const ushort NLMSGERR_ATTR_MSG = 1;
    internal const ushort NLMSGERR_ATTR_OFFS = 2;

    internal const ushort NLA_F_NESTED = 0x8000;
    internal const ushort NLA_F_NET_BYTEORDER = 0x4000;
    internal const ushort NLA_TYPE_MASK = 0x3fff;

    internal const ushort RTM_NEWLINK = 16;
    internal const ushort RTM_DELLINK = 17;
    internal const ushort RTM_GETLINK = 18;
    internal const ushort RTM_SETLINK = 19;
    internal const ushort RTM_NEWADDR = 20;
    internal const ushort RTM_DELADDR = 21;
    internal const ushort RTM_GETADDR = 22;
    internal const ushort RTM_NEWROUTE = 24;
    internal const ushort RTM_DELROUTE = 25;
    internal const ushort RTM_GETROUTE = 26;
    internal const ushort RTM_NEWNEIGH = 28;
    internal const ushort RTM_DELNEIGH = 29;
    internal const ushort RTM_GETNEIGH = 30;

    // enum rtnetlink_groups
    internal const int RTNLGRP_LINK = 1;
    internal const int RTNLGRP_NEIGH = 3;
    internal const int RTNLGRP_IPV4_IFADDR = 5;
    internal const int RTNLGRP_IPV6_IFADDR = 9;

    internal static int Align(int length) => (length + Alignment - 1) & ~(Alignment - 1);
}
