using System.Collections.Concurrent;
using Netstack.Core.Drivers;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Drivers.Overlay.Tests;

/// <summary>The TestKit's shared tables behave as the gossip layer promises, including a node's failure and return.</summary>
public sealed class InMemoryDriverTablesTests
{
    private static async Task<List<DriverTableEvent>> UntilAsync(ConcurrentQueue<DriverTableEvent> events, int count)
    {
        for (var i = 0; i < 300 && events.Count < count; i++)
        {
            await Task.Delay(10);
        }
        return [.. events];
    }

    [Fact]
    public async Task Publish_OnOneNode_ReachesTheOtherWithItsOwner()
    {
        var tables = new InMemoryDriverTables();
        var events = new ConcurrentQueue<DriverTableEvent>();
        using var watch = tables.Node("b").Watch("n1", "t", events.Enqueue);

        tables.Node("a").Publish("n1", "t", "k", new byte[] { 1 });

        var e = Assert.Single(await UntilAsync(events, 1));
        Assert.Equal((DriverTableEventKind.Create, "k", "a", false), (e.Kind, e.Key, e.Owner, e.Suspended));
    }

    [Fact]
    public async Task Watch_Later_HearsExistingEntriesAsCreates()
    {
        var tables = new InMemoryDriverTables();
        tables.Node("a").Publish("n1", "t", "k1", new byte[] { 1 });
        tables.Node("a").Publish("n2", "t", "other", new byte[] { 1 });
        var events = new ConcurrentQueue<DriverTableEvent>();

        using var watch = tables.Node("b").Watch("n1", "t", events.Enqueue);

        var e = Assert.Single(await UntilAsync(events, 1));
        Assert.Equal("k1", e.Key);
    }

    [Fact]
    public async Task FailThenRecover_OthersHearSuspendedDeleteThenSuspendedCreate()
    {
        var tables = new InMemoryDriverTables();
        var events = new ConcurrentQueue<DriverTableEvent>();
        using var watch = tables.Node("b").Watch("n1", "t", events.Enqueue);
        tables.Node("a").Publish("n1", "t", "k", new byte[] { 7 });

        tables.Fail("a");
        Assert.Empty(tables.Node("b").Snapshot("n1", "t"));
        Assert.Single(tables.Node("b").Snapshot("n1", "t", includeSuspended: true));
        tables.Recover("a");

        var seen = await UntilAsync(events, 3);
        Assert.Equal(
            [(DriverTableEventKind.Create, false), (DriverTableEventKind.Delete, true), (DriverTableEventKind.Create, true)],
            seen.Select(e => (e.Kind, e.Suspended)));
        Assert.All(seen, e => Assert.Equal(new byte[] { 7 }, e.Value.ToArray()));
    }

    [Fact]
    public async Task Withdraw_OfAnotherNodesEntry_DoesNothing()
    {
        var tables = new InMemoryDriverTables();
        tables.Node("a").Publish("n1", "t", "k", new byte[] { 1 });
        var events = new ConcurrentQueue<DriverTableEvent>();
        using var watch = tables.Node("c").Watch("n1", "t", events.Enqueue);

        tables.Node("b").Withdraw("n1", "t", "k");
        tables.Node("a").Withdraw("n1", "t", "k");

        var seen = await UntilAsync(events, 2);
        Assert.Equal([DriverTableEventKind.Create, DriverTableEventKind.Delete], seen.Select(e => e.Kind));
        Assert.Empty(tables.Entries());
    }
}
