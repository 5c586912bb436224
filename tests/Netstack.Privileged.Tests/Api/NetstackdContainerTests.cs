using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Api;

/// <summary>
/// Containers through netstackd: real runc, real bridge, published ports, addresses given back on
/// stop, everything gone after rm -f; bad requests leave nothing behind.
/// </summary>
public sealed class NetstackdContainerTests
{
    private static async Task<string> IpOf(NetstackdProcess daemon, string container, string network)
    {
        using var client = daemon.Client();
        var inspect = await client.InspectContainerAsync(container);
        return inspect.NetworkSettings.Networks[network].IPAddress;
    }

    [PrivilegedFact]
    public async Task Run_ContainersReachEachOther_PortsArePublished_StopAndRmGiveEverythingBack()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.98.0.0/24", "front")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.99.0.0/24", "back")).Exit);

        var web = await daemon.NetstackAsync("run", "-d", "--name", "web1", "--network", "front", "-p", "8080:80", "-p", "127.0.0.1:5353:53/udp",
            "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www");
        Assert.True(web.Exit == 0, web.Err + daemon.Log);
        var c1 = await daemon.NetstackAsync("run", "-d", "--name", "c1", "--network", "front", "busybox", "sleep", "600");
        Assert.True(c1.Exit == 0, c1.Err);
        var other = await daemon.NetstackAsync("run", "-d", "--name", "other", "--network", "back", "busybox", "sleep", "600");
        Assert.True(other.Exit == 0, other.Err);

        var webIp = await IpOf(daemon, "web1", "front");
        var c1Ip = await IpOf(daemon, "c1", "front");
        var page = await daemon.NetstackAsync("exec", "c1", "wget", "-q", "-O", "-", $"http://{webIp}/");
        Assert.True(page.Exit == 0, page.Err);
        Assert.Contains("<html", page.Out, StringComparison.OrdinalIgnoreCase);
        // busybox's own timeout bounds the fetch (its wget -T crashes with SIGSEGV, which would pass
        // for a refusal): blocked means no page, and the fetch ended by a failure or the timeout.
        var blocked = await daemon.NetstackAsync("exec", "other", "timeout", "3", "wget", "-q", "-O", "-", $"http://{webIp}/");
        Assert.NotEqual(0, blocked.Exit);
        Assert.NotEqual(139, blocked.Exit);
        Assert.DoesNotContain("<html", blocked.Out, StringComparison.OrdinalIgnoreCase);

        // By name, through the sandbox's resolver: found from the same network only.
        var byName = await daemon.NetstackAsync("exec", "c1", "wget", "-q", "-O", "-", "http://web1/");
        Assert.True(byName.Exit == 0, byName.Err + byName.Out);
        Assert.Contains("<html", byName.Out, StringComparison.OrdinalIgnoreCase);
        var lookup = await daemon.NetstackAsync("exec", "c1", "nslookup", "web1");
        Assert.Contains(webIp, lookup.Out, StringComparison.Ordinal);
        var foreign = await daemon.NetstackAsync("exec", "other", "nslookup", "web1");
        Assert.DoesNotContain(webIp, foreign.Out, StringComparison.Ordinal);

        // The published port answers on the host side: loopback and the host's address on the bridge.
        var gateway = "10.98.0.1";
        Assert.Contains("<html", daemon.Host.Exec("busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<html", daemon.Host.Exec("busybox", "wget", "-q", "-O", "-", $"http://{gateway}:8080/"), StringComparison.OrdinalIgnoreCase);

        var ps = await daemon.NetstackAsync("ps");
        Assert.Contains("0.0.0.0:8080->80/tcp", ps.Out, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:5353->53/udp", ps.Out, StringComparison.Ordinal);

        // A stopped container leaves its network: its sandbox goes and its address is handed out again.
        Assert.Equal(0, (await daemon.NetstackAsync("stop", "-t", "1", "c1")).Exit);
        using (var client = daemon.Client())
        {
            Assert.DoesNotContain(await client.ListSandboxesAsync(), s => s.Name == "c1");
        }
        var c2 = await daemon.NetstackAsync("run", "-d", "--name", "c2", "--network", "front", "busybox", "sleep", "600");
        Assert.True(c2.Exit == 0, c2.Err);
        Assert.Equal(c1Ip, await IpOf(daemon, "c2", "front"));

        // rm -f of a running container removes it, its sandbox and its port rules.
        Assert.Equal(0, (await daemon.NetstackAsync("rm", "-f", "web1", "c1", "c2", "other")).Exit);
        var all = await daemon.NetstackAsync("ps", "-a", "-q");
        Assert.Equal("", all.Out.Trim());
        using (var client = daemon.Client())
        {
            Assert.Empty(await client.ListSandboxesAsync());
        }
        Assert.DoesNotContain("8080", Firewall.TestFirewall.RulesText(daemon.Host), StringComparison.Ordinal);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "rm", "front", "back")).Exit);
        Assert.Empty(daemon.Bridges());
    }

    [PrivilegedFact]
    public async Task Run_BadRequests_FailClearly_AndLeaveNothing()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.100.0.0/24", "front")).Exit);
        var first = await daemon.NetstackAsync("run", "-d", "--name", "holder", "--network", "front", "-p", "8081:80", "busybox", "sleep", "600");
        Assert.True(first.Exit == 0, first.Err + daemon.Log);

        (string[] Args, string Expect)[] cases =
        [
            (["run", "-d", "--network", "front", "nosuchimage", "true"], "nosuchimage"),
            (["run", "-d", "--network", "nosuchnet", "busybox", "true"], "nosuchnet"),
            (["run", "-d", "--name", "clash", "--network", "front", "-p", "8081:80", "busybox", "sleep", "600"], "8081"),
            (["run", "-d", "--network", "front", "-p", "80:80x", "busybox"], "80:80x"),
            (["run", "-d", "--name", "holder", "--network", "front", "busybox", "true"], "holder"),
            (["run", "-d", "--network", "front", "busybox", "/no/such/program"], "/no/such/program"),
        ];
        foreach (var (args, expect) in cases)
        {
            var result = await daemon.NetstackAsync(args);
            var what = $"netstack {string.Join(' ', args)}: {result.Err}";
            Assert.True(result.Exit == 1, what);
            Assert.True(result.Err.Contains(expect, StringComparison.Ordinal), what);
        }

        // Nothing of the failed runs stays running or holds an address: only the holder's sandbox exists.
        using var client = daemon.Client();
        var sandboxes = await client.ListSandboxesAsync();
        Assert.Equal(["holder"], sandboxes.Select(s => s.Name));
        var running = await client.ListContainersAsync(all: false);
        Assert.Equal(["/holder"], running.SelectMany(c => c.Names));
        var network = await client.InspectNetworkAsync("front");
        Assert.Single(network.Containers);

        Assert.Equal(0, (await daemon.NetstackAsync("rm", "-f", "holder")).Exit);
        foreach (var leftover in await client.ListContainersAsync(all: true))
        {
            await client.RemoveContainerAsync(leftover.Id, force: true);
        }
        Assert.Equal(0, (await daemon.NetstackAsync("network", "rm", "front")).Exit);
    }

    [PrivilegedFact]
    public async Task Port_ListsPublishedPorts_StartAndRestart_BringAStoppedContainerBackOnItsNetwork()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.101.0.0/24", "again")).Exit);
        var run = await daemon.NetstackAsync("run", "-d", "--name", "web", "--network", "again", "-p", "8082:80", "-p", "127.0.0.1:5353:53/udp", "busybox", "sleep", "600");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
        var peer = await daemon.NetstackAsync("run", "-d", "--name", "peer", "--network", "again", "busybox", "sleep", "600");
        Assert.True(peer.Exit == 0, peer.Err);

        var all = await daemon.NetstackAsync("port", "web");
        Assert.Equal(["53/udp -> 127.0.0.1:5353", "80/tcp -> 0.0.0.0:8082"], all.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("0.0.0.0:8082", (await daemon.NetstackAsync("port", "web", "80")).Out.Trim());
        Assert.Equal("127.0.0.1:5353", (await daemon.NetstackAsync("port", "web", "53/udp")).Out.Trim());
        var unpublished = await daemon.NetstackAsync("port", "web", "81");
        Assert.True(unpublished.Exit == 1 && unpublished.Err.Contains("81/tcp", StringComparison.Ordinal), unpublished.Err);
        var bad = await daemon.NetstackAsync("port", "web", "80/sctp");
        Assert.True(bad.Exit == 1 && bad.Err.Contains("80/sctp", StringComparison.Ordinal), bad.Err);

        // Stopped, the container leaves its network; start brings it back there, reachable again.
        Assert.Equal(0, (await daemon.NetstackAsync("stop", "-t", "1", "web")).Exit);
        using (var client = daemon.Client())
        {
            Assert.False((await client.InspectContainerAsync("web")).State.Running);
            Assert.DoesNotContain((await client.InspectNetworkAsync("again")).Containers.Values, c => c.Name == "web");
        }
        var start = await daemon.NetstackAsync("start", "web");
        Assert.True(start.Exit == 0 && start.Out.Trim() == "web", start.Err + daemon.Log);
        Assert.Equal("0.0.0.0:8082", (await daemon.NetstackAsync("port", "web", "80")).Out.Trim());
        var webIp = await IpOf(daemon, "web", "again");
        var ping = await daemon.NetstackAsync("exec", "peer", "ping", "-c", "1", "-W", "2", webIp);
        Assert.True(ping.Exit == 0, ping.Out + ping.Err);

        // restart: a new process (new pid), same networks.
        int pidBefore;
        using (var client = daemon.Client())
        {
            pidBefore = (await client.InspectContainerAsync("web")).State.Pid;
        }
        var restart = await daemon.NetstackAsync("restart", "-t", "1", "web");
        Assert.True(restart.Exit == 0, restart.Err + daemon.Log);
        using (var client = daemon.Client())
        {
            var after = await client.InspectContainerAsync("web");
            Assert.True(after.State.Running);
            Assert.NotEqual(pidBefore, after.State.Pid);
            Assert.True(after.NetworkSettings.Networks.ContainsKey("again"));
        }
        var unknown = await daemon.NetstackAsync("start", "nosuchcontainer");
        Assert.True(unknown.Exit == 1 && unknown.Err.Contains("nosuchcontainer", StringComparison.Ordinal), unknown.Err);

        Assert.Equal(0, (await daemon.NetstackAsync("rm", "-f", "web", "peer")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "rm", "again")).Exit);
        Assert.Empty(daemon.Bridges());
    }
}
