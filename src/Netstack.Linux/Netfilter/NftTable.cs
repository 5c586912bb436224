namespace Netstack.Linux.Netfilter;

/// <summary>
/// The hook of a base chain: <c>type TYPE hook HOOK priority PRIORITY; policy accept;</c>.
/// <see cref="HookNumber"/> is NF_INET_PRE_ROUTING (0), LOCAL_IN (1), FORWARD (2), LOCAL_OUT (3)
/// or POST_ROUTING (4).
/// </summary>
public sealed record NftHook(string Type, uint HookNumber, int Priority)
{
    public const uint PreRouting = 0;
    public const uint Input = 1;
    public const uint Forward = 2;
    public const uint Output = 3;
    public const uint PostRouting = 4;

    /// <summary>NF_IP_PRI_NAT_DST: where DNAT happens (<c>priority dstnat</c>).</summary>
    public const int DestinationNatPriority = -100;

    /// <summary>NF_IP_PRI_FILTER (<c>priority filter</c>).</summary>
    public const int FilterPriority = 0;

    /// <summary>NF_IP_PRI_NAT_SRC: where SNAT and masquerade happen (<c>priority srcnat</c>).</summary>
    public const int SourceNatPriority = 100;
}

/// <summary>A chain read from the kernel: its hook (a base chain) or none (a regular chain), and its rules in order.</summary>
public sealed record NftChain(string Name, NftHook? Hook, IReadOnlyList<NftRule> Rules, bool PolicyAccept = true);

/// <summary>One table as read from the kernel (<c>nft list table FAMILY NAME</c>): its chains by name.</summary>
public sealed record NftTable(NftFamily Family, string Name, IReadOnlyDictionary<string, NftChain> Chains);
