using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Netstack.Core;
using Netstack.Drivers.Remote;
using Netstack.Drivers.Remote.Plugins;
using Netstack.Drivers.Remote.Tests.Fakes;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Remote;

/// <summary>
/// The controller with a remote driver on real namespaces: a fake plugin that makes a veth pair in
/// the host per join (and deletes it at leave), the default IPAM and a SQLite store. Connect gives
/// the sandbox the plugin's interface as eth0 with its address and the plugin's gateway; a plugin that
/// dies mid-join leaves no endpoint, link or address behind.
/// </summary>
public sealed class ControllerRemoteTests : ControllerLabTests
{
    private const string PluginName = "vethplugin";

    private readonly ConcurrentDictionary<string, string> _hostEnds = new(StringComparer.Ordinal);
    private PluginDirectory? _dirs;
    private FakePlugin? _plugin;
    private PluginClient? _client;

    private FakePlugin Plugin => _plugin!;

    internal override async Task<ControllerLab> CreateLabAsync()
    {
        var lab = await ControllerLab.CreateAsync(
            host =>
            {
                var options = _dirs!.Options(hostNamespacePath: host.Namespace.Path);
                return new RemoteNetworkDriver(_client!, options);
            },
            // Made with the host and removed with it: the plugin's directories, server and client.
            host =>
            {
                _dirs = PluginDirectory.Create();
                _plugin = _dirs.StartPluginAsync(PluginName).GetAwaiter().GetResult();
                var options = _dirs.Options(hostNamespacePath: host.Namespace.Path);
                _client = new PluginClient(new PluginDiscovery(options).Find(PluginName), options);
                return new Cleanup(() =>
                {
                    _client.Dispose();
                    _plugin.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    _dirs.Dispose();
                });
            });
        Wire(lab.Host);
        return lab;
    }

