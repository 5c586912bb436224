using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.DnsDaemon;

/// <summary>
/// The embedded resolver through netstackd, asked by real clients: busybox nslookup inside the
/// containers, dig in a container's namespace, glibc's getaddrinfo (getent) with the container's
/// resolv.conf. Every container names the test's stub upstream with --dns, so nothing is ever
/// forwarded to the machine's resolver.
/// </summary>
public sealed class NetstackdDnsTests
{
    private const string ResolverConf = "nameserver 127.0.0.11\noptions ndots:0\n";

    private static async Task RunAsync(NetstackdProcess daemon, StubUpstreamHost stub, string name, params string[] options)
    {
        var run = await daemon.NetstackAsync(["run", "-d", "--name", name, "--dns", stub.Address.ToString(), .. options, "busybox", "sleep", "600"]);
        Assert.True(run.Exit == 0, $"run {name}: {run.Err}\n{daemon.Log}");
    }

    private static async Task<(int Exit, string Text)> NslookupAsync(NetstackdProcess daemon, string container, string name)
    {
        var result = await daemon.NetstackAsync("exec", container, "nslookup", name, "127.0.0.11");
        return (result.Exit, result.Out + result.Err);
    }

    private static async Task AssertResolvesAsync(NetstackdProcess daemon, string container, string name, string address)
    {
        var (exit, text) = await NslookupAsync(daemon, container, name);
        Assert.True(exit == 0 && text.Contains("Address: " + address, StringComparison.Ordinal),
            $"nslookup {name} in {container}: exit {exit}, expected {address}:\n{text}\n{daemon.Log}");
    }

    private static async Task AssertNotFoundAsync(NetstackdProcess daemon, string container, string name, string? address)
    {
        var (exit, text) = await NslookupAsync(daemon, container, name);
        Assert.True(exit != 0 && text.Contains("NXDOMAIN", StringComparison.Ordinal), $"nslookup {name} in {container}: exit {exit}\n{text}\n{daemon.Log}");
        if (address is not null)
        {
            Assert.DoesNotContain(address, text, StringComparison.Ordinal);
        }
    }

    private static async Task<(string Id, string Ip, string SandboxKey)> InspectAsync(NetstackdProcess daemon, string container, string network)
    {
        using var client = daemon.Client();
        var inspect = await client.InspectContainerAsync(container);
        return (inspect.Id, inspect.NetworkSettings.Networks[network].IPAddress, inspect.NetworkSettings.SandboxKey);
    }

