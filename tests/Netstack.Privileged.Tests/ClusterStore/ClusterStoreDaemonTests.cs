using System.Diagnostics;
using System.Net;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Sandboxes;
using Netstack.Privileged.Tests.GossipDaemon;
using Netstack.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Privileged.Tests.ClusterStore;

/// <summary>
/// Three real netstackd on three namespace hosts of one LAN sharing a real etcd that runs in a
/// fourth namespace host. The global network is a macvlan network on each host's <c>eth0</c> with
/// <c>--scope global</c> (as Docker allows for drivers whose networks reach other hosts): its
/// addresses are allocated cluster-wide, and sandboxes on different hosts reach each other over the LAN.
/// </summary>
public sealed class ClusterStoreDaemonTests(ITestOutputHelper output)
{
    // Waits for conditions on a loaded machine; never measurements (the figures are printed).
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [PrivilegedFact]
    public async Task ThreeDaemons_NetworkSeenEverywhere_300ConcurrentConnectsUnique_KillNineMidway_OrphansReleased()
    {
        using var lan = NamespaceLan.Create("a", "b", "c", "e");
        await using var etcd = await EtcdCluster.StartAsync(("e", lan.NamespacePath("e"), Ip(lan, "e")));
        await using var a = await ClusterDaemon.StartAsync("a", lan.NamespacePath("a"), etcd.Url);
        await using var b = await ClusterDaemon.StartAsync("b", lan.NamespacePath("b"), etcd.Url);
        await using var c = await ClusterDaemon.StartAsync("c", lan.NamespacePath("c"), etcd.Url);
        var hosts = new[] { a, b, c };

        // Created on a: seen on b and c (the time it took is printed, not asserted).
        var clock = Stopwatch.StartNew();
        await a.Client.CreateNetworkAsync(GlobalMacvlan("gnet", "10.201.0.0/22"));
        var seenAfter = new List<string> { $"(create answered in {clock.Elapsed.TotalMilliseconds:F0} ms)" };
        clock.Restart();
        foreach (var other in new[] { b, c })
        {
            var seen = await UntilAsync(async () => (await other.Client.ListNetworksAsync()).FirstOrDefault(n => n.Name == "gnet"));
            Assert.Equal("global", seen.Scope);
            seenAfter.Add($"{other.Node}: {clock.Elapsed.TotalMilliseconds:F0} ms");
        }
        output.WriteLine("network created on a, listed after its create answered on " + string.Join(", ", seenAfter));

        // 100 connects on each host at once; b is killed (-9) in the middle of its share.
        var connects = hosts.SelectMany(h => Enumerable.Range(0, 100).Select(i => Outcome(ConnectSandboxAsync(h, "gnet", $"{h.Node}{i}")))).ToList();
        await UntilAsync(async () => (await b.Client.ListSandboxesAsync()).Count(s => s.Endpoints.Count > 0) >= 30 ? "" : null);
        await b.KillHardAsync();
        var results = await Task.WhenAll(connects);
        var failedOnB = results.Skip(100).Take(100).Count(r => r is not null);
        Assert.All(results.Take(100).Concat(results.Skip(200)), r => Assert.Null(r));
        output.WriteLine($"connects: a 100/100, c 100/100, b {100 - failedOnB}/100 before and while it was killed");

        await b.LaunchAsync();
        var released = b.Log.Split('\n').Count(l => l.Contains("leaked address", StringComparison.Ordinal));
        output.WriteLine($"b's reconcile after kill -9 released {released} addresses it had taken and not used");
        // What every host holds, and what etcd holds: the same addresses, each once.
        var held = new List<IPAddress>();
        foreach (var h in hosts)
        {
            foreach (var s in await h.Client.ListSandboxesAsync())
            {
                held.AddRange(s.Endpoints.Where(e => e.Network == "gnet").Select(e => IPAddress.Parse(e.IPv4Address.Split('/')[0])));
            }
        }
        Assert.Equal(held.Count, held.Distinct().Count());
        Assert.True(held.Count >= 230, $"only {held.Count} endpoints");
        var keys = etcd.Keys("ipam/GlobalDefault/addresses/").Select(k => IPAddress.Parse(k.Split('/').Last())).ToHashSet();
        var expected = held.Append(IPAddress.Parse("10.201.0.1")).ToHashSet();
        Assert.True(expected.SetEquals(keys), $"etcd holds {keys.Count} addresses, the hosts {expected.Count}: leaked {string.Join(", ", keys.Except(expected))}; lost {string.Join(", ", expected.Except(keys))}");
        Assert.Equal(held.Count, etcd.Keys("attachments/").Count);

        // The addresses work across hosts: a sandbox on a pings one on c over the LAN.
        var fromA = (await a.Client.ListSandboxesAsync()).First(s => s.Endpoints.Count > 0);
        var onC = (await c.Client.ListSandboxesAsync()).First(s => s.Endpoints.Count > 0);
        var target = onC.Endpoints[0].IPv4Address.Split('/')[0];
        var ping = TestNamespace.TryRun("nsenter", "--net=" + fromA.Key, "busybox", "ping", "-c", "3", "-W", "2", target);
        Assert.True(ping.ExitCode == 0, $"ping {target} from a: {ping.Output}{ping.Error}\na: {TestNamespace.TryRun("nsenter", "--net=" + fromA.Key, "ip", "-br", "addr").Output}\nc: {TestNamespace.TryRun("nsenter", "--net=" + onC.Key, "ip", "-br", "addr").Output}");

        // rm while any host has endpoints: 409 naming who; after they go, removed everywhere.
        var busy = await Assert.ThrowsAsync<ApiException>(() => c.Client.RemoveNetworkAsync("gnet"));
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        foreach (var h in hosts)
        {
            foreach (var s in (await h.Client.ListSandboxesAsync()).ToArray())
            {
                await h.Client.RemoveSandboxAsync(s.Name);
            }
        }
        await c.Client.RemoveNetworkAsync("gnet");
        foreach (var h in hosts)
        {
            await UntilAsync(async () => (await h.Client.ListNetworksAsync()).Any(n => n.Name == "gnet") ? null : "");
        }
        Assert.Empty(etcd.Keys("ipam/GlobalDefault/addresses/"));
        Assert.Empty(etcd.Keys("attachments/"));
        Assert.Empty(etcd.Keys("networks/"));
    }

