using System.Net;
using System.Text;
using Netstack.Core.Drivers;
using Netstack.Daemon.Gossip;
using Netstack.Gossip;
using Netstack.Gossip.Transport;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Api.Tests.Gossip;

/// <summary>The drivers' tables on real gossip nodes (in-memory transport, fake clock).</summary>
public sealed class GossipDriverTablesTests
{
    private const string Net = "netA";
    private const string Table = "overlay_peer_table";

    [Fact]
    public async Task BeforeTheNodeRuns_OwnEntriesAndWatchesKept_ThenGossipedOnceAttached()
    {
        var time = new FakeTimeProvider();
        var network = new InMemoryNetwork(time, new Random(3));
        await using var n1 = Node("h1", 1, network, time);
        await using var n2 = Node("h2", 2, network, time);
        var t1 = new GossipDriverTables("h1");
        var t2 = new GossipDriverTables("h2");
        var seenOn2 = new List<DriverTableEvent>();
        var seenOn1 = new List<DriverTableEvent>();

        // Reconcile-time: the daemon's drivers publish and watch before gossip starts.
        t1.Publish(Net, Table, "ep1", Encoding.UTF8.GetBytes("10.0.0.2"));
        using var w1 = t1.Watch(Net, Table, e => { lock (seenOn1) { seenOn1.Add(e); } });
        Assert.Single(seenOn1);
        Assert.Equal("h1", seenOn1[0].Owner);
        using var w2 = t2.Watch(Net, Table, e => { lock (seenOn2) { seenOn2.Add(e); } });

        await n1.StartAsync();
        await n2.StartAsync();
        t1.Attach(n1);
        t2.Attach(n2);
        await n2.JoinAsync([n1.Address]);
        Run(time, () => t2.Snapshot(Net, Table).Any(e => e.Key == "ep1"));

        var remote = Assert.Single(t2.Snapshot(Net, Table));
        Assert.Equal("h1", remote.Owner);
        Assert.Equal("10.0.0.2", Encoding.UTF8.GetString(remote.Value.Span));
        lock (seenOn2)
        {
            Assert.Contains(seenOn2, e => e.Kind == DriverTableEventKind.Create && e.Key == "ep1" && e.Owner == "h1");
        }

        // Updates and withdrawals travel too; a node only withdraws its own.
        t1.Publish(Net, Table, "ep1", Encoding.UTF8.GetBytes("10.0.0.3"));
        Run(time, () => t2.Snapshot(Net, Table).Any(e => Encoding.UTF8.GetString(e.Value.Span) == "10.0.0.3"));
        t2.Withdraw(Net, Table, "ep1");
        Assert.Single(t1.Snapshot(Net, Table));
        t1.Withdraw(Net, Table, "ep1");
        Run(time, () => t2.Snapshot(Net, Table).Count == 0);
        lock (seenOn2)
        {
            Assert.Equal(DriverTableEventKind.Delete, seenOn2[^1].Kind);
        }
    }

    [Fact]
    public void GossipOff_TablesAreThisNodesOwn()
    {
        var tables = new GossipDriverTables("solo");
        var events = new List<DriverTableEvent>();
        using var watch = tables.Watch(Net, Table, events.Add);

        tables.Publish(Net, Table, "k", "v"u8.ToArray());
        tables.Publish(Net, Table, "k", "w"u8.ToArray());
        tables.Withdraw(Net, Table, "k");
        tables.Withdraw(Net, Table, "absent");

        Assert.Equal([DriverTableEventKind.Create, DriverTableEventKind.Update, DriverTableEventKind.Delete], events.Select(e => e.Kind));
        Assert.Empty(tables.Snapshot(Net, Table));
    }

    private static GossipNode Node(string name, int index, InMemoryNetwork network, FakeTimeProvider time) =>
        new(new GossipOptions { NodeName = name }, network.CreateTransport(new IPEndPoint(IPAddress.Parse($"10.9.0.{index}"), 7946)), null, time, new Random(index));

    private static void Run(FakeTimeProvider time, Func<bool> until)
    {
        for (var i = 0; i < 600 && !until(); i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
        }
        Assert.True(until(), "not reached in 30 simulated seconds");
    }
}
