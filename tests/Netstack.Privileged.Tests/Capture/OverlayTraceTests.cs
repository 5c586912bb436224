using Netstack.Api.Contracts.Capture;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Sandboxes;
using Netstack.Privileged.Tests.ClusterStore;
using Netstack.Privileged.Tests.GossipDaemon;
using Netstack.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Privileged.Tests.Capture;

/// <summary>
/// <c>netstack debug trace</c> across hosts: two netstackd on namespace hosts a and b (gossip,
/// etcd on host e), an overlay network, sa on a and sb on b. A trace from sa to sb shows a's hops
/// (sa's eth0, br0, the VXLAN device, the underlay) and then b's (its underlay, VXLAN device, br0
/// and sb's eth0), captured by b's daemon at a's request over gossip, each with the request and the
/// reply; a trace to an address no node has says so; neither leaves a capture open on either host.
/// </summary>
public sealed class OverlayTraceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [PrivilegedFact]
    public async Task Trace_ToContainerOnAnotherHost_LocalAndRemoteHopsSeeRequestAndReply_NothingLeftOpen()
    {
        using var lan = NamespaceLan.Create("a", "b", "e");
        var daemons = new List<ClusterDaemon>();
        try
        {
            await using var etcd = await EtcdCluster.StartAsync(("e", lan.NamespacePath("e"), Ip(lan, "e")));
            daemons.Add(await ClusterDaemon.StartAsync("a", lan.NamespacePath("a"), etcd.Url, "--advertise-addr", Ip(lan, "a")));
            daemons.Add(await ClusterDaemon.StartAsync("b", lan.NamespacePath("b"), etcd.Url, "--advertise-addr", Ip(lan, "b"), "--join", Ip(lan, "a")));
            var (a, b) = (daemons[0], daemons[1]);
            await UntilAsync(async () => (await a.Client.ListNodesAsync()).Count(n => n.State == "alive") == 2, "a lists two alive nodes");
            await a.Client.CreateNetworkAsync(new NetworkCreateRequest
            {
                Name = "ov1",
                Driver = "overlay",
                Attachable = true,
                Ipam = new IpamSettings { Config = [new IpamPoolConfig { Subnet = "10.95.0.0/24" }] },
            });
            await UntilAsync(async () => (await b.Client.ListNetworksAsync()).Any(n => n.Name == "ov1"), "b lists ov1");
            var sa = await ConnectAsync(a, "sa");
            var sb = await ConnectAsync(b, "sb");
            await UntilAsync(() => Task.FromResult(Api.NetstackdProcess.Ping(sa.Key, sb.Ip)), "sa reaches sb across the overlay");

            var trace = await a.Client.TraceAsync(new TraceRequest { Container = "sa", Destination = sb.Ip });
            new TraceDaemonTests(output).Log(trace);
            foreach (var note in trace.Notes)
            {
                output.WriteLine("note: " + note);
            }
            Assert.True(trace.ReplyReceived, trace.Verdict);
            Assert.Null(trace.StoppedAt);
            Assert.Equal(
                ["eth0 of sa on ov1", "br0 of ov1", "vxlan of ov1", $"underlay ({Ip(lan, "a")})",
                 $"b: underlay ({Ip(lan, "b")})", "b: vxlan of ov1", "b: br0 of ov1", "b: eth0 of sb on ov1"],
                trace.Hops.Select(h => h.Role));
            Assert.All(trace.Hops.Take(4), h => Assert.Null(h.Node));
            Assert.All(trace.Hops.Skip(4), h => Assert.Equal("b", h.Node));
            Assert.All(trace.Hops, h => Assert.True(h.RequestsSeen >= 1 && h.RepliesSeen >= 1, $"{h.Role}: request {h.RequestsSeen}, reply {h.RepliesSeen}"));
            Assert.StartsWith("reached ", trace.Verdict, StringComparison.Ordinal);
            Assert.DoesNotContain(trace.Notes, n => n.Contains("not captured", StringComparison.Ordinal));

            // A TCP probe to a port nobody listens on: the RST is the reply, seen on both hosts.
            var tcp = await a.Client.TraceAsync(new TraceRequest { Container = "sa", Destination = sb.Ip, TcpPort = 9 });
            new TraceDaemonTests(output).Log(tcp);
            Assert.Equal("refused", tcp.TcpAnswer);
            Assert.Equal(8, tcp.Hops.Count);
            Assert.All(tcp.Hops, h => Assert.True(h.RequestsSeen >= 1 && h.RepliesSeen >= 1, $"{h.Role}: request {h.RequestsSeen}, reply {h.RepliesSeen}"));

            // An address of the network that no node has: only a's hops, and the answer says why.
            var nowhere = await a.Client.TraceAsync(new TraceRequest { Container = "sa", Destination = "10.95.0.200", TimeoutSeconds = 1 });
            new TraceDaemonTests(output).Log(nowhere);
            Assert.False(nowhere.ReplyReceived);
            Assert.Equal(4, nowhere.Hops.Count);
            Assert.Contains(nowhere.Notes, n => n.Contains("no node of ov1 (b) said it has it", StringComparison.Ordinal));

            // The CLI prints both hosts' hops in one path.
            var cli = await RunCliAsync(a, "debug", "trace", "sa", sb.Ip);
            output.WriteLine(cli.Out);
            Assert.True(cli.Exit == 0, cli.Err + cli.Out);
            Assert.Matches(@"  8  b: eth0 of sb on ov1\s+request seen, reply seen", cli.Out);

            // Nothing left open on either host: a's and b's host namespaces and both sandboxes.
            await CaptureDaemonTests.UntilAsync(() => CaptureDaemonTests.PacketSockets(lan.NamespacePath("a")) == 0
                && CaptureDaemonTests.PacketSockets(lan.NamespacePath("b")) == 0
                && CaptureDaemonTests.PacketSockets(sa.Key) == 0
                && CaptureDaemonTests.PacketSockets(sb.Key) == 0, "the captures of both hosts are closed");
            await a.Client.RemoveSandboxAsync("sa");
            await b.Client.RemoveSandboxAsync("sb");
            await a.Client.RemoveNetworkAsync("ov1");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(e.Message + string.Concat(daemons.Select(d => $"\n---- {d.Node}\n{d.Log}")), e);
        }
        finally
        {
            foreach (var d in daemons)
            {
                await d.DisposeAsync();
            }
        }
    }

    private static async Task<CaptureDaemonTests.Box> ConnectAsync(ClusterDaemon host, string name)
    {
        await host.Client.CreateSandboxAsync(new SandboxCreateRequest { Name = name });
        await host.Client.ConnectNetworkAsync("ov1", new NetworkConnectRequest { Container = name });
        var sandbox = (await host.Client.ListSandboxesAsync()).Single(s => s.Name == name);
        var endpoint = sandbox.Endpoints.Single(e => e.Network == "ov1");
        return new CaptureDaemonTests.Box(name, sandbox.Key, endpoint.IPv4Address.Split('/')[0]);
    }

    private static async Task<(int Exit, string Out, string Err)> RunCliAsync(ClusterDaemon host, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Netstack.Cli.CliApp.RunAsync(["-H", host.HostUri, .. args], new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static string Ip(NamespaceLan lan, string host) => $"{lan.SubnetPrefix}.{Array.IndexOf(lan.Hosts, host) + 1}";

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached in time: {what}");
            await Task.Delay(200);
        }
    }
}
