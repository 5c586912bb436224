using System.Diagnostics;
using Netstack.Firewall;
using Netstack.Firewall.Iptables;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Privileged.Tests.Firewall;

/// <summary>
/// Somebody else flushes netstack's rules (an admin's <c>iptables -F</c>, <c>firewall-cmd --reload</c>:
/// Docker's moby#15254): the daemon notices and puts them back, so published ports and isolation
/// work again without a restart. All of it inside the test's own namespaces: the flush is run in
/// the daemon's host namespace, never on the machine's firewall.
/// </summary>
public sealed class FirewallTamperTests(ITestOutputHelper output)
{
    // The bar: published ports answer again within 5 s of the flush.
    private static readonly TimeSpan RepairBound = TimeSpan.FromSeconds(5);

    private const string HostAddress = "198.51.100.1";
    private const string Repaired = "were changed by somebody else";

    [PrivilegedFact]
    public async Task FlushAndDeleteChains_WhileContainersRun_PublishedPortAndIsolationWorkAgainWithin5s_WithoutRestart()
    {
        // A client namespace on a link to the daemon's host: the published port is fetched from there.
        using var client = TestNamespace.Create();
        await using var daemon = await NetstackdProcess.StartAsync(host =>
        {
            host.Ip("link", "add", "lan0", "type", "veth", "peer", "name", "lan1", "netns", client.Name);
            host.Ip("addr", "add", HostAddress + "/24", "dev", "lan0");
            host.Ip("link", "set", "lan0", "up");
            client.Ip("addr", "add", "198.51.100.2/24", "dev", "lan1");
            client.Ip("link", "set", "lan1", "up");
            client.Ip("link", "set", "lo", "up");
        });
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.124.0.0/24", "front")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.125.0.0/24", "--ipv6", "--subnet", "fd00:125::/64", "back")).Exit);
        var web = await daemon.NetstackAsync("run", "-d", "--name", "web", "--network", "front", "-p", "8086:80", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www");
        Assert.True(web.Exit == 0, web.Err + daemon.Log);
        var other = await daemon.NetstackAsync("run", "-d", "--name", "other", "--network", "back", "busybox", "sleep", "600");
        Assert.True(other.Exit == 0, other.Err);
        using (var api = daemon.Client())
        {
            var inspect = await api.InspectContainerAsync("web");
            var webIp = inspect.NetworkSettings.Networks["front"].IPAddress;

            Assert.True(PageFromClient(client), "the published port does not answer before the flush");
            Assert.False(await ReachesAsync(daemon, "other", webIp), "isolation does not hold before the flush");
            var before = NetstackLines(daemon.Host, ipv6: false);
            var beforeV6 = NetstackLines(daemon.Host, ipv6: true);
            Assert.NotEmpty(beforeV6);
            // The check finds nothing to repair in the rules as the real iptables prints them.
            Assert.DoesNotContain(Repaired, daemon.Log, StringComparison.Ordinal);
            var pid = daemon.Pid;

            // The admin's flush, inside the daemon's host namespace: every rule, then every user
            // chain, in one shell as a script would. When the daemon's check falls between a -F and
            // its -X, the chains are back and referenced, -X fails "busy": the flush is run again.
            // With the nftables backend the admin's flush is nft's own (what firewalld's reload does).
            var flush = TestFirewall.IsNftables
                ? "nft flush ruleset"
                : "for t in iptables ip6tables; do $t -F && $t -t nat -F && $t -X && $t -t nat -X || exit 1; done";
            var flushed = Stopwatch.StartNew();
            for (var attempt = 1; ; attempt++)
            {
                flushed.Restart();
                var run = daemon.Host.TryExec("sh", "-c", flush);
                if (run.ExitCode == 0)
                {
                    break;
                }
                Assert.True(attempt < 5, $"the flush failed {attempt} times: {run.Error}");
            }

            // Polled as fast as a fetch goes; the bound is the issue's, far above the check's period.
            while (!PageFromClient(client))
            {
                Assert.True(flushed.Elapsed < RepairBound, $"the published port did not answer within {RepairBound.TotalSeconds} s of the flush:\n{daemon.Log}");
                await Task.Delay(50);
            }
            var repairTime = flushed.Elapsed;
            output.WriteLine($"published port answering again {repairTime.TotalMilliseconds:F0} ms after the flush");

            Assert.False(await ReachesAsync(daemon, "other", webIp), "isolation does not hold after the repair");
            Assert.True(flushed.Elapsed < RepairBound + TimeSpan.FromSeconds(5), "isolation checked too late");
            Assert.Equal(pid, daemon.Pid);
            // The same rules as before, each once, IPv4 and IPv6; logged with what was missing.
            var deadline = DateTime.UtcNow + RepairBound;
            while (NetstackLines(daemon.Host, ipv6: true).Count < beforeV6.Count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            AssertSameRules(before, NetstackLines(daemon.Host, ipv6: false));
            AssertSameRules(beforeV6, NetstackLines(daemon.Host, ipv6: true));
            Assert.Contains("netstack's IPv4 rules were changed by somebody else", daemon.Log, StringComparison.Ordinal);
            Assert.Contains("netstack's IPv6 rules were changed by somebody else", daemon.Log, StringComparison.Ordinal);
            Assert.Contains(TestFirewall.IsNftables ? "missing (chain filter-NETSTACK-FORWARD of bridge" : "missing (chain filter/NETSTACK-FORWARD of bridge", daemon.Log, StringComparison.Ordinal);

            // Repaired once: the checks after it find nothing (no rewrite every second).
            var repairs = Count(daemon.Log, Repaired);
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(repairs, Count(daemon.Log, Repaired));
        }
    }

    [PrivilegedFact]
    public async Task Repair_OfPartlyDeletedRules_LeavesTheRulesetAsApplied_EachRuleOnce()
    {
        using var ns = TestNamespace.Create();
        var firewall = new IptablesFirewall(ns.Namespace);
        FirewallRuleSet[] sets =
        [
            new("base", IpFamily.IPv4,
                [new FirewallChain("filter", "NETSTACK-FWD"), new FirewallChain("nat", "NETSTACK-NAT")],
                [
                    FirewallRule.Jump("filter", "FORWARD", "NETSTACK-FWD"),
                    FirewallRule.Jump("nat", "PREROUTING", "NETSTACK-NAT", "-m", "addrtype", "--dst-type", "LOCAL"),
                    FirewallRule.Jump("nat", "OUTPUT", "NETSTACK-NAT", "-m", "addrtype", "--dst-type", "LOCAL"),
                ]),
            new("net-a", IpFamily.IPv4, [],
                [
                    new FirewallRule("filter", "NETSTACK-FWD", "-o", "br-a", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
                    new FirewallRule("filter", "NETSTACK-FWD", "!", "-i", "br-a", "-o", "br-a", "-j", "DROP"),
                ]),
            new("ep-a", IpFamily.IPv4, [],
                [
                    new FirewallRule("nat", "NETSTACK-NAT", "-p", "tcp", "-m", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "10.1.0.2:80"),
                    new FirewallRule("filter", "NETSTACK-FWD", "-d", "10.1.0.2/32", "!", "-i", "br-a", "-o", "br-a", "-p", "tcp", "-m", "tcp", "--dport", "80", "-j", "ACCEPT"),
                ]),
        ];
        foreach (var set in sets)
        {
            await firewall.ApplyAsync(set);
        }
        var applied = Save(ns);
        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found);

        // Our jump from FORWARD deleted, the nat table flushed, and a copy of our OUTPUT jump added by hand.
        ns.Exec("iptables", "-D", "FORWARD", "1");
        ns.Exec("iptables", "-t", "nat", "-F", "NETSTACK-NAT");
        ns.Exec("iptables", "-t", "nat", "-A", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", "netstack:base", "-j", "NETSTACK-NAT");
        var drift = await firewall.RepairAsync(IpFamily.IPv4);

        Assert.True(drift.Repaired, drift.Summary());
        output.WriteLine(drift.Summary());
        Assert.Equal(applied, Save(ns));
        var rules = Save(ns).Split('\n').Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).ToList();
        Assert.Equal(rules.Count, rules.Distinct().Count());
        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found);
    }

    private static string Save(TestNamespace ns) =>
        string.Join('\n', ns.Exec("iptables-save").Split('\n').Where(l => !l.StartsWith('#')));

    /// <summary>Netstack's chains and rules in a namespace's tables (iptables-save's lines, or nft's of netstack's table), sorted.</summary>
    private static List<string> NetstackLines(TestNamespace ns, bool ipv6) =>
        TestFirewall.IsNftables
            ? [.. TestFirewall.NetstackLines(ns, ipv6).Order(StringComparer.Ordinal)]
            : [.. ns.Exec(ipv6 ? "ip6tables-save" : "iptables-save").Split('\n').Where(l => l.Contains("NETSTACK-", StringComparison.Ordinal) || l.Contains("netstack", StringComparison.Ordinal)).Select(l => l.Split(" [")[0]).Order(StringComparer.Ordinal)];

    private static void AssertSameRules(List<string> before, List<string> after)
    {
        Assert.Equal(before, after);
        var rules = after.Where(l => l.StartsWith("-A ", StringComparison.Ordinal) || l.Contains("comment \"netstack:", StringComparison.Ordinal)).ToList();
        Assert.Equal(rules.Count, rules.Distinct().Count());
    }

    private static bool PageFromClient(TestNamespace client) =>
        client.TryExec("curl", "-sS", "--max-time", "1", $"http://{HostAddress}:8086/").Output.Contains("<html", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="container"/> fetches a page from <paramref name="address"/> (busybox's own timeout bounds it).</summary>
    private static async Task<bool> ReachesAsync(NetstackdProcess daemon, string container, string address)
    {
        var fetch = await daemon.NetstackAsync("exec", container, "timeout", "2", "wget", "-q", "-O", "-", $"http://{address}/");
        return fetch.Out.Contains("<html", StringComparison.OrdinalIgnoreCase);
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
