using System.Text.Json;
using Netstack.Core;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Controller;

/// <summary>The controller on real namespaces, veths and bridges, with the SQLite store.</summary>
public sealed class ControllerSandboxTests
{
    private static NetworkSpec Network(string name, string subnet) => new()
    {
        Name = name,
        Driver = "veth-test",
        Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = subnet }] },
    };

    private static string[] Addresses(JsonElement addrShow, string family) =>
        addrShow.EnumerateArray().SelectMany(i => i.GetProperty("addr_info").EnumerateArray())
            .Where(a => a.GetProperty("family").GetString() == family)
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}")
            .ToArray();

    [PrivilegedFact]
    public async Task Sandbox_IsARealNamespaceWithLoopbackUp_RemovedOnDelete()
    {
        await using var host = await VethTestDriver.ControllerLabAsync();

        var sandbox = await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "box" });

        Assert.True(File.Exists(sandbox.Key));
        var lo = ControllerLab.IpJsonIn(sandbox.Key, "link", "show", "lo")[0];
        Assert.Contains("UP", lo.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        await host.Controller.DeleteSandboxAsync("box");
        Assert.False(File.Exists(sandbox.Key));
    }

    [PrivilegedFact]
    public async Task Connect_TwoSandboxes_Eth0Configured_TheyReachEachOther_OtherNetworkCannot()
    {
        await using var host = await VethTestDriver.ControllerLabAsync();
        await host.Controller.CreateNetworkAsync(Network("web", "10.31.0.0/24"));
        await host.Controller.CreateNetworkAsync(Network("other", "10.32.0.0/24"));
        var a = await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        var b = await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });
        var c = await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "c" });

        var ea = await host.Controller.ConnectAsync("web", "a");
        var eb = await host.Controller.ConnectAsync("web", "b");
        await host.Controller.ConnectAsync("other", "c");

        var eth0 = ControllerLab.IpJsonIn(a.Key, "addr", "show", "eth0");
        Assert.Equal(["10.31.0.2/24"], Addresses(eth0, "inet"));
        Assert.Equal(ea.MacAddress, eth0[0].GetProperty("address").GetString());
        Assert.Contains("UP", eth0[0].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        var route = ControllerLab.IpJsonIn(a.Key, "route", "show", "default");
        Assert.Equal("10.31.0.1", route[0].GetProperty("gateway").GetString());
        Assert.Equal("eth0", route[0].GetProperty("dev").GetString());

        Assert.Equal(0, ControllerLab.ExecIn(a.Key, "busybox", "ping", "-c", "1", "-W", "2", eb.IPv4Address!.Value.Address.ToString()));
        // c's network has its own bridge and no route between bridges in the test host: unreachable.
        Assert.NotEqual(0, ControllerLab.ExecIn(c.Key, "busybox", "ping", "-c", "1", "-W", "1", eb.IPv4Address!.Value.Address.ToString()));
    }

    [PrivilegedFact]
    public async Task Disconnect_RemovesInterface_SecondNetworkIsEth1()
    {
        await using var host = await VethTestDriver.ControllerLabAsync();
        await host.Controller.CreateNetworkAsync(Network("n1", "10.33.0.0/24"));
        await host.Controller.CreateNetworkAsync(Network("n2", "10.34.0.0/24"));
        var s = await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "s" });

        await host.Controller.ConnectAsync("n1", "s");
        var second = await host.Controller.ConnectAsync("n2", "s");
        Assert.Equal("eth1", second.InterfaceName);
        Assert.Equal(["10.34.0.2/24"], Addresses(ControllerLab.IpJsonIn(s.Key, "addr", "show", "eth1"), "inet"));

        await host.Controller.DisconnectAsync("n1", "s");

        var links = ControllerLab.IpJsonIn(s.Key, "link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).ToArray();
        Assert.Equal(["lo", "eth1"], links);
        var route = ControllerLab.IpJsonIn(s.Key, "route", "show", "default");
        Assert.Equal("eth1", route[0].GetProperty("dev").GetString());
        await host.Controller.DeleteSandboxAsync("s", force: true);
        await host.Controller.DeleteNetworkAsync("n1");
        await host.Controller.DeleteNetworkAsync("n2");
        Assert.Empty(host.Host.IpJson("link", "show", "type", "bridge").EnumerateArray());
    }

    [PrivilegedFact]
    public async Task Connect_DualStack_IPv6AddressUsableAtOnce_WithIPv6DefaultRoute()
    {
        await using var host = await VethTestDriver.ControllerLabAsync();
        await host.Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "dual",
            Driver = "veth-test",
            EnableIPv6 = true,
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.38.0.0/24" }, new IpamPoolSpec { Subnet = "fd00:38::/64" }] },
        });
        var a = await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });

        var endpoint = await host.Controller.ConnectAsync("dual", "a");

        Assert.Equal("fd00:38::2/64", endpoint.IPv6Address.ToString());
        var inet6 = ControllerLab.IpJsonIn(a.Key, "-6", "addr", "show", "eth0")[0].GetProperty("addr_info").EnumerateArray()
            .Single(x => x.GetProperty("local").GetString() == "fd00:38::2");
        Assert.False(inet6.TryGetProperty("tentative", out _), "DAD is off, so the address is usable at once");
        var route = ControllerLab.IpJsonIn(a.Key, "-6", "route", "show", "default");
        Assert.Equal("fd00:38::1", route[0].GetProperty("gateway").GetString());
    }

    [PrivilegedFact]
    public async Task HundredConcurrentConnects_RealNamespacesAndSqlite_UniqueAddresses()
    {
        await using var host = await VethTestDriver.ControllerLabAsync();
        await host.Controller.CreateNetworkAsync(Network("big", "10.35.0.0/24"));
        var sandboxes = new List<SandboxInfo>();
        for (var i = 0; i < 100; i++)
        {
            sandboxes.Add(await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = $"s{i}" }));
        }

        var endpoints = await Task.WhenAll(sandboxes.Select(s => Task.Run(() => host.Controller.ConnectAsync("big", s.Name))));

        Assert.Equal(100, endpoints.Select(e => e.IPv4Address).Distinct().Count());
        var inKernel = sandboxes.Select(s => Addresses(ControllerLab.IpJsonIn(s.Key, "addr", "show", "eth0"), "inet").Single()).ToArray();
        Assert.Equal(100, inKernel.Distinct().Count());
        Assert.Equal(endpoints.Select(e => e.IPv4Address.ToString()).Order(), inKernel.Order());
        await host.RestartAsync();
        Assert.Equal(100, (await host.Controller.ListEndpointsAsync("big")).Count);
    }

    [PrivilegedFact]
    public async Task Reconcile_AfterRestart_NamespaceGone_OrphanNamespace_BridgeDeleted()
    {
        await using var host = await VethTestDriver.ControllerLabAsync();
        var network = await host.Controller.CreateNetworkAsync(Network("web", "10.36.0.0/24"));
        var keep = await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "keep" });
        var gone = await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "gone" });
        var kept = await host.Controller.ConnectAsync("web", "keep");
        var lost = await host.Controller.ConnectAsync("web", "gone");

        // Behind the daemon's back: a sandbox namespace disappears, a stray namespace appears in
        // netstack's directory, and the bridge is deleted (its veths stay, detached).
        NetworkNamespace.Delete(Path.GetFileName(gone.Key), host.NetnsDirectory);
        using (NetworkNamespace.Create("feedfacecafe", host.NetnsDirectory))
        {
        }
        host.Host.Netlink.LinkDelete(VethTestDriver.BridgeName(network.Id));
        await host.RestartAsync();

        var report = await host.Controller.ReconcileAsync();

        Assert.Empty(report.Errors);
        await Assert.ThrowsAsync<NotFoundException>(() => host.Controller.GetSandboxAsync("gone"));
        Assert.False(File.Exists(Path.Combine(host.NetnsDirectory, "feedfacecafe")));
        Assert.NotEmpty(host.Host.IpJson("link", "show", VethTestDriver.BridgeName(network.Id)).EnumerateArray());
        Assert.Equal([kept.IPv4Address!.Value.ToString()], Addresses(ControllerLab.IpJsonIn(keep.Key, "addr", "show", "eth0"), "inet"));
        var again = await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "again" });
        var reused = await host.Controller.ConnectAsync("web", "again");
        Assert.Equal(lost.IPv4Address, reused.IPv4Address);
        Assert.Equal(0, ControllerLab.ExecIn(again.Key, "busybox", "ping", "-c", "1", "-W", "2", kept.IPv4Address!.Value.Address.ToString()));
    }
}

