using System.Net;
using System.Net.Sockets;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Capture;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Sandboxes;
using Netstack.Linux;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Privileged.Tests.Capture;

/// <summary>
/// <c>netstack debug trace</c> against a real netstackd on a namespace host, two sandboxes on a
/// bridge network: a probe that goes through is seen at every hop (sa's eth0, the bridge, sb's
/// eth0) with its reply; one whose destination interface is down is said to stop there; bad
/// input is a 4xx naming the field, and leaves no packet socket behind.
/// </summary>
public sealed class TraceDaemonTests(ITestOutputHelper output)
{
    [PrivilegedFact]
    public async Task Trace_OnBridge_IcmpAndTcp_EveryHopSeesRequestAndReply()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        using var client = daemon.Client();
        var (sa, sb) = await CaptureDaemonTests.TwoSandboxesAsync(client);

        var icmp = await client.TraceAsync(new TraceRequest { Container = "sa", Destination = "sb" });
        Log(icmp);
        Assert.True(icmp.ReplyReceived, icmp.Verdict);
        Assert.Equal(sb.Ip, icmp.Destination);
        Assert.Equal("sb", icmp.DestinationName);
        Assert.Null(icmp.StoppedAt);
        Assert.Equal(3, icmp.Hops.Count);
        Assert.Equal("eth0 of sa on web", icmp.Hops[0].Role);
        Assert.StartsWith("br-", icmp.Hops[1].Interface, StringComparison.Ordinal);
        Assert.Equal("eth0 of sb on web", icmp.Hops[2].Role);
        Assert.All(icmp.Hops, h => Assert.True(h.RequestsSeen == 1 && h.RepliesSeen == 1, $"{h.Role}: request {h.RequestsSeen}, reply {h.RepliesSeen}"));
        Assert.All(icmp.Hops, h => Assert.Equal("up", h.LinkState));

        // TCP: a port that listens answers SYN-ACK ("open"), one that does not answers RST ("refused"): both are replies.
        using var nsB = NetworkNamespace.Open(sb.Key);
        using var listener = nsB.Run(() =>
        {
            var l = new TcpListener(IPAddress.Parse(sb.Ip), 8080);
            l.Start();
            return l;
        });
        var open = await client.TraceAsync(new TraceRequest { Container = "sa", Destination = sb.Ip, TcpPort = 8080 });
        Log(open);
        Assert.True(open.ReplyReceived, open.Verdict);
        Assert.Equal("open", open.TcpAnswer);
        Assert.All(open.Hops, h => Assert.True(h.RequestsSeen >= 1 && h.RepliesSeen >= 1, $"{h.Role}: request {h.RequestsSeen}, reply {h.RepliesSeen}"));
        var closed = await client.TraceAsync(new TraceRequest { Container = "sa", Destination = sb.Ip, TcpPort = 8081 });
        Assert.True(closed.ReplyReceived, closed.Verdict);
        Assert.Equal("refused", closed.TcpAnswer);

