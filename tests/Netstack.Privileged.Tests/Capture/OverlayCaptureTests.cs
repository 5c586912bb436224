using System.Net;
using Netstack.Api.Client;
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
/// Capture through VXLAN on real daemons: two netstackd on namespace hosts a and b (gossip,
/// <c>--cluster-store</c> to etcd on host e), an overlay network, a sandbox on each host pinging
/// the other. On a's underlay the ping is VXLAN on UDP 4789 with the network's VNI, the outer
/// addresses named as nodes and the inner frame decoded with the sandboxes' names; on
/// <c>network:ov1</c> the capture opens br0 and the VXLAN device inside the overlay namespace. Both
/// captures' frames, written as pcap and pcapng, are read back by tshark and every field compared.
/// </summary>
public sealed class OverlayCaptureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [PrivilegedFact]
    public async Task OverlayPing_OnUnderlayAndOnTheNetwork_VxlanDecodedWithVniNodesAndNames_TsharkAgrees()
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
            var created = await a.Client.CreateNetworkAsync(new NetworkCreateRequest
            {
                Name = "ov1",
                Driver = "overlay",
                Attachable = true,
                Ipam = new IpamSettings { Config = [new IpamPoolConfig { Subnet = "10.94.0.0/24" }] },
            });
            await UntilAsync(async () => (await b.Client.ListNetworksAsync()).Any(n => n.Name == "ov1"), "b lists ov1");
            var vni = (await a.Client.InspectNetworkAsync("ov1")).Options["com.docker.network.driver.overlay.vxlanid_list"];
            var sa = await ConnectAsync(a, "sa");
            var sb = await ConnectAsync(b, "sb");
            // Until gossip has told each host of the other's endpoint, the first pings may be lost.
            await UntilAsync(() => Task.FromResult(NetstackdProcessPing(sa, sb.Ip)), "sa reaches sb across the overlay");
            await UntilAsync(async () =>
            {
                // The decode names sb once a has learnt its name from b's endpoint table.
                using var probe = await a.Client.CaptureAsync(new CaptureRequest { Target = "sa", Count = 1, Filter = "icmp" });
                var done = await CollectWhilePingingAsync(probe, sa, sb, p => p.Count >= 1);
                return done.Packets[0].Summary.Contains("(sb)", StringComparison.Ordinal);
            }, "a names sb");

            // The underlay: VXLAN only (the daemon adds udp port 4789 to the filter), decoded through.
            using var underlay = await a.Client.CaptureAsync(new CaptureRequest { Target = "underlay", Raw = true, Filter = "udp" });
            var onUnderlay = await CollectWhilePingingAsync(underlay, sa, sb, p =>
                p.Any(x => x.Summary.Contains($"IP {sa.Ip} (sa) > {sb.Ip} (sb): ICMP echo request", StringComparison.Ordinal)) &&
                p.Any(x => x.Summary.Contains($"IP {sb.Ip} (sb) > {sa.Ip} (sa): ICMP echo reply", StringComparison.Ordinal)));
            underlay.Dispose();
            foreach (var p in onUnderlay.Packets.Take(6))
            {
                output.WriteLine("underlay: " + p.Summary);
            }
            Assert.Equal("underlay (" + Ip(lan, "a") + ")", onUnderlay.Interfaces.Single().Role);
            var request = onUnderlay.Packets.First(x => x.Summary.Contains("ICMP echo request", StringComparison.Ordinal));
            Assert.Contains($"IP {Ip(lan, "a")}.", request.Summary, StringComparison.Ordinal);
            Assert.Contains($"(node a) > {Ip(lan, "b")}.4789 (node b): VXLAN vni {vni} (ov1): ", request.Summary, StringComparison.Ordinal);
            Assert.Equal(["eth", "ip", "udp", "vxlan", "eth", "ip", "icmp"], request.Layers.Select(l => l.Protocol));
            Assert.Equal(vni, request.Layers.Single(l => l.Protocol == "vxlan").Fields["vxlan.vni"]);
            Assert.All(onUnderlay.Packets, p => Assert.Contains(p.Layers, l => l.Protocol == "vxlan"));
            new CaptureDaemonTests(output).CompareWithTshark(onUnderlay, "underlay");

            // The network on a: br0 and the VXLAN device in the overlay namespace, two interfaces (pcapng).
            using var network = await a.Client.CaptureAsync(new CaptureRequest { Target = "network:ov1", Raw = true, Filter = "icmp" });
            var onNetwork = await CollectWhilePingingAsync(network, sa, sb, p =>
                p.Count(x => x.Summary.Contains("ICMP echo request", StringComparison.Ordinal) && x.InterfaceName.StartsWith("vx-", StringComparison.Ordinal)) >= 1 &&
                p.Count(x => x.Summary.Contains("ICMP echo request", StringComparison.Ordinal) && x.InterfaceName == "br0") >= 1);
            network.Dispose();
            Assert.Equal(["br0", "vxlan"], onNetwork.Interfaces.Select(i => i.Role));
            Assert.All(onNetwork.Interfaces, i => Assert.EndsWith(Path.Combine("overlay", "ov-" + vni + "-" + created.Id[..10]), i.Namespace, StringComparison.Ordinal));
            new CaptureDaemonTests(output).CompareWithTshark(onNetwork, "network:ov1 (pcapng)");

            // Nothing left: no packet socket in a's host namespace or its overlay namespace.
            await CaptureDaemonTests.UntilAsync(() => CaptureDaemonTests.PacketSockets(lan.NamespacePath("a")) == 0
                && CaptureDaemonTests.PacketSockets(onNetwork.Interfaces[0].Namespace!) == 0, "a's captures are closed");
            foreach (var host in daemons)
            {
                await host.Client.RemoveSandboxAsync(host == a ? "sa" : "sb");
            }
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

    private static bool NetstackdProcessPing(CaptureDaemonTests.Box from, string to) => Api.NetstackdProcess.Ping(from.Key, to);

    /// <summary>Reads a capture while <paramref name="from"/> pings <paramref name="to"/>, until <paramref name="done"/> holds.</summary>
    private static async Task<CaptureDaemonTests.Collected> CollectWhilePingingAsync(CaptureStreamReader reader, CaptureDaemonTests.Box from, CaptureDaemonTests.Box to, Func<List<CapturePacket>, bool> done)
    {
        var collected = new CaptureDaemonTests.Collected();
        using var timeout = new CancellationTokenSource(Wait);
        await CaptureDaemonTests.WhilePingingAsync(from, to, async () =>
        {
            await collected.UntilAsync(reader, done, timeout.Token);
            return 0;
        });
        return collected;
    }

    private static async Task<CaptureDaemonTests.Box> ConnectAsync(ClusterDaemon host, string name)
    {
        await host.Client.CreateSandboxAsync(new SandboxCreateRequest { Name = name });
        await host.Client.ConnectNetworkAsync("ov1", new NetworkConnectRequest { Container = name });
        var sandbox = (await host.Client.ListSandboxesAsync()).Single(s => s.Name == name);
        var endpoint = sandbox.Endpoints.Single(e => e.Network == "ov1");
        return new CaptureDaemonTests.Box(name, sandbox.Key, endpoint.IPv4Address.Split('/')[0]);
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
