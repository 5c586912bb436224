using System.Text;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Tables;
using Xunit;

namespace Netstack.Gossip.Tests;

public sealed class TableTests
{
    private const string Net = "ov1";
    private const string Peers = "overlay_peer_table";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static async Task<SimulatedCluster> StartWithNetworkAsync(int size, int seed)
    {
        var cluster = new SimulatedCluster(size, seed);
        await cluster.StartAsync();
        foreach (var node in cluster.Nodes)
        {
            node.Tables.JoinNetwork(Net);
        }
        cluster.Run(TimeSpan.FromSeconds(5));
        return cluster;
    }

    [Fact]
    public async Task Entry_WrittenOnOneNode_ReachesAllOthers()
    {
        await using var cluster = await StartWithNetworkAsync(10, seed: 41);
        var created = 0;
        foreach (var node in cluster.Nodes.Skip(1))
        {
            node.Tables.Subscribe(Net, Peers, e =>
            {
                if (e.Kind == TableEventKind.Create && e.Key == "ep1")
                {
                    created++;
                }
            });
        }

        cluster.Nodes[0].Tables.CreateEntry(Net, Peers, "ep1", Bytes("10.0.0.2 02:42:0a:00:00:02 192.168.1.1"));
        var took = cluster.RunUntil(() => cluster.Nodes.All(n => n.Tables.Get(Net, Peers, "ep1") is not null), TimeSpan.FromSeconds(10));

        Assert.NotNull(took);
        Assert.Equal(9, created);
        Assert.All(cluster.Nodes, n =>
        {
            var entry = n.Tables.Get(Net, Peers, "ep1")!;
            Assert.Equal("n00", entry.Owner);
            Assert.Equal("10.0.0.2 02:42:0a:00:00:02 192.168.1.1", Encoding.UTF8.GetString(entry.Value.Span));
        });
    }

    [Fact]
    public async Task UpdateAndDelete_ReachAll_AndSubscribersSeeEachKind()
    {
        await using var cluster = await StartWithNetworkAsync(6, seed: 43);
        var kinds = new List<TableEventKind>();
        cluster.Nodes[5].Tables.Subscribe(Net, null, e => kinds.Add(e.Kind));
        var owner = cluster.Nodes[0].Tables;

        owner.CreateEntry(Net, Peers, "k", Bytes("v1"));
        cluster.Run(TimeSpan.FromSeconds(5));
        owner.UpdateEntry(Net, Peers, "k", Bytes("v2"));
        cluster.Run(TimeSpan.FromSeconds(5));
        Assert.All(cluster.Nodes, n => Assert.Equal("v2", Encoding.UTF8.GetString(n.Tables.Get(Net, Peers, "k")!.Value.Span)));
        owner.DeleteEntry(Net, Peers, "k");
        cluster.Run(TimeSpan.FromSeconds(5));

        Assert.All(cluster.Nodes, n => Assert.Null(n.Tables.Get(Net, Peers, "k")));
        Assert.Equal([TableEventKind.Create, TableEventKind.Update, TableEventKind.Delete], kinds);
    }

    [Fact]
    public async Task DeletedEntry_NeverComesBack_AfterPartitionHeals()
    {
        await using var cluster = await StartWithNetworkAsync(8, seed: 47);
        var owner = cluster.Nodes[0];
        owner.Tables.CreateEntry(Net, Peers, "gone", Bytes("x"));
        cluster.Run(TimeSpan.FromSeconds(5));
        Assert.All(cluster.Nodes, n => Assert.NotNull(n.Tables.Get(Net, Peers, "gone")));

        var left = cluster.Nodes.Take(4).ToList();
        var right = cluster.Nodes.Skip(4).ToList();
        cluster.Network.Partition(left.Select(n => n.Address), right.Select(n => n.Address));
        owner.Tables.DeleteEntry(Net, Peers, "gone");
        // The delete reaches the owner's half (gossip, then the periodic table sync at the latest).
        Assert.NotNull(cluster.RunUntil(() => left.All(n => n.Tables.Get(Net, Peers, "gone", includeSuspended: true) is null), TimeSpan.FromSeconds(60)));
        // The other half still holds the old entry (its owner is failed there, so suspended).
        Assert.All(right, n => Assert.NotNull(n.Tables.Get(Net, Peers, "gone", includeSuspended: true)));

        cluster.Network.Heal();
        var resurrected = false;
        for (var i = 0; i < 300; i++)
        {
            cluster.Run(TimeSpan.FromSeconds(1));
            resurrected |= left.Any(n => n.Tables.Get(Net, Peers, "gone", includeSuspended: true) is not null);
        }

        Assert.False(resurrected);
        Assert.All(cluster.Nodes, n => Assert.Null(n.Tables.Get(Net, Peers, "gone", includeSuspended: true)));
        Assert.All(cluster.Nodes, n => Assert.All(n.Members, m => Assert.Equal(MemberState.Alive, m.State)));
    }

