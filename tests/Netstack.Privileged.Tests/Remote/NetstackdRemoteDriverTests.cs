using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Netstack.Drivers.Remote.Tests.Fakes;
using Netstack.Linux;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Remote;

/// <summary>
/// netstackd as a process with its plugin directories pointed at a test's: <c>network create -d NAME</c>
/// finds a discovered plugin, connect gives the sandbox the plugin's interface, and everything goes
/// again at disconnect and network rm. Registration in the daemon (flags, resolver) included.
/// </summary>
public sealed class NetstackdRemoteDriverTests
{
    [PrivilegedFact]
    public async Task NetworkCreate_DriverIsADiscoveredPlugin_ConnectDisconnectRm_LeaveNothing()
    {
        using var dirs = PluginDirectory.Create();
        await using var daemon = await NetstackdProcess.StartAsync("--plugin-socket-dir", dirs.Sockets, "--plugin-spec-dir", dirs.Specs);
        await using var plugin = await dirs.StartPluginAsync("vethplugin");
        var hostEnds = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        plugin.Handle("NetworkDriver.Join", body =>
        {
            var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
            daemon.Host.Netlink.LinkAdd(new VethSpec("rvh" + suffix, "rvc" + suffix));
            hostEnds[body.GetProperty("EndpointID").GetString()!] = "rvh" + suffix;
            return new { InterfaceName = new { SrcName = "rvc" + suffix, DstPrefix = "eth" }, Gateway = "10.60.0.1" };
        });
        plugin.Handle("NetworkDriver.Leave", body =>
        {
            if (hostEnds.TryRemove(body.GetProperty("EndpointID").GetString()!, out var end) && daemon.Host.Netlink.LinkFind(end) is { } link)
            {
                daemon.Host.Netlink.LinkDelete(link.Index);
            }
            return new { };
        });

        var create = await daemon.NetstackAsync("network", "create", "-d", "vethplugin", "--subnet", "10.60.0.0/24", "pn");
        Assert.True(create.Exit == 0, create.Err + daemon.Log);
        var ls = daemon.Docker("network", "ls", "--filter", "name=pn", "--format", "{{.Name}} {{.Driver}}");
        Assert.Equal(["pn vethplugin"], ls.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var unknown = await daemon.NetstackAsync("network", "create", "-d", "nosuchplugin", "bad");
        Assert.NotEqual(0, unknown.Exit);
        Assert.Contains("nosuchplugin", unknown.Err, StringComparison.Ordinal);

        var a = (await daemon.NetstackAsync("sandbox", "create", "a")).Out.Trim();
        var connect = await daemon.NetstackAsync("network", "connect", "pn", "a");
        Assert.True(connect.Exit == 0, connect.Err + daemon.Log);
        var eth0 = NetstackdProcess.IpJsonIn(a, "-d", "addr", "show", "eth0")[0];
        Assert.Equal("veth", eth0.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Contains(eth0.GetProperty("addr_info").EnumerateArray(), i => i.GetProperty("local").GetString() == "10.60.0.2");
        Assert.Equal(["NetworkDriver.CreateNetwork", "NetworkDriver.CreateEndpoint", "NetworkDriver.Join"],
            plugin.Calls.Select(c => c.Method).Where(m => m is "NetworkDriver.CreateNetwork" or "NetworkDriver.CreateEndpoint" or "NetworkDriver.Join"));

        var disconnect = await daemon.NetstackAsync("network", "disconnect", "pn", "a");
        Assert.True(disconnect.Exit == 0, disconnect.Err);
        Assert.DoesNotContain(NetstackdProcess.IpJsonIn(a, "link", "show").EnumerateArray(), l => l.GetProperty("ifname").GetString() == "eth0");
        var rm = await daemon.NetstackAsync("network", "rm", "pn");
        Assert.True(rm.Exit == 0, rm.Err);

        Assert.Single(plugin.CallsOf("NetworkDriver.DeleteNetwork"));
        Assert.DoesNotContain(daemon.Host.IpJson("link", "show").EnumerateArray(), l => l.GetProperty("ifname").GetString()!.StartsWith("rv", StringComparison.Ordinal));
    }

    [PrivilegedFact]
    public async Task NetworkCreate_IpamDriverIsADiscoveredPlugin_BridgeEndpointsGetItsAddresses_RmReleasesThem()
    {
        using var dirs = PluginDirectory.Create();
        await using var daemon = await NetstackdProcess.StartAsync("--plugin-socket-dir", dirs.Sockets, "--plugin-spec-dir", dirs.Specs);
        await using var plugin = await dirs.StartPluginAsync("ipamplugin");
        plugin.Reply("Plugin.Activate", new { Implements = new[] { "IpamDriver" } });
        var next = 9;
        plugin.Handle("IpamDriver.RequestPool", body => new { PoolID = "pool-61", Pool = "10.61.0.0/24" });
        plugin.Handle("IpamDriver.RequestAddress", body =>
        {
            var asked = body.GetProperty("Address").GetString();
            return new { Address = (string.IsNullOrEmpty(asked) ? $"10.61.0.{Interlocked.Increment(ref next)}" : asked) + "/24" };
        });

        var create = await daemon.NetstackAsync("network", "create", "-d", "bridge", "--ipam-driver", "ipamplugin", "--subnet", "10.61.0.0/24", "--gateway", "10.61.0.1", "pn");
        Assert.True(create.Exit == 0, create.Err + daemon.Log);
        var a = (await daemon.NetstackAsync("sandbox", "create", "a")).Out.Trim();
        var connect = await daemon.NetstackAsync("network", "connect", "pn", "a");
        Assert.True(connect.Exit == 0, connect.Err + daemon.Log);

        var eth0 = NetstackdProcess.IpJsonIn(a, "addr", "show", "eth0")[0];
        Assert.Contains(eth0.GetProperty("addr_info").EnumerateArray(), i => i.GetProperty("local").GetString() == "10.61.0.10");
        Assert.Equal("fake-local", Assert.Single(plugin.CallsOf("IpamDriver.RequestPool")).Body.GetProperty("AddressSpace").GetString());
        Assert.Contains(plugin.CallsOf("IpamDriver.RequestAddress"), c => c.Body.GetProperty("Address").GetString() == "10.61.0.1");

        Assert.Equal(0, (await daemon.NetstackAsync("network", "disconnect", "pn", "a")).Exit);
        var rm = await daemon.NetstackAsync("network", "rm", "pn");
        Assert.True(rm.Exit == 0, rm.Err);

        Assert.Contains(plugin.CallsOf("IpamDriver.ReleaseAddress"), c => c.Body.GetProperty("Address").GetString() == "10.61.0.10");
        Assert.Equal("pool-61", Assert.Single(plugin.CallsOf("IpamDriver.ReleasePool")).Body.GetProperty("PoolID").GetString());
        Assert.Empty(daemon.Bridges());
    }
}
