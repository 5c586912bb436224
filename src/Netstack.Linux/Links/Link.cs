using System.Net;
using System.Net.NetworkInformation;

namespace Netstack.Linux;

/// <summary>A link as the kernel reports it (RTM_NEWLINK), what <c>ip -d link show</c> prints.</summary>
public sealed record Link
{
    public required int Index { get; init; }

    public required string Name { get; init; }

    /// <summary>IFLA_INFO_KIND, or null for devices without rtnl_link_ops (lo, physical NICs).</summary>
    public string? Kind { get; init; }

    /// <summary>IFF_* flags (if.h).</summary>
    public uint Flags { get; init; }

    public bool IsUp => (Flags & 0x1) != 0;

    public int Mtu { get; init; }

    public PhysicalAddress? MacAddress { get; init; }

    /// <summary>ifindex of the master (bridge), 0 if none.</summary>
    public int MasterIndex { get; init; }

    /// <summary>IFLA_LINK: the parent (macvlan, vlan) or the veth peer's ifindex, 0 if none.</summary>
    public int ParentIndex { get; init; }

    public uint Group { get; init; }

    /// <summary>IFLA_OPERSTATE (RFC 2863): 0 unknown, 2 down, 6 up, ...</summary>
    public byte OperState { get; init; }

    /// <summary>For a VXLAN device, its settings.</summary>
    public VxlanInfo? Vxlan { get; init; }

    /// <summary>For a macvlan, its mode.</summary>
    public MacvlanMode? MacvlanMode { get; init; }

    /// <summary>The device's counters, when they were asked for (<see cref="NetlinkHandle.LinkListWithStatistics"/>).</summary>
    public LinkStatistics? Statistics { get; init; }
}

/// <summary>A device's traffic counters (IFLA_STATS64), what <c>ip -s link show</c> prints.</summary>
public sealed record LinkStatistics(
    ulong RxPackets, ulong TxPackets, ulong RxBytes, ulong TxBytes,
    ulong RxErrors, ulong TxErrors, ulong RxDropped, ulong TxDropped);

/// <summary>The VXLAN settings the kernel reports in IFLA_INFO_DATA.</summary>
public sealed record VxlanInfo(uint Vni, ushort Port, IPAddress? Local, IPAddress? Remote, int UnderlayIndex,
    bool Learning, bool Proxy, bool L2Miss, bool L3Miss, byte Ttl);