/// <summary>Sandboxes adopting a namespace made by someone else (as CNI hands one over).</summary>
public sealed class ControllerExternalSandboxTests
{
    [PrivilegedFact]
    public async Task AdoptedNamespace_GetsInterface_AndOutlivesTheSandbox()
    {
        await using var host = await VethTestDriver.ControllerLabAsync();
        using var theirs = TestNamespace.Create();
        var path = Path.Combine(TestNamespace.Directory, theirs.Name);
        await host.Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "web",
            Driver = "veth-test",
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.37.0.0/24" }] },
        });

        var sandbox = await host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "adopted", NamespacePath = path });
        await host.Controller.ConnectAsync("web", "adopted");

        Assert.True(sandbox.External);
        Assert.Equal(path, sandbox.Key);
        var eth0 = theirs.IpJson("-4", "addr", "show", "eth0");
        Assert.Equal("10.37.0.2", eth0[0].GetProperty("addr_info")[0].GetProperty("local").GetString());

        await host.Controller.DeleteSandboxAsync("adopted", force: true);

        Assert.True(File.Exists(path));
        Assert.DoesNotContain("eth0", theirs.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()));
    }

    [PrivilegedFact]
    public async Task AdoptingAMissingPath_InvalidParameter_NothingStored()
    {
        await using var host = await VethTestDriver.ControllerLabAsync();

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() =>
            host.Controller.CreateSandboxAsync(new SandboxSpec { Name = "x", NamespacePath = "/run/nst-does-not-exist" }));

        Assert.Equal("namespace path", e.Field);
        Assert.Empty(await host.Store.ListAsync("sandboxes/"));
    }
}
