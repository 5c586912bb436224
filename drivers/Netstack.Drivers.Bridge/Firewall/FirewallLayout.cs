namespace Netstack.Drivers.Bridge;

/// <summary>
/// The chains netstack owns and how the kernel's built-in chains reach them: each anchor is a rule
/// that must sit at the top of its chain, in the listed order, owned by <see cref="BaseOwner"/>.
/// Everything else is appended by owners (networks, endpoints) below the anchors.
/// </summary>
internal sealed record FirewallLayout(IReadOnlyList<(string Table, string Chain)> Chains, IReadOnlyList<BridgeRule> Anchors)
{
    public const string BaseOwner = NetstackFirewall.BaseOwner;
}

/// <summary>
/// The bridge driver's chains, after Docker's (DOCKER, DOCKER-ISOLATION-STAGE-1/2, the nat DOCKER
/// chain) with netstack's names.
/// </summary>
internal static class BridgeChains
{
    /// <summary>filter: jumped to from FORWARD; holds the per-network accept/drop rules.</summary>
    public const string Forward = "NETSTACK-FORWARD";

    /// <summary>filter: per bridge, traffic leaving it for another interface goes to stage 2 (Docker's DOCKER-ISOLATION-STAGE-1).</summary>
    public const string Isolation1 = "NETSTACK-ISOLATION-1";

    /// <summary>filter: drops what stage 1 sent here when it is going out of another netstack bridge.</summary>
    public const string Isolation2 = "NETSTACK-ISOLATION-2";

    /// <summary>filter: accepts for published ports (Docker's filter DOCKER chain).</summary>
    public const string Ports = "NETSTACK-PORTS";

    /// <summary>nat: DNAT of published ports (Docker's nat DOCKER chain), for local destinations only.</summary>
    public const string Dnat = "NETSTACK-DNAT";

    /// <summary>nat: MASQUERADE rules, jumped to from POSTROUTING.</summary>
    public const string Postrouting = "NETSTACK-POSTROUTING";

    public static FirewallLayout Layout { get; } = new(
        [
            (FirewallTables.Filter, Forward),
            (FirewallTables.Filter, Isolation1),
            (FirewallTables.Filter, Isolation2),
            (FirewallTables.Filter, Ports),
            (FirewallTables.Nat, Dnat),
            (FirewallTables.Nat, Postrouting),
        ],
        [
            new(FirewallTables.Filter, "FORWARD", $"-j {Forward}"),
            // Isolation comes first, as in Docker: no accept below may let traffic cross networks.
            new(FirewallTables.Filter, Forward, $"-j {Isolation1}"),
            new(FirewallTables.Filter, Forward, $"-j {Ports}"),
            // Only traffic to the host's own addresses is DNATed (addrtype LOCAL), from outside
            // (PREROUTING) and from the host itself, 127.0.0.1 included (OUTPUT), as Docker does
            // without its userland proxy.
            new(FirewallTables.Nat, "PREROUTING", $"-m addrtype --dst-type LOCAL -j {Dnat}"),
            new(FirewallTables.Nat, "OUTPUT", $"-m addrtype --dst-type LOCAL -j {Dnat}"),
            new(FirewallTables.Nat, "POSTROUTING", $"-j {Postrouting}"),
        ]);
}
