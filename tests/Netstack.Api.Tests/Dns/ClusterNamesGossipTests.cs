using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Daemon.Dns;
using Netstack.Daemon.Gossip;
using Netstack.Dns.Names;
using Netstack.Gossip;
using Netstack.Gossip.Transport;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Api.Tests.Dns;

/// <summary>
/// The same service discovery on the real gossip layer (two nodes on the in-memory transport, fake
/// clock, the daemon's <see cref="GossipDriverTables"/>): the failure detector, not a test hook,
/// takes node B's names away on node A, and they come back when B answers again.
/// </summary>
public sealed class ClusterNamesGossipTests
{
    private const string Overlay = "0000000000000000000000000000000000000000000000000000000000000ov1";

    [Fact]
    public async Task RealGossip_RemoteNameResolved_DroppedWhenItsNodeIsDown_BackWhenItAnswers()
    {
        var time = new FakeTimeProvider();
        var network = new InMemoryNetwork(time, new Random(7));
        await using var n1 = Node("h1", 1, network, time);
        await using var n2 = Node("h2", 2, network, time);
        var t1 = new GossipDriverTables("h1");
        var t2 = new GossipDriverTables("h2");
        var a = Controller("h1");
        var b = Controller("h2");
        var namesA = new DnsNameTable();
        using var feedA = new DnsNameFeed(a, namesA);
        await feedA.StartAsync();
        await using var clusterA = new ClusterNames(a, t1, namesA, NullLogger<ClusterNames>.Instance);
        await using var clusterB = new ClusterNames(b, t2, new DnsNameTable(), NullLogger<ClusterNames>.Instance);
        await clusterA.StartAsync(CancellationToken.None);
        await clusterB.StartAsync(CancellationToken.None);
        await n1.StartAsync();
        await n2.StartAsync();
        t1.Attach(n1);
        t2.Attach(n2);
        await n2.JoinAsync([n1.Address]);
        a.Join(Overlay, "sandbox-a1", "client1", "10.1.0.2");
        b.Join(Overlay, "sandbox-b1", "web", "10.1.0.3");
        bool Resolves() => namesA.TryLookupName(new DnsAsker("sandbox-a1"), "web", out var found) && found.SequenceEqual([IPAddress.Parse("10.1.0.3")]);

        Assert.True(await RunAsync(time, Resolves), "web never resolved on h1");

        network.SetDown(n2.Address, down: true);
        Assert.True(await RunAsync(time, () => !Resolves()), "web still resolved with h2 down");
        Assert.True(namesA.TryLookupName(new DnsAsker("sandbox-a1"), "client1", out _));

        network.SetDown(n2.Address, down: false);
        Assert.True(await RunAsync(time, Resolves, seconds: 120), "web not back after h2 answered again");
    }

    private static EndpointEventController Controller(string node)
    {
        var controller = new EndpointEventController(node);
        controller.AddNetwork(Overlay, "ov1", NetworkScope.Global);
        return controller;
    }

    private static GossipNode Node(string name, int index, InMemoryNetwork network, FakeTimeProvider time) =>
        new(new GossipOptions { NodeName = name }, network.CreateTransport(new IPEndPoint(IPAddress.Parse($"10.9.0.{index}"), 7946)), null, time, new Random(index));

    /// <summary>Advances the simulated clock in 50 ms steps (giving the ClusterNames workers a moment of real time) until the condition holds.</summary>
    private static async Task<bool> RunAsync(FakeTimeProvider time, Func<bool> until, int seconds = 60)
    {
        for (var i = 0; i < seconds * 20 && !until(); i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }
        return until();
    }
}
