using Netstack.Firewall;
using Netstack.Firewall.Iptables;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Firewall;

/// <summary>IPv6 rule sets applied with ip6tables-restore inside throwaway namespaces and read back with ip6tables-save.</summary>
public sealed class Ip6tablesFirewallTests
{
    private static string Save6(TestNamespace ns) =>
        string.Join('\n', ns.Exec("ip6tables-save").Split('\n').Where(l => !l.StartsWith('#')));

    private static string Save4(TestNamespace ns) =>
        string.Join('\n', ns.Exec("iptables-save").Split('\n').Where(l => !l.StartsWith('#')));

    // MASQUERADE is valid only below POSTROUTING and DNAT only below PREROUTING/OUTPUT, so each
    // has its own nat chain (the kernel refuses a jump to a chain holding the other).
    private static FirewallRuleSet Network6(string owner, string chain, string subnet, string container) =>
        new(owner, IpFamily.IPv6,
            [new FirewallChain("filter", chain), new FirewallChain("nat", chain), new FirewallChain("nat", chain + "D")],
            [
                new FirewallRule("filter", chain, "-s", subnet, "-j", "ACCEPT"),
                new FirewallRule("filter", chain, "-d", subnet, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
                FirewallRule.Jump("filter", "FORWARD", chain),
                new FirewallRule("nat", chain, "-s", subnet, "!", "-o", "br0", "-j", "MASQUERADE"),
                new FirewallRule("nat", chain + "D", "!", "-s", "fe80::/10", "-p", "tcp", "-m", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", $"[{container}]:80"),
                FirewallRule.Jump("nat", "POSTROUTING", chain),
                FirewallRule.Jump("nat", "OUTPUT", chain + "D", "!", "-d", "::1/128", "-m", "addrtype", "--dst-type", "LOCAL"),
            ]);

    [PrivilegedFact]
    public void Kernel_HasIp6tablesNatInATestNamespace()
    {
        // The driver's IPv6 masquerade and published ports need the ip6 nat table; fail loudly here
        // (not deep in a driver test) when the kernel lacks it.
        using var ns = TestNamespace.Create();
        var (code, _, error) = ns.TryExec("ip6tables", "-t", "nat", "-L", "-n");
        Assert.True(code == 0, $"ip6tables -t nat -L failed: {error}");
    }

    [PrivilegedFact]
    public async Task Apply_IPv6_CreatesChainsRulesAndJumps_InIp6tablesOnly()
    {
        using var ns = TestNamespace.Create();
        var firewall = new IptablesFirewall(ns.Namespace);
        var before4 = Save4(ns);

        await firewall.ApplyAsync(Network6("net6", "NETSTACK-V6", "fd00:61::/64", "fd00:61::2"));

        var save = Save6(ns);
        Assert.Contains(":NETSTACK-V6 - [0:0]", save, StringComparison.Ordinal);
        Assert.Contains("-A FORWARD -m comment --comment \"netstack:net6\" -j NETSTACK-V6", save, StringComparison.Ordinal);
        Assert.Contains("-A NETSTACK-V6 -s fd00:61::/64 -m comment --comment \"netstack:net6\" -j ACCEPT", save, StringComparison.Ordinal);
        Assert.Contains("-A NETSTACK-V6 -s fd00:61::/64 ! -o br0 -m comment --comment \"netstack:net6\" -j MASQUERADE", save, StringComparison.Ordinal);
        Assert.Contains("-A NETSTACK-V6D ! -s fe80::/10 -p tcp -m comment --comment \"netstack:net6\" -m tcp --dport 8080 -j DNAT --to-destination [fd00:61::2]:80", save, StringComparison.Ordinal);
        Assert.Contains("-A OUTPUT ! -d ::1/128 -m comment --comment \"netstack:net6\" -m addrtype --dst-type LOCAL -j NETSTACK-V6D", save, StringComparison.Ordinal);
        Assert.Equal(["net6"], await firewall.ListOwnersAsync(IpFamily.IPv6));
        Assert.Empty(await firewall.ListOwnersAsync(IpFamily.IPv4));
        Assert.Equal(before4, Save4(ns));
        // The machine's own ip6tables were not touched.
        Assert.DoesNotContain("netstack:net6", TestNamespace.Run("ip6tables-save"), StringComparison.Ordinal);

        await firewall.RemoveOwnerAsync("net6", IpFamily.IPv6);
        Assert.DoesNotContain("NETSTACK", Save6(ns), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Apply_IPv6Twice_SameRules_ChangedSet_ReplacesOnlyTheOwners()
    {
        using var ns = TestNamespace.Create();
        var firewall = new IptablesFirewall(ns.Namespace);
        await firewall.ApplyAsync(Network6("net-a", "NETSTACK-A", "fd00:62::/64", "fd00:62::2"));
        var first = Save6(ns);

        await firewall.ApplyAsync(Network6("net-a", "NETSTACK-A", "fd00:62::/64", "fd00:62::2"));
        Assert.Equal(first, Save6(ns));

        await firewall.ApplyAsync(Network6("net-b", "NETSTACK-B", "fd00:63::/64", "fd00:63::2"));
        await firewall.ApplyAsync(Network6("net-a", "NETSTACK-A", "fd00:62::/64", "fd00:62::9"));
        var save = Save6(ns);
        Assert.DoesNotContain("[fd00:62::2]", save, StringComparison.Ordinal);
        Assert.Contains("--to-destination [fd00:62::9]:80", save, StringComparison.Ordinal);
        Assert.Contains("--to-destination [fd00:63::2]:80", save, StringComparison.Ordinal);
        Assert.Equal(2, save.Split('\n').Count(l => l.StartsWith("-A FORWARD", StringComparison.Ordinal)));
    }

    [PrivilegedFact]
    public async Task SameOwnerInBothFamilies_RemovingIPv6_LeavesIPv4_AndForeignIPv6RulesStay()
    {
        using var ns = TestNamespace.Create();
        ns.Exec("ip6tables", "-N", "FOREIGN");
        ns.Exec("ip6tables", "-A", "FOREIGN", "-s", "2001:db8::/32", "-j", "ACCEPT");
        ns.Exec("ip6tables", "-A", "FORWARD", "-j", "FOREIGN");
        ns.Exec("ip6tables", "-P", "FORWARD", "DROP");
        var firewall = new IptablesFirewall(ns.Namespace);
        var v4 = new FirewallRuleSet("net-x", IpFamily.IPv4, [new FirewallChain("filter", "NETSTACK-X")],
            [new FirewallRule("filter", "NETSTACK-X", "-s", "10.7.0.0/16", "-j", "ACCEPT"), FirewallRule.Jump("filter", "FORWARD", "NETSTACK-X")]);
        await firewall.ApplyAsync(v4);
        await firewall.ApplyAsync(Network6("net-x", "NETSTACK-X", "fd00:64::/64", "fd00:64::2"));

        await firewall.RemoveOwnerAsync("net-x", IpFamily.IPv6);

        var save6 = Save6(ns);
        Assert.DoesNotContain("NETSTACK-X", save6, StringComparison.Ordinal);
        Assert.Contains("-A FOREIGN -s 2001:db8::/32 -j ACCEPT", save6, StringComparison.Ordinal);
        Assert.Contains("-A FORWARD -j FOREIGN", save6, StringComparison.Ordinal);
        Assert.Contains(":FORWARD DROP", save6, StringComparison.Ordinal);
        Assert.Contains("-A NETSTACK-X -s 10.7.0.0/16", Save4(ns), StringComparison.Ordinal);
        Assert.Equal(["net-x"], await firewall.ListOwnersAsync(IpFamily.IPv4));
        Assert.Empty(await firewall.ListOwnersAsync(IpFamily.IPv6));

        await firewall.RemoveOwnerAsync("net-x", IpFamily.IPv6); // nothing left: no error
        await firewall.RemoveOwnerAsync("net-x", IpFamily.IPv4);
        Assert.DoesNotContain("NETSTACK", Save4(ns), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task RemoveOwners_Several_GoTogether_OthersStay()
    {
        using var ns = TestNamespace.Create();
        var firewall = new IptablesFirewall(ns.Namespace);
        await firewall.ApplyAsync(Network6("net-a", "NETSTACK-A", "fd00:66::/64", "fd00:66::2"));
        await firewall.ApplyAsync(Network6("net-b", "NETSTACK-B", "fd00:67::/64", "fd00:67::2"));
        await firewall.ApplyAsync(Network6("net-c", "NETSTACK-C", "fd00:68::/64", "fd00:68::2"));

        await firewall.RemoveOwnersAsync(["net-a", "net-b", "net-gone"], IpFamily.IPv6);

        Assert.Equal(["net-c"], await firewall.ListOwnersAsync(IpFamily.IPv6));
        var save = Save6(ns);
        Assert.DoesNotContain("NETSTACK-A", save, StringComparison.Ordinal);
        Assert.DoesNotContain("NETSTACK-B", save, StringComparison.Ordinal);
        Assert.Contains("--to-destination [fd00:68::2]:80", save, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Apply_IPv6RuleIp6tablesRejects_ChangesNothingAndReportsIt()
    {
        using var ns = TestNamespace.Create();
        var firewall = new IptablesFirewall(ns.Namespace);
        await firewall.ApplyAsync(Network6("net6", "NETSTACK-V6", "fd00:65::/64", "fd00:65::2"));
        var before = Save6(ns);
        // A valid address, but an unknown match: ip6tables-restore refuses the whole batch.
        var bad = new FirewallRuleSet("net6", IpFamily.IPv6, [new FirewallChain("filter", "NETSTACK-V6")],
            [new FirewallRule("filter", "NETSTACK-V6", "-s", "fd00:65::/64", "-m", "no-such-match", "-j", "ACCEPT")]);

        var thrown = await Assert.ThrowsAsync<FirewallException>(() => firewall.ApplyAsync(bad));

        Assert.Contains("ip6tables-restore", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(before, Save6(ns));
    }
}