        // The CLI: the path, a line per hop, exit 0 when the reply came.
        var cli = await daemon.NetstackAsync("debug", "trace", "sa", "sb");
        output.WriteLine(cli.Out);
        Assert.True(cli.Exit == 0, cli.Err + cli.Out);
        Assert.Contains($"trace sa ({sa.Ip}) -> {sb.Ip} (sb): icmp echo", cli.Out, StringComparison.Ordinal);
        Assert.Matches(@"  1  eth0 of sa on web\s+request seen, reply seen", cli.Out);
        Assert.Matches(@"  3  eth0 of sb on web\s+request seen, reply seen", cli.Out);
        Assert.Contains("reply received in ", cli.Out, StringComparison.Ordinal);
        Assert.Equal(0, CaptureDaemonTests.PacketSockets(sa.Key));
        Assert.Equal(0, CaptureDaemonTests.PacketSockets(sb.Key));
    }

    [PrivilegedFact]
    public async Task Trace_DestinationInterfaceDown_StopsThereAndSaysSo()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        using var client = daemon.Client();
        var (sa, sb) = await CaptureDaemonTests.TwoSandboxesAsync(client);
        // sb's address is in sa's neighbour table, so the request leaves sa; then sb's eth0 goes down.
        Assert.True(NetstackdProcess.Ping(sa.Key, sb.Ip), "sa could not ping sb");
        TestNamespace.Run("nsenter", "--net=" + sb.Key, "ip", "link", "set", "eth0", "down");

        var trace = await client.TraceAsync(new TraceRequest { Container = "sa", Destination = "sb", TimeoutSeconds = 1 });
        Log(trace);
        Assert.False(trace.ReplyReceived);
        Assert.Equal("eth0 of sb on web", trace.StoppedAt);
        Assert.True(trace.Hops[0].RequestsSeen >= 1, "the request did not leave sa");
        Assert.True(trace.Hops[1].RequestsSeen >= 1, "the bridge did not see the request");
        Assert.Equal(0, trace.Hops[2].RequestsSeen);
        Assert.Equal("down", trace.Hops[2].LinkState);
        Assert.Contains("not at eth0 of sb on web", trace.Verdict, StringComparison.Ordinal);
        Assert.Contains("the interface is down", trace.Verdict, StringComparison.Ordinal);

        var cli = await daemon.NetstackAsync("debug", "trace", "sa", sb.Ip, "--timeout", "1s");
        output.WriteLine(cli.Out);
        Assert.Equal(1, cli.Exit);
        Assert.Contains("<- stopped here", cli.Out, StringComparison.Ordinal);
        Assert.Contains("no reply", cli.Out, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Trace_BetweenTwoBridgeNetworks_StopsAtTheOtherBridge_SaysIsolation()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        using var client = daemon.Client();
        var boxes = new Dictionary<string, CaptureDaemonTests.Box>();
        foreach (var (network, subnet, box) in new[] { ("web1", "10.21.0.0/24", "sa"), ("web2", "10.22.0.0/24", "sb") })
        {
            await client.CreateNetworkAsync(new NetworkCreateRequest
            {
                Name = network,
                Driver = "bridge",
                Ipam = new IpamSettings { Config = [new IpamPoolConfig { Subnet = subnet }] },
            });
            await client.CreateSandboxAsync(new SandboxCreateRequest { Name = box });
            await client.ConnectNetworkAsync(network, new NetworkConnectRequest { Container = box });
            var sandbox = (await client.ListSandboxesAsync()).Single(s => s.Name == box);
            boxes[box] = new CaptureDaemonTests.Box(box, sandbox.Key, sandbox.Endpoints.Single().IPv4Address.Split('/')[0]);
        }
        var (sa, sb) = (boxes["sa"], boxes["sb"]);
        // The daemon's host routes between its bridges, so only the isolation rule stands between them.
        Assert.False(NetstackdProcess.Ping(sa.Key, sb.Ip), "sa reached sb on another bridge network: isolation is not in force");

        var trace = await client.TraceAsync(new TraceRequest { Container = "sa", Destination = "sb", TimeoutSeconds = 1 });
        Log(trace);
        Assert.False(trace.ReplyReceived);
        Assert.Equal(["eth0 of sa on web1", "bridge of web1", "bridge of web2", "eth0 of sb on web2"], trace.Hops.Select(h => h.Role));
        Assert.True(trace.Hops[0].RequestsSeen >= 1, "the request did not leave sa");
        Assert.True(trace.Hops[1].RequestsSeen >= 1, "web1's bridge did not see the request");
        Assert.Equal(0, trace.Hops[2].RequestsSeen);
        Assert.Equal(0, trace.Hops[3].RequestsSeen);
        Assert.Equal("bridge of web2", trace.StoppedAt);
        Assert.Contains("seen at bridge of web1 but not at bridge of web2", trace.Verdict, StringComparison.Ordinal);
        Assert.Contains("isolation rules", trace.Verdict, StringComparison.Ordinal);
        Assert.Contains("connect sa to web2", trace.Verdict, StringComparison.Ordinal);

        var cli = await daemon.NetstackAsync("debug", "trace", "sa", "sb", "--timeout", "1s");
        output.WriteLine(cli.Out);
        Assert.Equal(1, cli.Exit);
        Assert.Matches(@"  3  bridge of web2\s+request not seen, reply not seen.*<- stopped here", cli.Out);
        Assert.Contains("isolation rules", cli.Out, StringComparison.Ordinal);
        Assert.Equal(0, CaptureDaemonTests.PacketSockets(sa.Key));
        Assert.Equal(0, CaptureDaemonTests.PacketSockets(sb.Key));
        Assert.Equal(0, CaptureDaemonTests.PacketSockets(daemon.Host.Namespace.Path));
    }

    [PrivilegedFact]
    public async Task Trace_BadInput_4xxNamingFieldAndValue_NothingLeftOpen()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        using var client = daemon.Client();
        var (sa, _) = await CaptureDaemonTests.TwoSandboxesAsync(client);

        var unknown = await Assert.ThrowsAsync<ApiException>(() => client.TraceAsync(new TraceRequest { Container = "nosuch", Destination = "10.20.0.3" }));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("container \"nosuch\" not found", unknown.Message, StringComparison.Ordinal);

        var name = await Assert.ThrowsAsync<ApiException>(() => client.TraceAsync(new TraceRequest { Container = "sa", Destination = "nobody" }));
        Assert.Equal(HttpStatusCode.BadRequest, name.StatusCode);
        Assert.Contains("invalid destination \"nobody\"", name.Message, StringComparison.Ordinal);

        var v6 = await Assert.ThrowsAsync<ApiException>(() => client.TraceAsync(new TraceRequest { Container = "sa", Destination = "fd00::1" }));
        Assert.Equal(HttpStatusCode.BadRequest, v6.StatusCode);
        Assert.Contains("invalid destination \"fd00::1\"", v6.Message, StringComparison.Ordinal);

        var port = await Assert.ThrowsAsync<ApiException>(() => client.TraceAsync(new TraceRequest { Container = "sa", Destination = "sb", TcpPort = 70000 }));
        Assert.Equal(HttpStatusCode.BadRequest, port.StatusCode);
        Assert.Contains("invalid tcp \"70000\"", port.Message, StringComparison.Ordinal);

        var empty = await Assert.ThrowsAsync<ApiException>(() => client.TraceAsync(new TraceRequest { Container = "sa", Destination = "" }));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("invalid destination", empty.Message, StringComparison.Ordinal);

        var cli = await daemon.NetstackAsync("debug", "trace", "nosuch", "10.20.0.3");
        Assert.Equal(1, cli.Exit);
        Assert.Contains("container \"nosuch\" not found", cli.Err, StringComparison.Ordinal);
        var cliDest = await daemon.NetstackAsync("debug", "trace", "sa", "300.1.2.3");
        Assert.Equal(1, cliDest.Exit);
        Assert.Contains("invalid destination \"300.1.2.3\"", cliDest.Err, StringComparison.Ordinal);

        Assert.Equal(0, CaptureDaemonTests.PacketSockets(sa.Key));
        Assert.Equal(0, CaptureDaemonTests.PacketSockets(daemon.Host.Namespace.Path));
    }

    internal void Log(TraceResult r)
    {
        output.WriteLine($"{r.Probe}: reply {r.ReplyReceived} {r.TcpAnswer}; stopped at {r.StoppedAt ?? "-"}; {r.Verdict}");
        foreach (var h in r.Hops)
        {
            output.WriteLine($"  {h.Role} [{h.LinkState}]: request {h.RequestsSeen}, reply {h.RepliesSeen}, arp {h.ArpRequestsSeen}/{h.ArpRepliesSeen} {h.Error}");
        }
    }
}