    [PrivilegedFact]
    public async Task SameNameOnTwoHostsAtOnce_OneCreated_OtherConflict_GarbageInTheStoreSkipped()
    {
        using var lan = NamespaceLan.Create("a", "b", "e");
        await using var etcd = await EtcdCluster.StartAsync(("e", lan.NamespacePath("e"), Ip(lan, "e")));
        // Keys under our prefix that we did not write: logged and skipped, never a crash.
        etcd.Put("networks/" + new string('a', 64), "{not json");
        etcd.Put("networks/short", "{\"Id\":\"short\",\"Name\":\"x\",\"Driver\":\"macvlan\"}");
        await using var a = await ClusterDaemon.StartAsync("a", lan.NamespacePath("a"), etcd.Url);
        await using var b = await ClusterDaemon.StartAsync("b", lan.NamespacePath("b"), etcd.Url);
        for (var round = 0; round < 10; round++)
        {
            var name = $"same{round}";
            var results = await Task.WhenAll(Outcome(a.Client.CreateNetworkAsync(GlobalMacvlan(name, null))), Outcome(b.Client.CreateNetworkAsync(GlobalMacvlan(name, null))));

            Assert.Single(results, r => r is null);
            var loser = Assert.IsType<ApiException>(Assert.Single(results, r => r is not null));
            Assert.Equal(HttpStatusCode.Conflict, loser.StatusCode);
        }
        Assert.Equal(12, etcd.Keys("networks/").Count);
        Assert.Equal(10, (await b.Client.ListNetworksAsync()).Count(n => n.Scope == "global"));
        Assert.Contains("global store: key networks/short skipped", a.Log, StringComparison.Ordinal);
        Assert.Equal(10, etcd.Keys("ipam/GlobalDefault/addresses/").Count); // one gateway each: no pool of a loser left
    }

