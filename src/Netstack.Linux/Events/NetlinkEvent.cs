namespace Netstack.Linux;

/// <summary>A change the kernel announced on an rtnetlink multicast group.</summary>
public abstract record NetlinkEvent;

/// <summary>A link appeared or changed (RTM_NEWLINK) or went away (RTM_DELLINK).</summary>
public sealed record LinkEvent(bool Deleted, Link Link) : NetlinkEvent;

/// <summary>An address was added (RTM_NEWADDR) or removed (RTM_DELADDR).</summary>
public sealed record AddressEvent(bool Deleted, AddressInfo Address) : NetlinkEvent;

/// <summary>What a neighbour notification says.</summary>
public enum NeighbourEventKind
{
    /// <summary>RTM_NEWNEIGH: an entry was created or changed.</summary>
    Added,

    /// <summary>RTM_DELNEIGH: an entry was removed.</summary>
    Deleted,

    /// <summary>
    /// RTM_GETNEIGH: a lookup missed and someone should supply the entry. A VXLAN device with
    /// l2miss reports an unknown MAC (AF_BRIDGE, MAC set); with l3miss an IP without a neighbour
    /// entry (address set).
    /// </summary>
    Miss,
}

/// <summary>
/// A neighbour or FDB notification. <see cref="IsBridge"/> marks AF_BRIDGE (FDB) entries. VXLAN
/// miss notifications come in family AF_INET/AF_INET6 (the kernel's vxlan_fdb_info), so they are
/// told apart by what they carry: <see cref="IsL2Miss"/> a MAC only, <see cref="IsL3Miss"/> an address.
/// </summary>
public sealed record NeighbourEvent(NeighbourEventKind Kind, bool IsBridge, Neighbour Entry) : NetlinkEvent
{
    /// <summary>A VXLAN l2miss: the destination MAC had no FDB entry.</summary>
    public bool IsL2Miss => Kind == NeighbourEventKind.Miss && Entry.MacAddress is not null && Entry.Address is null;

    /// <summary>A VXLAN l3miss: the destination IP had no neighbour entry.</summary>
    public bool IsL3Miss => Kind == NeighbourEventKind.Miss && Entry.Address is not null;
}

/// <summary>Events were lost (the receive buffer overflowed, or a datagram did not decode); re-read the state you track.</summary>
public sealed record EventsLostEvent : NetlinkEvent;
