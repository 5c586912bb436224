using System.Text.Json;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Macvlan;

/// <summary>
/// netstackd as a process on a test namespace wired to a segment, driven by the stock docker CLI and
/// our CLI: the macvlan driver as users reach it, registration in the daemon included.
/// </summary>
public sealed class NetstackdMacvlanTests
{
    [PrivilegedFact]
    public async Task DockerCli_MacvlanNetwork_SandboxesReachEachOtherAndTheMachine_BadOptionsAreRefused()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        using var segment = Segment.Attach(daemon.Host);

        var create = daemon.Docker("network", "create", "-d", "macvlan", "-o", "parent=uplink", "--subnet", Segment.Subnet,
            "--gateway", "192.0.2.1", "--aux-address", "host=192.0.2.2", "lan");
        Assert.True(create.Exit == 0, create.Err + daemon.Log);

        // Bad input through the docker CLI: the daemon refuses, naming the option or value.
        (string[] Args, string Expect)[] cases =
        [
            (["network", "create", "-d", "macvlan", "--subnet", "198.51.100.0/24", "bad1"], "parent"),
            (["network", "create", "-d", "macvlan", "-o", "parent=nosuch0", "--subnet", "198.51.100.0/24", "bad2"], "nosuch0"),
            (["network", "create", "-d", "macvlan", "-o", "parent=uplink", "-o", "macvlan_mode=bogus", "--subnet", "198.51.100.0/24", "bad3"], "macvlan_mode \"bogus\""),
            (["network", "create", "-d", "macvlan", "-o", "parent=uplink", "-o", "macvlan_mode=passthru", "--subnet", "198.51.100.0/24", "bad4"], "passthru"),
        ];
        foreach (var (args, expect) in cases)
        {
            var refused = daemon.Docker(args);
            Assert.True(refused.Exit != 0, $"docker {string.Join(' ', args)} was accepted");
            Assert.Contains(expect, refused.Err, StringComparison.Ordinal);
        }
        var ls = daemon.Docker("network", "ls", "--format", "{{.Name}} {{.Driver}}");
        Assert.Equal(["lan macvlan"], ls.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var a = (await daemon.NetstackAsync("sandbox", "create", "a")).Out.Trim();
        var b = (await daemon.NetstackAsync("sandbox", "create", "b")).Out.Trim();
        var connectA = await daemon.NetstackAsync("network", "connect", "lan", "a");
        Assert.True(connectA.Exit == 0, connectA.Err);
        var connectB = daemon.Docker("network", "connect", "--ip", "192.0.2.20", "lan", "b");
        Assert.True(connectB.Exit == 0, connectB.Err);

        var eth0 = NetstackdProcess.IpJsonIn(a, "-d", "link", "show", "eth0")[0];
        Assert.Equal("macvlan", eth0.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.True(NetstackdProcess.Ping(a, "192.0.2.20"), "a cannot reach b");
        Assert.True(NetstackdProcess.Ping(b, "192.0.2.1"), "b cannot reach the machine");
        Assert.False(NetstackdProcess.Ping(a, "192.0.2.2"), "a reached the host's own parent address");

        var inspect = daemon.Docker("network", "inspect", "lan");
        Assert.True(inspect.Exit == 0, inspect.Err);
        using (var doc = JsonDocument.Parse(inspect.Out))
        {
            var network = doc.RootElement[0];
            Assert.Equal("macvlan", network.GetProperty("Driver").GetString());
            Assert.Equal("uplink", network.GetProperty("Options").GetProperty("parent").GetString());
            Assert.Equal("192.0.2.1", network.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Gateway").GetString());
        }

        Assert.Equal(0, daemon.Docker("network", "disconnect", "lan", "b").Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "disconnect", "lan", "a")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("sandbox", "rm", "a", "b")).Exit);
        var rm = daemon.Docker("network", "rm", "lan");
        Assert.True(rm.Exit == 0, rm.Err);
        Assert.Equal(["lo", Segment.Uplink], Segment.LinkNames(daemon.Host));
    }
}