    /// <summary>glibc's getaddrinfo in the container's namespace, reading a resolv.conf like the container's (bind-mounted in a private mount namespace).</summary>
    private static (int Exit, string Output) Getent(NetstackdProcess daemon, string sandboxKey, string name)
    {
        var conf = Path.Combine(daemon.Directory, "getent-resolv.conf");
        File.WriteAllText(conf, ResolverConf);
        var result = TestNamespace.TryRun("unshare", "--mount", "--propagation", "private", "sh", "-c",
            $"mount --bind {conf} /etc/resolv.conf && exec nsenter --net={sandboxKey} getent ahostsv4 {name}");
        return (result.ExitCode, result.Output + result.Error);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    [PrivilegedFact]
    public async Task UserNetwork_NamesAliasesShortIds_ResolveOnlyForNeighbours_ForwardToUpstream_SurviveDaemonKill()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await using var stub = StubUpstreamHost.Start(daemon.Host);
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.101.0.0/24", "front")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.102.0.0/24", "back")).Exit);

        await RunAsync(daemon, stub, "alpha", "--network", "front", "--network-alias", "web");
        await RunAsync(daemon, stub, "bravo", "--network", "front");
        await RunAsync(daemon, stub, "charlie", "--network", "back");
        var alpha = await InspectAsync(daemon, "alpha", "front");
        var bravo = await InspectAsync(daemon, "bravo", "front");
        var charlie = await InspectAsync(daemon, "charlie", "back");

        // The container asks the embedded resolver, as Docker's containers on user networks do.
        var conf = await daemon.NetstackAsync("exec", "alpha", "cat", "/etc/resolv.conf");
        Assert.Equal(ResolverConf, conf.Out);

        // busybox nslookup: name, alias, short id, any case.
        await AssertResolvesAsync(daemon, "alpha", "bravo", bravo.Ip);
        await AssertResolvesAsync(daemon, "bravo", "web", alpha.Ip);
        await AssertResolvesAsync(daemon, "bravo", alpha.Id[..12], alpha.Ip);
        await AssertResolvesAsync(daemon, "bravo", "ALPHA", alpha.Ip);
        // A container on another network is not a neighbour: the name goes upstream, which knows nothing of it.
        await AssertNotFoundAsync(daemon, "alpha", "charlie", charlie.Ip);
        await AssertNotFoundAsync(daemon, "charlie", "bravo", bravo.Ip);

        // dig over UDP and TCP, from the container's namespace.
        var dig = TestNamespace.Run("nsenter", "--net=" + alpha.SandboxKey, "dig", "@127.0.0.11", "+short", "+tries=1", "+time=3", "bravo");
        Assert.Equal(bravo.Ip, dig.Trim());
        var digTcp = TestNamespace.Run("nsenter", "--net=" + alpha.SandboxKey, "dig", "@127.0.0.11", "+tcp", "+short", "+tries=1", "+time=3", "web");
        Assert.Equal(alpha.Ip, digTcp.Trim());
        var ptr = TestNamespace.Run("nsenter", "--net=" + alpha.SandboxKey, "dig", "@127.0.0.11", "+short", "+tries=1", "+time=3", "-x", bravo.Ip);
        Assert.StartsWith("bravo", ptr.Trim(), StringComparison.Ordinal);

        // glibc getaddrinfo with the container's resolv.conf.
        var getent = Getent(daemon, bravo.SandboxKey, "alpha");
        Assert.True(getent.Exit == 0 && getent.Output.Contains(alpha.Ip, StringComparison.Ordinal), getent.Output);

        // Other names go to the container's --dns server: the stub in its own namespace.
        var before = stub.Queries(StubUpstreamHost.ExternalName);
        await AssertResolvesAsync(daemon, "alpha", StubUpstreamHost.ExternalName, StubUpstreamHost.ExternalAddress.ToString());
        Assert.True(stub.Queries(StubUpstreamHost.ExternalName) > before);

        // Inspect shows each endpoint's DNS names: container and network views.
        using (var client = daemon.Client())
        {
            var settings = (await client.InspectContainerAsync("alpha")).NetworkSettings.Networks["front"];
            Assert.Equal(
                new[] { "alpha", "web", alpha.Id[..12] }.Order(StringComparer.Ordinal),
                settings.DnsNames!.Order(StringComparer.Ordinal));
            var network = await client.InspectNetworkAsync("front");
            Assert.Contains(network.Containers.Values, c => c.Name == "bravo" && c.DnsNames!.Contains("bravo") && c.DnsNames!.Contains(bravo.Id[..12]));
        }
        var networkInspect = await daemon.NetstackAsync("network", "inspect", "front");
        Assert.Contains("\"DNSNames\"", networkInspect.Out, StringComparison.Ordinal);
        var containerInspect = await daemon.NetstackAsync("inspect", "alpha");
        Assert.Contains("\"web\"", containerInspect.Out, StringComparison.Ordinal);

        // A container that leaves the network: its name is gone at once for the others.
        Assert.Equal(0, (await daemon.NetstackAsync("network", "disconnect", "front", "bravo")).Exit);
        // Bridge driver bug (reported): the bridge's MAC is not pinned, so it changes when the port
        // with the lowest MAC leaves, and alpha's cached gateway MAC goes stale until ARP expires.
        // Flushed here so the forwarded query below tests DNS, not that bug.
        TestNamespace.Run("nsenter", "--net=" + alpha.SandboxKey, "ip", "neigh", "flush", "all");
        await AssertNotFoundAsync(daemon, "alpha", "bravo", bravo.Ip);

        // A daemon killed outright: the containers keep running, the next daemon brings their resolvers back.
        await RunAsync(daemon, stub, "delta", "--network", "front");
        var delta = await InspectAsync(daemon, "delta", "front");
        await daemon.KillHardAsync();
        await daemon.LaunchAsync();
        await AssertResolvesAsync(daemon, "alpha", "delta", delta.Ip);
        await AssertResolvesAsync(daemon, "delta", "web", alpha.Ip);
        await AssertResolvesAsync(daemon, "delta", StubUpstreamHost.ExternalName, StubUpstreamHost.ExternalAddress.ToString());
        var digAfter = TestNamespace.Run("nsenter", "--net=" + delta.SandboxKey, "dig", "@127.0.0.11", "+short", "+tries=1", "+time=3", "alpha");
        Assert.Equal(alpha.Ip, digAfter.Trim());
        // The new resolver's redirect replaced the old one: one jump, one chain, in the sandbox.
        if (Firewall.TestFirewall.IsNftables)
        {
            // nftables backend: base chain nat-OUTPUT of table ip netstack jumps to nat-NETSTACK-DNS.
            var output = TestNamespace.Run("nsenter", "--net=" + alpha.SandboxKey, "nft", "list", "chain", "ip", "netstack", "nat-OUTPUT");
            Assert.Single(output.Split('\n'), l => l.Contains("jump nat-NETSTACK-DNS", StringComparison.Ordinal));
        }
        else
        {
            var nat = TestNamespace.Run("nsenter", "--net=" + alpha.SandboxKey, "iptables-save", "-t", "nat");
            Assert.Single(nat.Split('\n'), l => l.StartsWith("-A OUTPUT", StringComparison.Ordinal) && l.Contains("NETSTACK-DNS", StringComparison.Ordinal));
        }
    }

    [PrivilegedFact]
    public async Task DefaultBridgeGetsNoResolver_InternalNetworkDoesNotForward_RemovedContainerTakesItsResolver()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await using var stub = StubUpstreamHost.Start(daemon.Host);
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--internal", "--subnet", "10.103.0.0/24", "inside")).Exit);
        // The default network, as Docker's docker0 network is called: containers that name none join it.
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.104.0.0/24", "bridge")).Exit);

        // Default bridge only: the container gets its --dns servers directly, and no names (Docker's behaviour).
        await RunAsync(daemon, stub, "plain");
        var plainConf = await daemon.NetstackAsync("exec", "plain", "cat", "/etc/resolv.conf");
        Assert.Contains("nameserver " + stub.Address, plainConf.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.11", plainConf.Out, StringComparison.Ordinal);
        using (var client = daemon.Client())
        {
            var plain = await client.InspectContainerAsync("plain");
            Assert.Null(plain.NetworkSettings.Networks["bridge"].DnsNames);
            var plainNat = Firewall.TestFirewall.RulesTextAt(plain.NetworkSettings.SandboxKey);
            Assert.DoesNotContain("NETSTACK-DNS", plainNat, StringComparison.Ordinal);
        }

        // Only on an internal network: names resolve, nothing is forwarded (SERVFAIL), the stub sees nothing.
        await RunAsync(daemon, stub, "in1", "--network", "inside");
        await RunAsync(daemon, stub, "in2", "--network", "inside");
        var in2 = await InspectAsync(daemon, "in2", "inside");
        await AssertResolvesAsync(daemon, "in1", "in2", in2.Ip);
        var before = stub.Queries(StubUpstreamHost.ExternalName);
        var (exit, text) = await NslookupAsync(daemon, "in1", StubUpstreamHost.ExternalName);
        Assert.True(exit != 0 && !text.Contains(StubUpstreamHost.ExternalAddress.ToString(), StringComparison.Ordinal), text);
        Assert.Equal(before, stub.Queries(StubUpstreamHost.ExternalName));

        // Connecting the default-bridge container to a user network starts its resolver and points
        // resolv.conf at it (as Docker); disconnecting gives it its servers back.
        Assert.Equal(0, (await daemon.NetstackAsync("network", "connect", "inside", "plain")).Exit);
        var connectedConf = await daemon.NetstackAsync("exec", "plain", "cat", "/etc/resolv.conf");
        Assert.Contains("nameserver 127.0.0.11", connectedConf.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("nameserver " + stub.Address, connectedConf.Out, StringComparison.Ordinal);
        await AssertResolvesAsync(daemon, "plain", "in2", in2.Ip);
        // Its default-bridge neighbours still have no names, as in Docker.
        await RunAsync(daemon, stub, "plain2");
        await AssertNotFoundAsync(daemon, "plain", "plain2", null);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "disconnect", "inside", "plain")).Exit);
        var disconnectedConf = await daemon.NetstackAsync("exec", "plain", "cat", "/etc/resolv.conf");
        Assert.Contains("nameserver " + stub.Address, disconnectedConf.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.11", disconnectedConf.Out, StringComparison.Ordinal);

        // rm -f: the sandbox goes, and its resolver with it (the daemon says so for both).
        var stoppedBefore = CountOf(daemon.Log, "resolver stopped");
        Assert.Equal(0, (await daemon.NetstackAsync("rm", "-f", "in1", "in2", "plain", "plain2")).Exit);
        for (var i = 0; i < 100 && CountOf(daemon.Log, "resolver stopped") < stoppedBefore + 2; i++)
        {
            // The worker stops resolvers after the leave events; a readiness wait, not a measurement.
            await Task.Delay(50);
        }
        Assert.Equal(stoppedBefore + 2, CountOf(daemon.Log, "resolver stopped"));
    }
}
