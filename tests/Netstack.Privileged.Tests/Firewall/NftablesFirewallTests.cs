using Netstack.Firewall;
using Netstack.Firewall.Nftables;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Firewall;

/// <summary>
/// The nftables backend on a real kernel, inside a test namespace: what it writes is read back
/// with the <c>nft</c> program (test-only; the backend runs none), changes replace one owner's
/// rules only, a refused batch changes nothing, and the drift check finds nothing in what it wrote
/// itself and repairs what somebody else deleted.
/// </summary>
public sealed class NftablesFirewallTests
{
    private static string Ruleset(TestNamespace ns) => ns.Exec("nft", "list", "ruleset");

    // nft lists chains in the order they were made, which a rewrite of the whole table may change;
    // what a chain holds, in order, is what matters.
    private static string Chains(TestNamespace ns) =>
        string.Join("\n", Ruleset(ns).Split("\n\n").Select(b => b.Trim('\n', '\t', '}', ' ')).Order(StringComparer.Ordinal));

    private static FirewallRuleSet Network(string owner, string chain, string subnet, IpFamily family = IpFamily.IPv4) =>
        new(owner, family,
            [new FirewallChain("filter", chain), new FirewallChain("nat", chain)],
            [
                new FirewallRule("filter", chain, "-s", subnet, "-j", "ACCEPT"),
                new FirewallRule("filter", chain, "-d", subnet, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
                new FirewallRule("filter", chain, "-i", "br0", "!", "-o", "br0", "-p", "tcp", "-m", "tcp", "--dport", "8080", "-j", "DROP"),
                FirewallRule.Jump("filter", "FORWARD", chain),
                new FirewallRule("nat", chain, "-s", subnet, "!", "-o", "br0", "-j", "MASQUERADE"),
                new FirewallRule("nat", chain, "-o", "br0", "-m", "addrtype", "--src-type", "LOCAL", "-j", "MASQUERADE"),
                FirewallRule.Jump("nat", "POSTROUTING", chain),
            ]);

    private static FirewallRuleSet Ports(string owner, string chain) =>
        new(owner, IpFamily.IPv4, [new FirewallChain("nat", chain)],
            [
                new FirewallRule("nat", chain, "-p", "tcp", "-m", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "10.1.0.2:80"),
                FirewallRule.Jump("nat", "PREROUTING", chain, "-m", "addrtype", "--dst-type", "LOCAL"),
                FirewallRule.Jump("nat", "OUTPUT", chain, "-m", "addrtype", "--dst-type", "LOCAL"),
            ]);

    [PrivilegedFact]
    public async Task Apply_InsideTestNamespace_WritesNetstacksTable_AndNotOnTheHost()
    {
        using var ns = TestNamespace.Create();
        using var firewall = new NftablesFirewall(ns.Namespace);
        await firewall.ApplyAsync(Network("net-a", "NETSTACK-A", "10.1.0.0/16"));
        await firewall.ApplyAsync(Ports("ports", "NETSTACK-P"));

        var ruleset = Ruleset(ns);
        Assert.Contains("table ip netstack", ruleset, StringComparison.Ordinal);
        Assert.Contains("type filter hook forward priority filter; policy accept;", ruleset, StringComparison.Ordinal);
        Assert.Contains("type nat hook postrouting priority srcnat; policy accept;", ruleset, StringComparison.Ordinal);
        Assert.Contains("type nat hook prerouting priority dstnat; policy accept;", ruleset, StringComparison.Ordinal);
        Assert.Contains("jump filter-NETSTACK-A comment \"netstack:net-a\"", ruleset, StringComparison.Ordinal);
        Assert.Contains("ip saddr 10.1.0.0/16 accept comment \"netstack:net-a\"", ruleset, StringComparison.Ordinal);
        Assert.Contains("ip daddr 10.1.0.0/16 ct state established,related accept", ruleset, StringComparison.Ordinal);
        Assert.Contains("iifname \"br0\" oifname != \"br0\" tcp dport 8080 drop", ruleset, StringComparison.Ordinal);
        Assert.Contains("ip saddr 10.1.0.0/16 oifname != \"br0\" masquerade", ruleset, StringComparison.Ordinal);
        Assert.Contains("oifname \"br0\" fib saddr type local masquerade", ruleset, StringComparison.Ordinal);
        Assert.Contains("fib daddr type local jump nat-NETSTACK-P", ruleset, StringComparison.Ordinal);
        Assert.Contains("dnat to 10.1.0.2:80", ruleset, StringComparison.Ordinal);
        Assert.Equal(["net-a", "ports"], (await firewall.ListOwnersAsync(IpFamily.IPv4)).Order(StringComparer.Ordinal));
        // What it wrote reads back as written: nothing for the drift check to repair.
        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found, (await firewall.RepairAsync(IpFamily.IPv4)).Summary());

        Assert.DoesNotContain("netstack:net-a", TestNamespace.Run("nft", "list", "ruleset"), StringComparison.Ordinal);
        await firewall.RemoveOwnersAsync(["net-a", "ports"], IpFamily.IPv4);
        Assert.DoesNotContain("NETSTACK", Ruleset(ns), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Apply_Twice_AndChanged_ReplacesTheOwnersRulesOnly()
    {
        using var ns = TestNamespace.Create();
        using var firewall = new NftablesFirewall(ns.Namespace);
        var set = Network("net-a", "NETSTACK-A", "10.1.0.0/16");
        await firewall.ApplyAsync(set);
        var first = Ruleset(ns);
        await firewall.ApplyAsync(set);
        Assert.Equal(first, Ruleset(ns));

        await firewall.ApplyAsync(Network("net-b", "NETSTACK-B", "10.2.0.0/16"));
        await firewall.ApplyAsync(Network("net-a", "NETSTACK-A", "10.9.0.0/16"));
        var ruleset = Ruleset(ns);
        Assert.DoesNotContain("10.1.0.0/16", ruleset, StringComparison.Ordinal);
        Assert.Contains("ip saddr 10.9.0.0/16 accept", ruleset, StringComparison.Ordinal);
        Assert.Contains("ip saddr 10.2.0.0/16 accept", ruleset, StringComparison.Ordinal);

        // Dropping a chain from the owner's set deletes it.
        await firewall.ApplyAsync(new FirewallRuleSet("net-a", IpFamily.IPv4, [new FirewallChain("filter", "NETSTACK-A")],
            [FirewallRule.Jump("filter", "FORWARD", "NETSTACK-A")]));
        ruleset = Ruleset(ns);
        Assert.DoesNotContain("chain nat-NETSTACK-A", ruleset, StringComparison.Ordinal);
        Assert.Contains("chain nat-NETSTACK-B", ruleset, StringComparison.Ordinal);
        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found);
    }

    [PrivilegedFact]
    public async Task Apply_IPv6_GoesToTheIp6Table()
    {
        using var ns = TestNamespace.Create();
        using var firewall = new NftablesFirewall(ns.Namespace);
        var set = new FirewallRuleSet("net6", IpFamily.IPv6, [new FirewallChain("filter", "NETSTACK-V6"), new FirewallChain("nat", "NETSTACK-V6")],
            [
                new FirewallRule("filter", "NETSTACK-V6", "-s", "fd00:1::/64", "-j", "ACCEPT"),
                FirewallRule.Jump("filter", "FORWARD", "NETSTACK-V6"),
                new FirewallRule("nat", "NETSTACK-V6", "!", "-s", "fe80::/10", "-p", "tcp", "-m", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "[fd00:1::2]:80"),
                FirewallRule.Jump("nat", "OUTPUT", "NETSTACK-V6", "!", "-d", "::1/128", "-m", "addrtype", "--dst-type", "LOCAL"),
            ]);
        await firewall.ApplyAsync(set);
        var ruleset = Ruleset(ns);
        Assert.Contains("table ip6 netstack", ruleset, StringComparison.Ordinal);
        Assert.Contains("ip6 saddr fd00:1::/64 accept", ruleset, StringComparison.Ordinal);
        Assert.Contains("dnat to [fd00:1::2]:80", ruleset, StringComparison.Ordinal);
        Assert.Contains("ip6 daddr != ::1 fib daddr type local jump nat-NETSTACK-V6", ruleset, StringComparison.Ordinal);
        Assert.DoesNotContain("table ip netstack", ruleset, StringComparison.Ordinal);
        Assert.False((await firewall.RepairAsync(IpFamily.IPv6)).Found, (await firewall.RepairAsync(IpFamily.IPv6)).Summary());
        await firewall.RemoveOwnerAsync("net6", IpFamily.IPv6);
        Assert.DoesNotContain("NETSTACK-V6", Ruleset(ns), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Apply_RuleTheKernelRefuses_ChangesNothingAndReportsIt()
    {
        using var ns = TestNamespace.Create();
        using var firewall = new NftablesFirewall(ns.Namespace);
        await firewall.ApplyAsync(Network("net-a", "NETSTACK-A", "10.1.0.0/16"));
        var before = Ruleset(ns);
        // Masquerade reached from PREROUTING: the kernel refuses the jump (masq is for postrouting only).
        var bad = new FirewallRuleSet("net-b", IpFamily.IPv4, [new FirewallChain("nat", "NETSTACK-B")],
            [new FirewallRule("nat", "NETSTACK-B", "-j", "MASQUERADE"), FirewallRule.Jump("nat", "PREROUTING", "NETSTACK-B")]);
        var thrown = await Assert.ThrowsAsync<FirewallException>(() => firewall.ApplyAsync(bad));
        Assert.Contains("nftables", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(before, Ruleset(ns));
        // The view was dropped with the refusal: the next change still applies.
        await firewall.ApplyAsync(Network("net-c", "NETSTACK-C", "10.3.0.0/16"));
        Assert.Contains("10.3.0.0/16", Ruleset(ns), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Repair_AfterTheTableIsDeletedOrARuleFlushed_WritesItAllAgain()
    {
        using var ns = TestNamespace.Create();
        using var firewall = new NftablesFirewall(ns.Namespace);
        await firewall.ApplyAsync(Network("net-a", "NETSTACK-A", "10.1.0.0/16"));
        await firewall.ApplyAsync(Ports("ports", "NETSTACK-P"));
        var written = Chains(ns);

        ns.Exec("nft", "flush", "chain", "ip", "netstack", "filter-NETSTACK-A");
        ns.Exec("nft", "add", "rule", "ip", "netstack", "nat-NETSTACK-P", "accept");
        var drift = await firewall.RepairAsync(IpFamily.IPv4);
        Assert.True(drift.Found && drift.Repaired, drift.Summary());
        Assert.NotEmpty(drift.Missing);
        Assert.NotEmpty(drift.Unexpected);
        Assert.Equal(written, Chains(ns));

        ns.Exec("nft", "delete", "table", "ip", "netstack");
        drift = await firewall.RepairAsync(IpFamily.IPv4);
        Assert.True(drift.Repaired, drift.Summary());
        Assert.Equal(written, Chains(ns));
        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found);

        // A change after somebody else's deletion, from a view gone stale, still lands whole.
        ns.Exec("nft", "delete", "table", "ip", "netstack");
        await firewall.ApplyAsync(Network("net-b", "NETSTACK-B", "10.2.0.0/16"));
        Assert.Contains("10.2.0.0/16", Ruleset(ns), StringComparison.Ordinal);
    }
}