    [Fact]
    public async Task FailedOwner_EntriesSuspended_ThenRestoredWhenItReturns()
    {
        await using var cluster = await StartWithNetworkAsync(6, seed: 53);
        var owner = cluster.Nodes[5];
        owner.Tables.CreateEntry(Net, Peers, "ep5", Bytes("peer5"));
        cluster.Run(TimeSpan.FromSeconds(5));
        var observer = cluster.Nodes[0];
        var events = new List<(TableEventKind Kind, bool Suspended)>();
        observer.Tables.Subscribe(Net, Peers, e => events.Add((e.Kind, e.Suspended)));

        // Cut the owner off (not stopped: it keeps its state, like a host behind a broken link).
        cluster.Network.Partition(cluster.Nodes.Take(5).Select(n => n.Address), [owner.Address]);
        Assert.NotNull(cluster.RunUntil(() => SimulatedCluster.StateOf(observer, owner.Name) == MemberState.Failed, TimeSpan.FromMinutes(1)));
        Assert.Null(observer.Tables.Get(Net, Peers, "ep5"));
        var suspended = observer.Tables.Get(Net, Peers, "ep5", includeSuspended: true);
        Assert.NotNull(suspended);
        Assert.True(suspended.Suspended);

        cluster.Network.Heal();
        Assert.NotNull(cluster.RunUntil(() => observer.Tables.Get(Net, Peers, "ep5") is not null, TimeSpan.FromMinutes(3)));
        Assert.Equal([(TableEventKind.Delete, true), (TableEventKind.Create, true)], events);
        Assert.Equal("peer5", Encoding.UTF8.GetString(observer.Tables.Get(Net, Peers, "ep5")!.Value.Span));
    }

    [Fact]
    public async Task LeavingOwner_EntriesRemovedEverywhere()
    {
        await using var cluster = await StartWithNetworkAsync(5, seed: 59);
        var owner = cluster.Nodes[4];
        owner.Tables.CreateEntry(Net, Peers, "ep4", Bytes("peer4"));
        cluster.Run(TimeSpan.FromSeconds(5));
        Assert.All(cluster.Nodes, n => Assert.NotNull(n.Tables.Get(Net, Peers, "ep4")));

        var leave = owner.LeaveAsync(TimeSpan.FromSeconds(5));
        cluster.Run(TimeSpan.FromSeconds(10));
        await leave;

        Assert.All(cluster.Nodes.Take(4), n => Assert.Null(n.Tables.Get(Net, Peers, "ep4", includeSuspended: true)));
    }

    [Fact]
    public async Task LeavingNetwork_RemovesItsEntriesOnOthers()
    {
        await using var cluster = await StartWithNetworkAsync(5, seed: 61);
        var owner = cluster.Nodes[1];
        owner.Tables.CreateEntry(Net, Peers, "ep1", Bytes("peer1"));
        cluster.Run(TimeSpan.FromSeconds(5));

        owner.Tables.LeaveNetwork(Net);
        cluster.Run(TimeSpan.FromSeconds(10));

        Assert.All(cluster.Nodes.Where(n => n != owner), n =>
        {
            Assert.Null(n.Tables.Get(Net, Peers, "ep1", includeSuspended: true));
            Assert.DoesNotContain(owner.Name, n.Tables.NetworkNodes(Net));
        });
    }

    [Fact]
    public async Task NodeJoiningLater_GetsFullNetworkState()
    {
        await using var cluster = await StartWithNetworkAsync(4, seed: 67);
        for (var i = 0; i < 4; i++)
        {
            for (var k = 0; k < 25; k++)
            {
                cluster.Nodes[i].Tables.CreateEntry(Net, Peers, $"n{i}-ep{k}", Bytes($"value {i} {k}"));
            }
        }
        cluster.Nodes[0].Tables.DeleteEntry(Net, Peers, "n0-ep0");
        // Let all gossip retransmissions run out so only the full-state sync can help the newcomer.
        cluster.Run(TimeSpan.FromSeconds(30));

        var late = cluster.CreateNode(9);
        cluster.Nodes.Add(late);
        await late.StartAsync();
        await late.JoinAsync([cluster.Nodes[2].Address]);
        cluster.Run(TimeSpan.FromSeconds(2));
        late.Tables.JoinNetwork(Net);
        cluster.Run(TimeSpan.FromSeconds(2));

        var entries = late.Tables.Walk(Net, Peers);
        Assert.Equal(99, entries.Count);
        Assert.DoesNotContain(entries, e => e.Key == "n0-ep0");
        static List<(string, string, string)> Flat(IEnumerable<TableEntry> list) =>
            list.Select(e => (e.Key, e.Owner, Encoding.UTF8.GetString(e.Value.Span))).ToList();
        Assert.Equal(Flat(cluster.Nodes[0].Tables.Walk(Net, Peers)), Flat(entries));
    }

