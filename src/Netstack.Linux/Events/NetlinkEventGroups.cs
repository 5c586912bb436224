namespace Netstack.Linux;

/// <summary>Which rtnetlink multicast groups to listen to.</summary>
[Flags]
public enum NetlinkEventGroups
{
    None = 0,

    /// <summary>RTNLGRP_LINK.</summary>
    Link = 1,

    /// <summary>RTNLGRP_IPV4_IFADDR.</summary>
    IPv4Address = 2,

    /// <summary>RTNLGRP_IPV6_IFADDR.</summary>
    IPv6Address = 4,

    /// <summary>RTNLGRP_NEIGH: neighbour and FDB changes, and VXLAN l2miss/l3miss.</summary>
    Neighbour = 8,

    All = Link | IPv4Address | IPv6Address | Neighbour,
}
