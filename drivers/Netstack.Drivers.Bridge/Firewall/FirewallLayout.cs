using Netstack.Firewall;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// The chains netstack owns in one family's tables and how the kernel's built-in chains reach
/// them: each anchor is a rule that must sit at the top of its chain, in the listed order, owned by
/// <see cref="BaseOwner"/>. Everything else is appended by owners (networks, endpoints) below the anchors.
/// </summary>
internal sealed record FirewallLayout(IpFamily Family, IReadOnlyList<(string Table, string Chain)> Chains, IReadOnlyList<BridgeRule> Anchors)
{
    public const string BaseOwner = NetstackFirewall.BaseOwner;
}

/// <summary>
/// The bridge driver's chains, after Docker's (DOCKER, DOCKER-ISOLATION-STAGE-1/2, the nat DOCKER
/// chain) with netstack's names; the same names in iptables and ip6tables.
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

    /// <summary>The IPv4 layout (iptables).</summary>
    public static FirewallLayout Layout { get; } = Build(IpFamily.IPv4);

    /// <summary>The IPv6 layout (ip6tables).</summary>
    public static FirewallLayout LayoutV6 { get; } = Build(IpFamily.IPv6);

    public static FirewallLayout For(IpFamily family) => family == IpFamily.IPv6 ? LayoutV6 : Layout;

    private static FirewallLayout Build(IpFamily family)
    {
        // Only traffic to the host's own addresses is DNATed (addrtype LOCAL), from outside
        // (PREROUTING) and from the host itself (OUTPUT). For IPv4 that includes 127.0.0.1, which
        // route_localnet lets the kernel route to the bridge. IPv6 has no route_localnet: a packet
        // from ::1 is never routed out of lo (RFC 4291 2.5.3), so a DNAT of [::1]:PORT would only
        // black-hole the connection; ::1 is left out and the host's connection is refused at once
        // (Docker leaves ::1 to its userland proxy the same way).
        var output = family == IpFamily.IPv6
            ? $"! -d ::1/128 -m addrtype --dst-type LOCAL -j {Dnat}"
            : $"-m addrtype --dst-type LOCAL -j {Dnat}";
        return new(
            family,
            [
                (FirewallTables.Filter, Forward),
                (FirewallTables.Filter, Isolation1),
                (FirewallTables.Filter, Isolation2),
                (FirewallTables.Filter, Ports),
                (FirewallTables.Nat, Dnat),
                (FirewallTables.Nat, Postrouting),
            ],
            [
                new(FirewallTables.Filter, "FORWARD", $"-j {Forward}") { Family = family },
                // Isolation comes first, as in Docker: no accept below may let traffic cross networks.
                new(FirewallTables.Filter, Forward, $"-j {Isolation1}") { Family = family },
                new(FirewallTables.Filter, Forward, $"-j {Ports}") { Family = family },
                new(FirewallTables.Nat, "PREROUTING", $"-m addrtype --dst-type LOCAL -j {Dnat}") { Family = family },
                new(FirewallTables.Nat, "OUTPUT", output) { Family = family },
                new(FirewallTables.Nat, "POSTROUTING", $"-j {Postrouting}") { Family = family },
            ]);
    }
}
