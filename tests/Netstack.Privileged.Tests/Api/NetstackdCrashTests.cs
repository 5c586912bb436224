using Netstack.Api.Client;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Sandboxes;
using Netstack.TestKit;
using Xunit.Abstractions;
using Xunit;

namespace Netstack.Privileged.Tests.Api;

/// <summary>
/// netstackd killed with SIGKILL at awkward moments, then restarted on the same state: what the API
/// acknowledged survives, nothing is handed out twice, nothing is orphaned in the kernel, and
/// running containers keep running and stay attached.
/// </summary>
public sealed class NetstackdCrashTests(ITestOutputHelper output)
{
    private const int Sandboxes = 50;

    [PrivilegedFact]
    public async Task KillMinus9_During50ConcurrentConnects_AcknowledgedSurvive_UniqueAddresses_NoOrphans()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.95.0.0/24", "crash")).Exit);
        var names = Enumerable.Range(0, Sandboxes).Select(i => $"s{i}").ToList();
        using (var client = daemon.Client())
        {
            foreach (var name in names)
            {
                await client.CreateSandboxAsync(new SandboxCreateRequest { Name = name });
            }
        }

        // 50 connects at once, each on its own connection; the daemon is killed as soon as a few
        // have been acknowledged, so the rest are somewhere between request and answer.
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var connects = names.Select(name => Task.Run(async () =>
        {
            using var client = daemon.Client();
            try
            {
                await client.ConnectNetworkAsync("crash", new NetworkConnectRequest { Container = name });
                acknowledged.Add(name);
            }
            catch (ApiException)
            {
                // Cut off by the kill: allowed to be there or not after the restart, never half-made.
            }
            catch (HttpRequestException)
            {
            }
            catch (IOException)
            {
            }
        })).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (acknowledged.Count < 5 && DateTime.UtcNow < deadline && connects.Any(t => !t.IsCompleted))
        {
            await Task.Delay(5);
        }
        await daemon.KillHardAsync();
        await Task.WhenAll(connects);
        var acked = acknowledged.ToHashSet();
        Assert.True(acked.Count >= 5, $"only {acked.Count} connects were acknowledged before the kill:\n{daemon.Log}");

        await daemon.LaunchAsync();

        List<SandboxResource> sandboxes;
        output.WriteLine($"{acked.Count} of {Sandboxes} connects acknowledged before the kill");
        using (var client = daemon.Client())
        {
            sandboxes = await client.ListSandboxesAsync();
        }
        // Every acknowledged connect is there, with its address.
        foreach (var name in acked)
        {
            var sandbox = sandboxes.Single(s => s.Name == name);
            var endpoint = Assert.Single(sandbox.Endpoints);
            Assert.StartsWith("10.95.0.", endpoint.IPv4Address, StringComparison.Ordinal);
        }
        // No address is held twice.
        var addresses = sandboxes.SelectMany(s => s.Endpoints).Select(e => e.IPv4Address).ToList();
        output.WriteLine($"{addresses.Count} endpoints after the restart");
        Assert.Equal(addresses.Count, addresses.Distinct(StringComparer.Ordinal).Count());

        // The kernel matches the store: eth0 exactly in the sandboxes that have an endpoint, one
        // bridge port per endpoint, and each eth0 carries the address the API reports.
        foreach (var sandbox in sandboxes)
        {
            var links = NetstackdProcess.IpJsonIn(sandbox.Key, "addr", "show").EnumerateArray().ToList();
            var eth0 = links.Where(l => l.GetProperty("ifname").GetString() == "eth0").ToList();
            if (sandbox.Endpoints.Count == 0)
            {
                Assert.Empty(eth0);
                continue;
            }
            var local = Assert.Single(eth0).GetProperty("addr_info").EnumerateArray()
                .Where(a => a.GetProperty("family").GetString() == "inet")
                .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}");
            Assert.Contains(sandbox.Endpoints[0].IPv4Address, local);
        }
        var bridge = Assert.Single(daemon.Bridges());
        var ports = daemon.Host.IpJson("link", "show", "master", bridge).GetArrayLength();
        Assert.Equal(addresses.Count, ports);

        // A fresh connect after the restart works and gets an address nobody holds.
        var late = sandboxes.FirstOrDefault(s => s.Endpoints.Count == 0);
        if (late is not null)
        {
            using var client = daemon.Client();
            await client.ConnectNetworkAsync("crash", new NetworkConnectRequest { Container = late.Name });
            var fresh = (await client.ListSandboxesAsync()).Single(s => s.Name == late.Name).Endpoints.Single().IPv4Address;
            Assert.DoesNotContain(fresh, addresses);
        }

        // And removing everything afterwards leaves nothing: no sandbox namespace, no bridge, no veth.
        Assert.Equal(0, (await daemon.NetstackAsync(["sandbox", "rm", .. names])).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "rm", "crash")).Exit);
        Assert.Empty(daemon.Bridges());
        Assert.Equal(1, daemon.Host.IpJson("link", "show").GetArrayLength()); // lo only
        Assert.All(sandboxes, s => Assert.False(File.Exists(s.Key), $"{s.Key} stayed"));
    }

    [PrivilegedFact]
    public async Task KillMinus9_WithRunningContainers_TheyKeepRunningAndReachEachOther_ThenStopCleanly()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.94.0.0/24", "keep")).Exit);
        var a = await daemon.NetstackAsync("run", "-d", "--name", "ka", "--network", "keep", "busybox", "sleep", "600");
        var b = await daemon.NetstackAsync("run", "-d", "--name", "kb", "--network", "keep", "busybox", "sleep", "600");
        Assert.True(a.Exit == 0 && b.Exit == 0, a.Err + b.Err + daemon.Log);
        string bIp;
        using (var client = daemon.Client())
        {
            bIp = (await client.InspectContainerAsync("kb")).NetworkSettings.Networks["keep"].IPAddress;
        }

        await daemon.KillHardAsync();
        await daemon.LaunchAsync();

        using (var client = daemon.Client())
        {
            var running = await client.ListContainersAsync(all: false);
            Assert.Contains(running, c => c.Names.Contains("/ka"));
            Assert.Contains(running, c => c.Names.Contains("/kb"));
            Assert.Equal(bIp, (await client.InspectContainerAsync("kb")).NetworkSettings.Networks["keep"].IPAddress);
        }
        var ping = await daemon.NetstackAsync("exec", "ka", "ping", "-c", "1", "-W", "2", bIp);
        Assert.True(ping.Exit == 0, ping.Out + ping.Err);

        Assert.Equal(0, (await daemon.NetstackAsync("stop", "-t", "1", "ka", "kb")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("rm", "ka", "kb")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "rm", "keep")).Exit);
        Assert.Equal("", (await daemon.NetstackAsync("ps", "-a", "-q")).Out.Trim());
        Assert.Empty(daemon.Bridges());
        using (var client = daemon.Client())
        {
            Assert.Empty(await client.ListSandboxesAsync());
        }
    }
}