    [PrivilegedFact]
    public async Task EtcdStoppedMidOperation_GlobalFailsFast503_LocalWorks_ThenResumesWithoutRestart()
    {
        using var lan = NamespaceLan.Create("a", "b", "e");
        await using var etcd = await EtcdCluster.StartAsync(("e", lan.NamespacePath("e"), Ip(lan, "e")));
        await using var a = await ClusterDaemon.StartAsync("a", lan.NamespacePath("a"), etcd.Url);
        await using var b = await ClusterDaemon.StartAsync("b", lan.NamespacePath("b"), etcd.Url);
        await a.Client.CreateNetworkAsync(GlobalMacvlan("before", "10.202.0.0/24"));
        await ConnectSandboxAsync(a, "before", "s1");

        // etcd killed while 20 connects are under way on a and b.
        var inFlight = Enumerable.Range(0, 20).Select(i => Outcome(ConnectSandboxAsync(i % 2 == 0 ? a : b, "before", $"m{i}"))).ToList();
        await Task.Delay(150);
        await etcd.KillAsync(0);
        var midway = await Task.WhenAll(inFlight);
        output.WriteLine($"connects under way when etcd was killed: {midway.Count(r => r is null)} done, {midway.Count(r => r is not null)} failed");

        var clock = Stopwatch.StartNew();
        var down = await Assert.ThrowsAsync<ApiException>(() => a.Client.CreateNetworkAsync(GlobalMacvlan("during", null)));
        var failedAfter = clock.Elapsed;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Contains(etcd.Url, down.Message, StringComparison.Ordinal);
        var connectDown = await Assert.ThrowsAsync<ApiException>(() => ConnectSandboxAsync(a, "before", "s2"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, connectDown.StatusCode);
        var info = await a.Client.InfoAsync();
        Assert.Equal("unavailable", info.ClusterStoreStatus!.State);
        output.WriteLine($"global create with etcd down failed after {failedAfter.TotalSeconds:F1} s: {down.Message}");

        // Local networks do not notice.
        await a.Client.CreateNetworkAsync(new NetworkCreateRequest { Name = "local", Driver = "bridge", Ipam = new IpamSettings { Config = [new IpamPoolConfig { Subnet = "10.203.0.0/24" }] } });
        await ConnectSandboxAsync(a, "local", "l1");
        Assert.Contains(await a.Client.ListNetworksAsync(), n => n.Name == "before");

        await etcd.StartAgainAsync(0);
        // No daemon restarted: b sees a network created on a after the store came back.
        await UntilAsync(async () =>
        {
            try
            {
                await a.Client.CreateNetworkAsync(GlobalMacvlan("after", null));
                return "";
            }
            catch (ApiException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                return null;
            }
        });
        await UntilAsync(async () => (await b.Client.ListNetworksAsync()).FirstOrDefault(n => n.Name == "after"));
        await ConnectSandboxAsync(a, "before", "s3");
        Assert.Equal("connected", (await b.Client.InfoAsync()).ClusterStoreStatus!.State);

        Assert.Empty(etcd.Keys("names/networks/during"));
        // What etcd holds for the network is exactly the gateway and what the hosts hold: nothing the
        // interrupted connects or the refused s2 took is left once the daemons saw the store again.
        var held = new List<string> { "10.202.0.1" };
        foreach (var h in new[] { a, b })
        {
            held.AddRange((await h.Client.ListSandboxesAsync()).SelectMany(s => s.Endpoints).Where(e => e.Network == "before").Select(e => e.IPv4Address.Split('/')[0]));
        }
        Assert.Equal(held.Count, held.Distinct().Count());
        await UntilAsync(async () =>
        {
            await Task.Yield();
            var keys = etcd.Keys("ipam/GlobalDefault/addresses/10.202.0.0-24/").Select(k => k.Split('/').Last()).ToHashSet();
            return keys.SetEquals(held) ? "" : null;
        });
        var beforeId = (await a.Client.InspectNetworkAsync("before")).Id;
        Assert.Equal(held.Count - 1, etcd.Keys($"attachments/{beforeId}/").Count);
    }

    [PrivilegedFact]
    public async Task ThreeMemberEtcd_OneMemberKilled_NothingNoticed()
    {
        using var lan = NamespaceLan.Create("a", "b", "e1", "e2", "e3");
        await using var etcd = await EtcdCluster.StartAsync(
            ("e1", lan.NamespacePath("e1"), Ip(lan, "e1")), ("e2", lan.NamespacePath("e2"), Ip(lan, "e2")), ("e3", lan.NamespacePath("e3"), Ip(lan, "e3")));
        await using var a = await ClusterDaemon.StartAsync("a", lan.NamespacePath("a"), etcd.Url);
        await using var b = await ClusterDaemon.StartAsync("b", lan.NamespacePath("b"), etcd.Url);
        await a.Client.CreateNetworkAsync(GlobalMacvlan("n1", "10.204.0.0/24"));

        // The leader, so the survivors must elect another while the connects run: the hardest
        // single-member loss, and the one the users' calls wait out.
        var leader = etcd.LeaderIndex();
        Assert.InRange(leader, 0, 2);
        await etcd.KillAsync(leader);
        for (var i = 0; i < 10; i++)
        {
            await ConnectSandboxAsync(i % 2 == 0 ? a : b, "n1", $"k{i}");
        }
        var addresses = new List<string>();
        foreach (var h in new[] { a, b })
        {
            addresses.AddRange((await h.Client.ListSandboxesAsync()).SelectMany(s => s.Endpoints).Where(e => e.Network == "n1").Select(e => e.IPv4Address));
        }
        Assert.Equal(10, addresses.Count);
        Assert.Equal(10, addresses.Distinct().Count());
        await b.Client.CreateNetworkAsync(GlobalMacvlan("n2", null));
        await UntilAsync(async () => (await a.Client.ListNetworksAsync()).FirstOrDefault(n => n.Name == "n2"));
        Assert.Equal("connected", (await a.Client.InfoAsync()).ClusterStoreStatus!.State);
    }

    /// <summary>The LAN address of a host: NamespaceLan numbers hosts .1, .2, ... in the order created.</summary>
    private static string Ip(NamespaceLan lan, string host) => $"{lan.SubnetPrefix}.{Array.IndexOf(lan.Hosts, host) + 1}";

    private static NetworkCreateRequest GlobalMacvlan(string name, string? subnet) => new()
    {
        Name = name,
        Driver = "macvlan",
        Scope = "global",
        Options = new Dictionary<string, string> { ["parent"] = "eth0" },
        Ipam = new IpamSettings { Config = subnet is null ? [] : [new IpamPoolConfig { Subnet = subnet }] },
    };

    private static async Task ConnectSandboxAsync(ClusterDaemon host, string network, string name)
    {
        await host.Client.CreateSandboxAsync(new SandboxCreateRequest { Name = name });
        await host.Client.ConnectNetworkAsync(network, new NetworkConnectRequest { Container = name });
    }

    private static async Task<Exception?> Outcome(Task task)
    {
        try
        {
            await task;
            return null;
        }
#pragma warning disable CA1031 // the test looks at which exception it was
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e;
        }
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(20);
        }
    }
}