    [PrivilegedFact]
    public async Task Connect_SandboxGetsThePluginsInterfaceAsEth0_WithAddressAndGateway_DisconnectAndDeleteLeaveNothing()
    {
        await Controller.CreateNetworkAsync(Spec());
        await Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });

        var a = await Controller.ConnectAsync("pn", "a");

        Assert.Equal("eth0", a.InterfaceName);
        Assert.Equal(CidrAddress.Parse("10.60.0.2/24"), a.IPv4Address);
        var eth0 = ControllerLab.IpJsonIn(a.SandboxKey, "-d", "addr", "show", "eth0")[0];
        Assert.Equal("veth", eth0.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Contains("UP", eth0.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains(eth0.GetProperty("addr_info").EnumerateArray(), i => i.GetProperty("local").GetString() == "10.60.0.2");
        var route = Assert.Single(ControllerLab.IpJsonIn(a.SandboxKey, "route", "show", "default").EnumerateArray());
        Assert.Equal("10.60.0.1", route.GetProperty("gateway").GetString());
        var body = Assert.Single(Plugin.CallsOf("NetworkDriver.CreateNetwork")).Body;
        Assert.Equal("10.60.0.0/24", body.GetProperty("IPv4Data")[0].GetProperty("Pool").GetString());

        await Controller.DisconnectAsync("pn", "a");
        Assert.Equal(["lo"], LinkNamesIn(a.SandboxKey));
        Assert.Equal(["lo"], LinkNames(Lab.Host));
        await Controller.DeleteNetworkAsync("pn");

        Assert.Equal(["NetworkDriver.DeleteEndpoint", "NetworkDriver.DeleteNetwork"],
            Plugin.Calls.Select(c => c.Method).Where(m => m is "NetworkDriver.DeleteEndpoint" or "NetworkDriver.DeleteNetwork"));
        Assert.Equal(["lo"], LinkNames(Lab.Host));
    }

    [PrivilegedFact]
    public async Task Restart_JoinedEndpointKeepsItsInterface_DisconnectAfterwardsLeavesNothing()
    {
        await Controller.CreateNetworkAsync(Spec());
        await Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        var a = await Controller.ConnectAsync("pn", "a");

        // A daemon restart: new driver and controller, reconcile hands the stored objects over.
        await Lab.RestartAsync();
        var report = await Controller.ReconcileAsync();

        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        var eth0 = ControllerLab.IpJsonIn(a.SandboxKey, "addr", "show", "eth0")[0];
        Assert.Contains(eth0.GetProperty("addr_info").EnumerateArray(), i => i.GetProperty("local").GetString() == "10.60.0.2");
        // The plugin's name for the interface was not stored: leave deletes the veth (its host end goes with it).
        await Controller.DisconnectAsync("pn", "a");
        Assert.Equal(["lo"], LinkNamesIn(a.SandboxKey));
        Assert.Equal(["lo"], LinkNames(Lab.Host));
        await Controller.DeleteNetworkAsync("pn");
        Assert.Single(Plugin.CallsOf("NetworkDriver.DeleteNetwork"));
    }

    [PrivilegedFact]
    public async Task Connect_PluginDiesMidJoin_Unavailable_NoEndpointLinkOrAddressLeft()
    {
        await Controller.CreateNetworkAsync(Spec());
        await Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        // The plugin makes its veth pair, then dies before answering.
        Plugin.Die("NetworkDriver.Join", body => MakePair(Lab.Host, body));

        var e = await Assert.ThrowsAsync<UnavailableException>(() => Controller.ConnectAsync("pn", "a"));

        Assert.Contains($"plugin \"{PluginName}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("NetworkDriver.Join", e.Message, StringComparison.Ordinal);
        Assert.Empty(await Controller.ListEndpointsAsync("pn"));
        var sandbox = await Controller.GetSandboxAsync("a");
        Assert.Equal(["lo"], LinkNamesIn(sandbox.Key));
        Assert.Equal(["lo"], LinkNames(Lab.Host));
        Assert.NotEmpty(Plugin.CallsOf("NetworkDriver.DeleteEndpoint"));

        // The plugin is back: the same address is free again.
        Wire(Lab.Host);
        var a = await Controller.ConnectAsync("pn", "a");
        Assert.Equal(CidrAddress.Parse("10.60.0.2/24"), a.IPv4Address);
        await Controller.DisconnectAsync("pn", "a");
        await Controller.DeleteNetworkAsync("pn");
        Assert.Equal(["lo"], LinkNames(Lab.Host));
    }

    [PrivilegedFact]
    public async Task CreateNetwork_PluginRefuses_PluginErrorWithItsText_NoNetworkLeft()
    {
        Plugin.Reply("NetworkDriver.CreateNetwork", new { Err = "vethplugin: option color is not supported" });

        var e = await Assert.ThrowsAsync<PluginErrorException>(() => Controller.CreateNetworkAsync(Spec()));

        Assert.Contains("option color is not supported", e.Message, StringComparison.Ordinal);
        Assert.Empty(await Controller.ListNetworksAsync());
        // The pool went back to IPAM: the same subnet can be created once the plugin agrees.
        Plugin.Reply("NetworkDriver.CreateNetwork", new { });
        await Controller.CreateNetworkAsync(Spec());
        await Controller.DeleteNetworkAsync("pn");
    }

    private static NetworkSpec Spec() => new()
    {
        Name = "pn",
        Driver = PluginName,
        Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.60.0.0/24" }] },
    };

    private void Wire(TestNamespace host)
    {
        Plugin.Handle("NetworkDriver.Join", body => new
        {
            InterfaceName = new { SrcName = MakePair(host, body), DstPrefix = "eth" },
            Gateway = "10.60.0.1",
        });
        Plugin.Handle("NetworkDriver.Leave", body =>
        {
            if (_hostEnds.TryRemove(body.GetProperty("EndpointID").GetString()!, out var hostEnd) && host.Netlink.LinkFind(hostEnd) is { } link)
            {
                host.Netlink.LinkDelete(link.Index);
            }
            return new { };
        });
    }

    /// <summary>The plugin's work at join: a veth pair in the host, one end kept, the other named as SrcName.</summary>
    private string MakePair(TestNamespace host, JsonElement body)
    {
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        host.Netlink.LinkAdd(new VethSpec("rvh" + suffix, "rvc" + suffix));
        _hostEnds[body.GetProperty("EndpointID").GetString()!] = "rvh" + suffix;
        return "rvc" + suffix;
    }

    private static IReadOnlyList<string> LinkNames(TestNamespace ns) =>
        [.. ns.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).Order(StringComparer.Ordinal)];

    private static IReadOnlyList<string> LinkNamesIn(string path) =>
        [.. ControllerLab.IpJsonIn(path, "link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).Order(StringComparer.Ordinal)];

    private sealed class Cleanup(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
