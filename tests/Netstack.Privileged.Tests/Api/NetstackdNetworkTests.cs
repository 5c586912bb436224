using System.Text.Json;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Api;

/// <summary>
/// netstackd as a process on a test namespace, driven by our CLI and by the stock docker CLI, with
/// the real controller, bridge driver, SQLite store and kernel.
/// </summary>
public sealed class NetstackdNetworkTests
{
    private static string KeyOf(string sandboxCreateOutput) => sandboxCreateOutput.Trim();

    [PrivilegedFact]
    public async Task NetstackCli_TwoSandboxesOnANetwork_ReachEachOther_AndNotAnotherNetwork()
    {
        await using var daemon = await NetstackdProcess.StartAsync();

        var web = await daemon.NetstackAsync("network", "create", "--subnet", "10.91.0.0/24", "web");
        var other = await daemon.NetstackAsync("network", "create", "--subnet", "10.92.0.0/24", "other");
        Assert.True(web.Exit == 0, web.Err + daemon.Log);
        Assert.True(other.Exit == 0, other.Err);
        var a = KeyOf((await daemon.NetstackAsync("sandbox", "create", "a")).Out);
        var b = KeyOf((await daemon.NetstackAsync("sandbox", "create", "b")).Out);
        var c = KeyOf((await daemon.NetstackAsync("sandbox", "create", "c")).Out);

        Assert.Equal(0, (await daemon.NetstackAsync("network", "connect", "web", "a")).Exit);
        var connectB = await daemon.NetstackAsync("network", "connect", "--ip", "10.91.0.50", "--alias", "bee", "web", "b");
        Assert.True(connectB.Exit == 0, connectB.Err);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "connect", "other", "c")).Exit);

        // The kernel has what the API says: eth0 in b with the static address.
        var eth0 = NetstackdProcess.IpJsonIn(b, "addr", "show", "eth0")[0];
        Assert.Contains(eth0.GetProperty("addr_info").EnumerateArray(), x => x.GetProperty("local").GetString() == "10.91.0.50");
        Assert.True(NetstackdProcess.Ping(a, "10.91.0.50"), "a cannot reach b on the same network");
        Assert.False(NetstackdProcess.Ping(c, "10.91.0.50"), "c on another network reaches b");

        var inspect = await daemon.NetstackAsync("network", "inspect", "web");
        using (var doc = JsonDocument.Parse(inspect.Out))
        {
            var containers = doc.RootElement[0].GetProperty("Containers").EnumerateObject().Select(p => p.Value).ToList();
            Assert.Equal(["10.91.0.2/24", "10.91.0.50/24"], containers.Select(x => x.GetProperty("IPv4Address").GetString()).Order(StringComparer.Ordinal));
        }

        Assert.Equal(0, (await daemon.NetstackAsync("network", "disconnect", "web", "a")).Exit);
        Assert.DoesNotContain(NetstackdProcess.IpJsonIn(a, "link", "show").EnumerateArray(), l => l.GetProperty("ifname").GetString() == "eth0");
        Assert.Equal(0, (await daemon.NetstackAsync("sandbox", "rm", "a", "b", "c")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "rm", "web", "other")).Exit);

        Assert.False(File.Exists(a), "sandbox a's namespace file stayed");
        Assert.Empty(daemon.Bridges());
        var ls = await daemon.NetstackAsync("network", "ls", "-q");
        Assert.Equal("", ls.Out.Trim());
    }

    [PrivilegedFact]
    public async Task DockerCli_NetworkVerbs_WorkAgainstNetstackd()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        var box = KeyOf((await daemon.NetstackAsync("sandbox", "create", "box")).Out);

        var create = daemon.Docker("network", "create", "--subnet", "10.93.0.0/24", "--gateway", "10.93.0.254", "--ip-range", "10.93.0.128/25",
            "-o", "com.docker.network.bridge.name=br-nstdocker", "--label", "tier=front", "front");
        Assert.True(create.Exit == 0, create.Err + daemon.Log);
        var id = create.Out.Trim();
        var internalNet = daemon.Docker("network", "create", "--internal", "--subnet", "10.94.0.0/24", "back");
        Assert.True(internalNet.Exit == 0, internalNet.Err);

        var ls = daemon.Docker("network", "ls", "--format", "{{.ID}} {{.Name}} {{.Driver}} {{.Scope}}");
        Assert.True(ls.Exit == 0, ls.Err);
        Assert.Contains($"{id[..12]} front bridge local", ls.Out, StringComparison.Ordinal);

        var connect = daemon.Docker("network", "connect", "--ip", "10.93.0.200", "front", "box");
        Assert.True(connect.Exit == 0, connect.Err);
        var inspect = daemon.Docker("network", "inspect", "front");
        Assert.True(inspect.Exit == 0, inspect.Err);
        using (var doc = JsonDocument.Parse(inspect.Out))
        {
            var network = doc.RootElement[0];
            Assert.Equal("10.93.0.254", network.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Gateway").GetString());
            Assert.Equal("front", network.GetProperty("Labels").GetProperty("tier").GetString());
            var endpoint = network.GetProperty("Containers").EnumerateObject().Single().Value;
            Assert.Equal(("box", "10.93.0.200/24"), (endpoint.GetProperty("Name").GetString(), endpoint.GetProperty("IPv4Address").GetString()));
        }
        // The bridge has the name asked for and the gateway address; the sandbox has its address.
        Assert.Contains("br-nstdocker", daemon.Bridges());
        var gateway = daemon.Host.IpJson("addr", "show", "br-nstdocker")[0].GetProperty("addr_info").EnumerateArray().Select(x => x.GetProperty("local").GetString());
        Assert.Contains("10.93.0.254", gateway);
        Assert.True(NetstackdProcess.Ping(box, "10.93.0.254"), "the sandbox cannot reach its gateway");

        var disconnect = daemon.Docker("network", "disconnect", "front", "box");
        Assert.True(disconnect.Exit == 0, disconnect.Err);
        Assert.Empty(NetstackdProcess.IpJsonIn(box, "-4", "addr", "show", "scope", "global").EnumerateArray());
        var rm = daemon.Docker("network", "rm", "front", "back");
        Assert.True(rm.Exit == 0, rm.Err);
        Assert.Empty(daemon.Bridges());
        Assert.Equal(0, (await daemon.NetstackAsync("sandbox", "rm", "box")).Exit);
    }

    [PrivilegedFact]
    public async Task BadInput_IsRefusedNamingTheValue_AndChangesNothing()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.95.0.0/24", "web")).Exit);
        await daemon.NetstackAsync("sandbox", "create", "box");
        Assert.Equal(0, (await daemon.NetstackAsync("network", "connect", "web", "box")).Exit);
        var bridgesBefore = daemon.Bridges();
        var rulesBefore = Firewall.TestFirewall.RulesText(daemon.Host);

        // Each through the docker CLI (so the daemon, not our CLI, does the checking) and the expected words.
        (string[] Args, string Expect)[] cases =
        [
            (["network", "create", "--subnet", "10.95.0.0/33", "bad1"], "10.95.0.0/33"),
            (["network", "create", "--subnet", "10.95.0.0/24", "bad2"], "10.95.0.0/24"),
            (["network", "create", "web"], "web"),
            (["network", "create", "-d", "nosuch", "bad3"], "nosuch"),
            (["network", "connect", "nosuch", "box"], "nosuch"),
            (["network", "connect", "web", "nobox"], "nobox"),
            (["network", "connect", "web", "box"], "box"),
            (["network", "disconnect", "web", "nobox"], "nobox"),
        ];
        foreach (var (args, expect) in cases)
        {
            var result = daemon.Docker(args);
            var what = $"docker {string.Join(' ', args)}: {result.Err}";
            Assert.True(result.Exit != 0, what + " succeeded");
            Assert.True(result.Err.Contains("Error response from daemon", StringComparison.Ordinal), what);
            Assert.True(result.Err.Contains(expect, StringComparison.Ordinal), what);
        }

        // A second sandbox asking for an address outside the subnet or one already taken.
        await daemon.NetstackAsync("sandbox", "create", "box2");
        var outside = await daemon.NetstackAsync("network", "connect", "--ip", "10.96.0.5", "web", "box2");
        var taken = await daemon.NetstackAsync("network", "connect", "--ip", "10.95.0.2", "web", "box2");
        Assert.Equal(1, outside.Exit);
        Assert.Contains("10.96.0.5", outside.Err, StringComparison.Ordinal);
        Assert.Equal(1, taken.Exit);
        Assert.Contains("10.95.0.2", taken.Err, StringComparison.Ordinal);

        // Nothing changed: the same networks, bridges and rules; box2 has no interface.
        var ls = await daemon.NetstackAsync("network", "ls", "--format", "json");
        Assert.Equal(["web"], ls.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("Name").GetString()));
        Assert.Equal(bridgesBefore, daemon.Bridges());
        Assert.Equal(Normalize(rulesBefore), Normalize(Firewall.TestFirewall.RulesText(daemon.Host)));
        var sandboxes = await daemon.Client().ListSandboxesAsync();
        Assert.Empty(sandboxes.Single(s => s.Name == "box2").Endpoints);

        await daemon.NetstackAsync("sandbox", "rm", "box", "box2");
        Assert.Equal(0, (await daemon.NetstackAsync("network", "rm", "web")).Exit);
    }

    [PrivilegedFact]
    public async Task KillMinus9ThenRestart_KeepsNetworksEndpointsAndAddresses()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.97.0.0/24", "web")).Exit);
        var a = KeyOf((await daemon.NetstackAsync("sandbox", "create", "a")).Out);
        var b = KeyOf((await daemon.NetstackAsync("sandbox", "create", "b")).Out);
        await daemon.NetstackAsync("network", "connect", "web", "a");
        await daemon.NetstackAsync("network", "connect", "web", "b");
        using var before = JsonDocument.Parse((await daemon.NetstackAsync("network", "inspect", "web")).Out);

        await daemon.KillHardAsync();
        await daemon.LaunchAsync();

        using var after = JsonDocument.Parse((await daemon.NetstackAsync("network", "inspect", "web")).Out);
        Assert.Equal(
            before.RootElement[0].GetProperty("Containers").ToString(),
            after.RootElement[0].GetProperty("Containers").ToString());
        Assert.True(NetstackdProcess.Ping(a, "10.97.0.3"), "a cannot reach b after the restart");

        // A third sandbox gets a fresh address, not one handed out before the crash.
        await daemon.NetstackAsync("sandbox", "create", "c");
        Assert.Equal(0, (await daemon.NetstackAsync("network", "connect", "web", "c")).Exit);
        var c = (await daemon.Client().ListSandboxesAsync()).Single(s => s.Name == "c");
        Assert.Equal("10.97.0.4/24", c.Endpoints.Single().IPv4Address);

        Assert.Equal(0, (await daemon.NetstackAsync("sandbox", "rm", "a", "b", "c")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "rm", "web")).Exit);
        Assert.Empty(daemon.Bridges());
        Assert.False(File.Exists(b));
    }

    // iptables-save prints counters and a timestamp comment that change on their own.
    private static string Normalize(string rules) =>
        string.Join('\n', rules.Split('\n').Where(l => !l.StartsWith('#')).Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"\[\d+:\d+\]", "")));
}