    [Fact]
    public async Task EntriesOfOtherNetworks_StayWithTheirMembers()
    {
        await using var cluster = await StartWithNetworkAsync(4, seed: 71);
        cluster.Nodes[0].Tables.JoinNetwork("ov2");
        cluster.Nodes[1].Tables.JoinNetwork("ov2");
        cluster.Run(TimeSpan.FromSeconds(3));

        cluster.Nodes[0].Tables.CreateEntry("ov2", Peers, "private", Bytes("p"));
        cluster.Run(TimeSpan.FromSeconds(5));

        Assert.NotNull(cluster.Nodes[1].Tables.Get("ov2", Peers, "private"));
        Assert.Null(cluster.Nodes[2].Tables.Get("ov2", Peers, "private"));
        Assert.Equal(["n00", "n01"], cluster.Nodes[3].Tables.NetworkNodes("ov2"));
    }

    [Fact]
    public async Task RestartedOwner_WinsBackItsEntries_AndStaleOnesAreDeleted()
    {
        await using var cluster = await StartWithNetworkAsync(5, seed: 79);
        var owner = cluster.Nodes[4];
        owner.Tables.CreateEntry(Net, Peers, "kept", Bytes("old"));
        owner.Tables.CreateEntry(Net, Peers, "stale", Bytes("old"));
        for (var i = 0; i < 20; i++)
        {
            owner.Tables.UpdateEntry(Net, Peers, "kept", Bytes($"old {i}"));
        }
        cluster.Run(TimeSpan.FromSeconds(5));

        // A crash and a quick restart: a new process with empty state and fresh Lamport clocks
        // rejoins and re-creates only what it still has (as a restarted daemon would).
        owner.Stop();
        await owner.DisposeAsync();
        var reborn = cluster.CreateNode(4);
        cluster.Nodes[4] = reborn;
        await reborn.StartAsync();
        await reborn.JoinAsync([cluster.Nodes[0].Address]);
        reborn.Tables.JoinNetwork(Net);
        reborn.Tables.CreateEntry(Net, Peers, "kept", Bytes("new"));

        var converged = cluster.RunUntil(() => cluster.Nodes.All(n =>
            n.Tables.Get(Net, Peers, "stale", includeSuspended: true) is null
            && n.Tables.Get(Net, Peers, "kept") is { } e && Encoding.UTF8.GetString(e.Value.Span) == "new"), TimeSpan.FromMinutes(2));

        Assert.NotNull(converged);
    }

    [Fact]
    public async Task ManyLargeEntries_AreBatchedIntoPacketsOf1400BytesAtMost()
    {
        await using var cluster = await StartWithNetworkAsync(6, seed: 83);
        var value = new byte[1100];
        for (var k = 0; k < 40; k++)
        {
            cluster.Nodes[k % 6].Tables.CreateEntry(Net, Peers, $"big-{k}", value);
            cluster.Nodes[(k + 1) % 6].Tables.CreateEntry(Net, Peers, $"small-{k}", Bytes("s"));
        }

        Assert.NotNull(cluster.RunUntil(() => cluster.Nodes.All(n => n.Tables.Walk(Net, Peers).Count == 80), TimeSpan.FromSeconds(60)));
        Assert.InRange(cluster.Network.MaxDatagramSize, 1100, 1400);
    }

    [Fact]
    public async Task BadInput_IsRejectedWithTheFieldName_AndChangesNothing()
    {
        await using var cluster = await StartWithNetworkAsync(2, seed: 73);
        var tables = cluster.Nodes[0].Tables;

        var empty = Assert.Throws<ArgumentException>(() => tables.CreateEntry(Net, "", "k", Bytes("v")));
        Assert.Equal("table", empty.ParamName);
        var big = Assert.Throws<ArgumentException>(() => tables.CreateEntry(Net, Peers, "k", new byte[2000]));
        Assert.Contains("2000", big.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => tables.CreateEntry("not-joined", Peers, "k", Bytes("v")));
        tables.CreateEntry(Net, Peers, "k", Bytes("v"));
        Assert.Throws<InvalidOperationException>(() => tables.CreateEntry(Net, Peers, "k", Bytes("again")));
        cluster.Run(TimeSpan.FromSeconds(3));
        Assert.Throws<InvalidOperationException>(() => cluster.Nodes[1].Tables.DeleteEntry(Net, Peers, "k"));
        Assert.Throws<KeyNotFoundException>(() => tables.UpdateEntry(Net, Peers, "missing", Bytes("v")));

        Assert.Single(tables.Walk(Net, Peers));
        Assert.Equal("v", Encoding.UTF8.GetString(cluster.Nodes[1].Tables.Get(Net, Peers, "k")!.Value.Span));
    }
}
