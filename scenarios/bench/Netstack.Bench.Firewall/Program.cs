using System.Diagnostics;
using System.Globalization;
using Netstack.Firewall;
using Netstack.Linux;

// One firewall change, timed on each backend: publishing one port (an endpoint's DNAT, hairpin
// masquerade and forward accept, as the bridge driver writes them) and removing it again, with a
// base layout and NETWORKS networks' rules already in place. Each round runs both backends, in
// alternating order, each in a fresh namespace of its own (nst-bench-fw-*), deleted afterwards.
// Usage: Netstack.Bench.Firewall [rounds, default 5] [changes per round, default 20] [networks, default 50]
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var changes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var networks = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;
var results = new Dictionary<FirewallBackend, (List<double> Publish, List<double> Remove)>
{
    [FirewallBackend.Iptables] = ([], []),
    [FirewallBackend.Nftables] = ([], []),
};
for (var round = 0; round < rounds; round++)
{
    FirewallBackend[] order = round % 2 == 0 ? [FirewallBackend.Iptables, FirewallBackend.Nftables] : [FirewallBackend.Nftables, FirewallBackend.Iptables];
    foreach (var backend in order)
    {
        var name = $"nst-bench-fw-{Environment.ProcessId}-{round}-{FirewallBackends.Name(backend)}";
        using var ns = NetworkNamespace.Create(name, "/run/netns");
        try
        {
            var firewall = FirewallBackends.Create(backend, ns);
            await firewall.ApplyAsync(Base());
            for (var n = 0; n < networks; n++)
            {
                await firewall.ApplyAsync(Network(n));
            }
            for (var c = 0; c < changes; c++)
            {
                var set = Ports(c);
                var started = Stopwatch.GetTimestamp();
                await firewall.ApplyAsync(set);
                results[backend].Publish.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                started = Stopwatch.GetTimestamp();
                await firewall.RemoveOwnerAsync(set.Owner, IpFamily.IPv4);
                results[backend].Remove.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            (firewall as IDisposable)?.Dispose();
        }
        finally
        {
            NetworkNamespace.Delete(name, "/run/netns");
        }
    }
}
static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
Console.WriteLine($"rounds {rounds}, {changes} changes each, {networks} networks in place; medians in ms");
Console.WriteLine("| backend | publish one port | remove it | n |");
Console.WriteLine("|---|---|---|---|");
foreach (var (backend, (publish, remove)) in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {FirewallBackends.Name(backend)} | {Median(publish):F2} | {Median(remove):F2} | {publish.Count} |"));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nftables/iptables: publish {Median(results[FirewallBackend.Nftables].Publish) / Median(results[FirewallBackend.Iptables].Publish):F3}, remove {Median(results[FirewallBackend.Nftables].Remove) / Median(results[FirewallBackend.Iptables].Remove):F3}"));

static FirewallRuleSet Base() => new("bridge", IpFamily.IPv4,
    [new("filter", "NETSTACK-FORWARD"), new("filter", "NETSTACK-ISOLATION-1"), new("filter", "NETSTACK-ISOLATION-2"), new("filter", "NETSTACK-PORTS"), new("nat", "NETSTACK-DNAT"), new("nat", "NETSTACK-POSTROUTING")],
    [
        FirewallRule.Jump("filter", "FORWARD", "NETSTACK-FORWARD"),
        new FirewallRule("filter", "NETSTACK-FORWARD", "-j", "NETSTACK-ISOLATION-1"),
        new FirewallRule("filter", "NETSTACK-FORWARD", "-j", "NETSTACK-PORTS"),
        FirewallRule.Jump("nat", "PREROUTING", "NETSTACK-DNAT", "-m", "addrtype", "--dst-type", "LOCAL"),
        FirewallRule.Jump("nat", "OUTPUT", "NETSTACK-DNAT", "-m", "addrtype", "--dst-type", "LOCAL"),
        FirewallRule.Jump("nat", "POSTROUTING", "NETSTACK-POSTROUTING"),
    ]);

static FirewallRuleSet Network(int n)
{
    var br = $"br-bench{n}";
    var subnet = $"10.{100 + n / 250}.{n % 250}.0/24";
    return new($"bridge-net:{n}", IpFamily.IPv4, [],
    [
        new("filter", "NETSTACK-ISOLATION-1", "-i", br, "!", "-o", br, "-j", "NETSTACK-ISOLATION-2"),
        new("filter", "NETSTACK-ISOLATION-2", "-o", br, "-j", "DROP"),
        new("filter", "NETSTACK-FORWARD", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
        new("filter", "NETSTACK-FORWARD", "-i", br, "!", "-o", br, "-j", "ACCEPT"),
        new("filter", "NETSTACK-FORWARD", "-i", br, "-o", br, "-j", "ACCEPT"),
        new("filter", "NETSTACK-FORWARD", "!", "-i", br, "-o", br, "-j", "DROP"),
        new("nat", "NETSTACK-POSTROUTING", "-o", br, "-m", "addrtype", "--src-type", "LOCAL", "-j", "MASQUERADE"),
        new("nat", "NETSTACK-POSTROUTING", "-s", subnet, "!", "-o", br, "-j", "MASQUERADE"),
    ]);
}

static FirewallRuleSet Ports(int c)
{
    var ip = $"10.100.0.{2 + c % 200}";
    return new($"bridge-ep:{c}", IpFamily.IPv4, [],
    [
        new("nat", "NETSTACK-DNAT", "-p", "tcp", "-m", "tcp", "--dport", (8000 + c).ToString(CultureInfo.InvariantCulture), "-j", "DNAT", "--to-destination", $"{ip}:80"),
        new("nat", "NETSTACK-POSTROUTING", "-s", $"{ip}/32", "-d", $"{ip}/32", "-p", "tcp", "-m", "tcp", "--dport", "80", "-j", "MASQUERADE"),
        new("filter", "NETSTACK-PORTS", "-d", $"{ip}/32", "!", "-i", "br-bench0", "-o", "br-bench0", "-p", "tcp", "-m", "tcp", "--dport", "80", "-j", "ACCEPT"),
    ]);
}
