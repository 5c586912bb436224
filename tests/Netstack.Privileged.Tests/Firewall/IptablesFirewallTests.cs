using Netstack.Firewall;
using Netstack.Firewall.Iptables;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Firewall;

public sealed class IptablesFirewallTests
{
    private static string Save(TestNamespace ns, string program = "iptables-save") =>
        string.Join('\n', ns.Exec(program).Split('\n').Where(l => !l.StartsWith('#')));

    private static FirewallRuleSet Network(string owner, string chain, string subnet, IpFamily family = IpFamily.IPv4) =>
        new(owner, family,
            [new FirewallChain("filter", chain), new FirewallChain("nat", chain)],
            [
                new FirewallRule("filter", chain, "-s", subnet, "-j", "ACCEPT"),
                new FirewallRule("filter", chain, "-d", subnet, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
                FirewallRule.Jump("filter", "FORWARD", chain),
                new FirewallRule("nat", chain, "-s", subnet, "!", "-o", "br0", "-j", "MASQUERADE"),
                FirewallRule.Jump("nat", "POSTROUTING", chain),
            ]);

    [PrivilegedFact]
    public async Task Apply_InsideTestNamespace_CreatesChainsRulesAndJumps_AndNotOnTheHost()
    {
        using var ns = TestNamespace.Create();
        var firewall = new IptablesFirewall(ns.Namespace);
        await firewall.ApplyAsync(Network("net-a", "NETSTACK-A", "10.1.0.0/16"));

        var save = Save(ns);
        Assert.Contains(":NETSTACK-A - [0:0]", save, StringComparison.Ordinal);
        Assert.Contains("-A FORWARD -m comment --comment \"netstack:net-a\" -j NETSTACK-A", save, StringComparison.Ordinal);
        Assert.Contains("-A NETSTACK-A -s 10.1.0.0/16 -m comment --comment \"netstack:net-a\" -j ACCEPT", save, StringComparison.Ordinal);
        Assert.Contains("-A POSTROUTING -m comment --comment \"netstack:net-a\" -j NETSTACK-A", save, StringComparison.Ordinal);
        Assert.Contains("MASQUERADE", save, StringComparison.Ordinal);
        Assert.Equal(["net-a"], await firewall.ListOwnersAsync(IpFamily.IPv4));

        // The rules went into the test namespace's tables, not the machine's.
        Assert.DoesNotContain("netstack:net-a", TestNamespace.Run("iptables-save"), StringComparison.Ordinal);

        await firewall.RemoveOwnerAsync("net-a", IpFamily.IPv4);
    }

    [PrivilegedFact]
    public async Task Apply_Twice_LeavesTheSameRules()
    {
        using var ns = TestNamespace.Create();
        var firewall = new IptablesFirewall(ns.Namespace);
        var set = Network("net-a", "NETSTACK-A", "10.1.0.0/16");
        await firewall.ApplyAsync(set);
        var first = Save(ns);
        await firewall.ApplyAsync(set);
        Assert.Equal(first, Save(ns));
        Assert.Single(Save(ns).Split('\n'), l => l.StartsWith("-A FORWARD", StringComparison.Ordinal));
    }

    [PrivilegedFact]
    public async Task Apply_ChangedRuleSet_ReplacesTheOwnersRulesOnly()
    {
        using var ns = TestNamespace.Create();
        var firewall = new IptablesFirewall(ns.Namespace);
        await firewall.ApplyAsync(Network("net-a", "NETSTACK-A", "10.1.0.0/16"));
        await firewall.ApplyAsync(Network("net-b", "NETSTACK-B", "10.2.0.0/16"));
        await firewall.ApplyAsync(Network("net-a", "NETSTACK-A", "10.9.0.0/16"));

        var save = Save(ns);
        Assert.DoesNotContain("10.1.0.0/16", save, StringComparison.Ordinal);
        Assert.Contains("-A NETSTACK-A -s 10.9.0.0/16", save, StringComparison.Ordinal);
        Assert.Contains("-A NETSTACK-B -s 10.2.0.0/16", save, StringComparison.Ordinal);

        // Dropping a chain from the owner's set deletes it.
        await firewall.ApplyAsync(new FirewallRuleSet("net-a", IpFamily.IPv4, [new FirewallChain("filter", "NETSTACK-A")],
            [FirewallRule.Jump("filter", "FORWARD", "NETSTACK-A")]));
        Assert.DoesNotContain(":NETSTACK-A", ns.Exec("iptables-save", "-t", "nat"), StringComparison.Ordinal);
        Assert.Contains(":NETSTACK-B", ns.Exec("iptables-save", "-t", "nat"), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task RemoveOwner_LeavesForeignChainsRulesAndOtherOwnersUntouched()
    {
        using var ns = TestNamespace.Create();
        ns.Exec("iptables", "-N", "FOREIGN");
        ns.Exec("iptables", "-A", "FOREIGN", "-s", "192.0.2.0/24", "-j", "ACCEPT");
        ns.Exec("iptables", "-A", "FORWARD", "-j", "FOREIGN");
        ns.Exec("iptables", "-P", "FORWARD", "DROP");
        var before = Save(ns);

        var firewall = new IptablesFirewall(ns.Namespace);
        await firewall.ApplyAsync(Network("net-a", "NETSTACK-A", "10.1.0.0/16"));
        await firewall.ApplyAsync(Network("net-b", "NETSTACK-B", "10.2.0.0/16"));
        await firewall.RemoveOwnerAsync("net-a", IpFamily.IPv4);

        var save = Save(ns);
        Assert.DoesNotContain("NETSTACK-A", save, StringComparison.Ordinal);
        Assert.Contains("-A FOREIGN -s 192.0.2.0/24 -j ACCEPT", save, StringComparison.Ordinal);
        Assert.Contains("-A FORWARD -j FOREIGN", save, StringComparison.Ordinal);
        Assert.Contains(":FORWARD DROP", save, StringComparison.Ordinal);
        Assert.Contains("NETSTACK-B", save, StringComparison.Ordinal);

        await firewall.RemoveOwnerAsync("net-b", IpFamily.IPv4);
        await firewall.RemoveOwnerAsync("net-b", IpFamily.IPv4); // nothing left: no error
        Assert.Equal(Filter(before), Filter(Save(ns)));
        Assert.Empty(await firewall.ListOwnersAsync(IpFamily.IPv4));

        // nf_tables keeps an emptied nat table around; compare the filter table, which existed before.
        static string Filter(string save)
        {
            var start = save.IndexOf("*filter", StringComparison.Ordinal);
            return save[start..save.IndexOf("COMMIT", start, StringComparison.Ordinal)];
        }
    }

    [PrivilegedFact]
    public async Task Apply_IPv6_UsesIp6tables()
    {
        using var ns = TestNamespace.Create();
        var firewall = new IptablesFirewall(ns.Namespace);
        var set = new FirewallRuleSet("net6", IpFamily.IPv6, [new FirewallChain("filter", "NETSTACK-V6")],
            [new FirewallRule("filter", "NETSTACK-V6", "-s", "fd00:1::/64", "-j", "ACCEPT"), FirewallRule.Jump("filter", "FORWARD", "NETSTACK-V6")]);
        await firewall.ApplyAsync(set);
        Assert.Contains("-A NETSTACK-V6 -s fd00:1::/64", Save(ns, "ip6tables-save"), StringComparison.Ordinal);
        Assert.DoesNotContain("NETSTACK-V6", Save(ns), StringComparison.Ordinal);
        await firewall.RemoveOwnerAsync("net6", IpFamily.IPv6);
        Assert.DoesNotContain("NETSTACK-V6", Save(ns, "ip6tables-save"), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Apply_RuleIptablesRejects_ChangesNothingAndReportsIt()
    {
        using var ns = TestNamespace.Create();
        var firewall = new IptablesFirewall(ns.Namespace);
        await firewall.ApplyAsync(Network("net-a", "NETSTACK-A", "10.1.0.0/16"));
        var before = Save(ns);
        var bad = new FirewallRuleSet("net-a", IpFamily.IPv4, [new FirewallChain("filter", "NETSTACK-A")],
            [new FirewallRule("filter", "NETSTACK-A", "-s", "10.300.0.0/16", "-j", "ACCEPT")]);
        var thrown = await Assert.ThrowsAsync<FirewallException>(() => firewall.ApplyAsync(bad));
        Assert.Contains("iptables-restore", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(before, Save(ns)); // the filter transaction was refused as a whole
    }
}
