using System.Net;
using Netstack.Daemon.Dns;
using Netstack.TestKit;
using Xunit;
using static Netstack.Api.Tests.Dns.ClusterNode;

namespace Netstack.Api.Tests.Dns;

/// <summary>
/// Service discovery across hosts: two nodes share in-memory gossip tables; each has the real name
/// table of its resolvers. A container on node B is resolved by a sandbox on node A.
/// </summary>
public sealed class ClusterNamesTests : IAsyncLifetime
{
    private const string AskerOnOv1 = "sandbox-a1";
    private const string AskerOnOv2 = "sandbox-a2";

    private readonly InMemoryDriverTables _tables = new();
    private ClusterNode _a = null!;
    private ClusterNode _b = null!;

    public async Task InitializeAsync()
    {
        _a = await StartAsync(_tables, "node-a");
        _b = await StartAsync(_tables, "node-b");
        // Node A's askers: one sandbox on each overlay network.
        _a.Controller.Join(Overlay1, AskerOnOv1, "client1", "10.1.0.2");
        _a.Controller.Join(Overlay2, AskerOnOv2, "client2", "10.2.0.2");
        // Published by A's worker before a test starts, so a test's own entries come after them.
        Assert.True(await EventuallyAsync(() => _tables.Entries().Count(e => e.Owner == "node-a") == 2));
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task RemoteContainer_SameNetwork_ResolvedByNameAliasAndAddress()
    {
        _b.Controller.Join(Overlay1, "sandbox-b1", "web", "10.1.0.3", "fd01::3", "www");

        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 2), "web never resolved on node A");
        Assert.Equal(["10.1.0.3", "fd01::3"], _a.Resolve(AskerOnOv1, "web"));
        Assert.Equal(["10.1.0.3", "fd01::3"], _a.Resolve(AskerOnOv1, "www"));
        Assert.Equal(["10.1.0.3", "fd01::3"], _a.Resolve(AskerOnOv1, "sandbox-b1"[..10]));
        Assert.Equal(["web"], _a.Reverse(AskerOnOv1, "10.1.0.3"));
        Assert.Equal(["web"], _a.Reverse(AskerOnOv1, "fd01::3"));
    }

    [Fact]
    public async Task RemoteContainer_OtherNetwork_NotResolved()
    {
        _b.Controller.Join(Overlay1, "sandbox-b1", "web", "10.1.0.3");
        _b.Controller.Join(Overlay2, "sandbox-b2", "db", "10.2.0.3");

        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 1 && _a.Resolve(AskerOnOv2, "db").Length == 1));
        // Each asker sees only the network it is on.
        Assert.Empty(_a.Resolve(AskerOnOv2, "web"));
        Assert.Empty(_a.Resolve(AskerOnOv1, "db"));
        Assert.Empty(_a.Reverse(AskerOnOv2, "10.1.0.3"));
    }

    [Fact]
    public async Task LocalScopeNetwork_NotPublished()
    {
        _b.Controller.Join(LocalBridge, "sandbox-b0", "local-only", "172.18.0.5");
        _b.Controller.Join(Overlay1, "sandbox-b1", "web", "10.1.0.3");

        // Published in order: once web's entry is there, the bridge endpoint has been handled.
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 1));
        Assert.DoesNotContain(_tables.Entries(), e => e.Network == LocalBridge);
        Assert.All(_tables.Entries(), e => Assert.Equal(EndpointTableRecord.Table, e.Table));
    }

    [Fact]
    public async Task RemoteContainer_Leaves_NameGoneOnOtherNode()
    {
        var web = _b.Controller.Join(Overlay1, "sandbox-b1", "web", "10.1.0.3");
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 1));

        _b.Controller.Leave(web);

        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 0), "web still resolved after it left");
        Assert.Empty(_a.Reverse(AskerOnOv1, "10.1.0.3"));
        Assert.DoesNotContain(_tables.Entries(), e => e.Key == web.Id);
        Assert.DoesNotContain(_a.Names.Entries, e => e.EndpointId == web.Id);
    }

    [Fact]
    public async Task RemoteNodeFails_NamesGone_BackWhenItRecovers()
    {
        _b.Controller.Join(Overlay1, "sandbox-b1", "web", "10.1.0.3");
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 1));

        _tables.Fail("node-b");
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 0), "web still resolved after node B failed");
        // A's own names are untouched.
        Assert.Equal(["10.1.0.2"], _a.Resolve(AskerOnOv1, "client1"));

        _tables.Recover("node-b");
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 1), "web not back after node B recovered");
        Assert.Equal(["10.1.0.3"], _a.Resolve(AskerOnOv1, "web"));
    }

    [Fact]
    public async Task GarbageEntries_LoggedAndSkipped_GoodOnesServed()
    {
        var client1 = (await _a.Controller.ListEndpointsAsync(Overlay1)).Single();
        var good = new EndpointTableRecord("good", [], ["good"], IPAddress.Parse("10.1.0.9"), null).Encode();
        _tables.PublishAs("node-c", Overlay1, EndpointTableRecord.Table, "garbage-1", new byte[] { 0xff, 0x01 });
        _tables.PublishAs("node-c", Overlay1, EndpointTableRecord.Table, "garbage-2", new byte[] { 1, 3, 0xc3, 0x28, 0x41, 0, 0, 0, 0 });
        _tables.PublishAs("node-c", Overlay1, EndpointTableRecord.Table, "garbage-3", good.Append((byte)0).ToArray());
        // Claims node A's own endpoint: must not replace client1's names.
        _tables.PublishAs("node-c", Overlay1, EndpointTableRecord.Table, client1.Id,
            new EndpointTableRecord("client1", [], ["client1"], IPAddress.Parse("10.1.0.66"), null).Encode());
        _tables.PublishAs("node-c", Overlay1, EndpointTableRecord.Table, "good-1", good);

        // Events of one watch come in order: once good-1 is in, the four before it were handled.
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "good").Length == 1));
        Assert.Equal(["10.1.0.2"], _a.Resolve(AskerOnOv1, "client1"));
        Assert.DoesNotContain(_a.Names.Entries, e => e.EndpointId.StartsWith("garbage", StringComparison.Ordinal));
        Assert.Equal(3, _a.Log.Entries.Count(e => e.Id.Id == 4023));
        Assert.Single(_a.Log.Entries, e => e.Id.Id == 4024);
    }

    [Fact]
    public async Task RemoteEntryUpdatedToGarbage_OldNamesDropped()
    {
        var web = _b.Controller.Join(Overlay1, "sandbox-b1", "web", "10.1.0.3");
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 1));

        _tables.PublishAs("node-b", Overlay1, EndpointTableRecord.Table, web.Id, new byte[] { 1, 200 });

        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 0));
    }

    [Fact]
    public async Task LastLocalEndpointLeaves_RemoteNamesOfThatNetworkDropped()
    {
        _b.Controller.Join(Overlay2, "sandbox-b2", "db", "10.2.0.3");
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv2, "db").Length == 1));

        _a.Controller.Leave((await _a.Controller.ListEndpointsAsync(Overlay2)).Single());

        Assert.True(await EventuallyAsync(() => !_a.Names.Entries.Any(e => e.NetworkId == Overlay2)), "remote names of ov2 kept without local endpoints");
        // ov1 is still served.
        _b.Controller.Join(Overlay1, "sandbox-b1", "web", "10.1.0.3");
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 1));
        Assert.DoesNotContain(_a.Names.Entries, e => e.NetworkId == Overlay2);
    }

    [Fact]
    public async Task AskingNodeRestarts_RemoteNamesComeBackFromReplay()
    {
        _b.Controller.Join(Overlay1, "sandbox-b1", "web", "10.1.0.3");
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 1));

        await _a.RestartAsync();

        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 1), "web not resolved after node A restarted");
    }

    [Fact]
    public async Task OwningNodeRestarts_LiveEndpointsStay_OnesGoneMeanwhileWithdrawn()
    {
        var web = _b.Controller.Join(Overlay1, "sandbox-b1", "web", "10.1.0.3");
        var old = _b.Controller.Join(Overlay1, "sandbox-b3", "old", "10.1.0.4");
        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "web").Length == 1 && _a.Resolve(AskerOnOv1, "old").Length == 1));

        // Node B's daemon goes down; "old" goes while it is down (no event); the daemon comes back.
        await _b.RestartAsync();
        _b.Controller.Forget(old);
        await _b.RestartAsync();

        Assert.True(await EventuallyAsync(() => _a.Resolve(AskerOnOv1, "old").Length == 0), "the entry of an endpoint gone during the restart stayed");
        Assert.DoesNotContain(_tables.Entries(), e => e.Key == old.Id);
        Assert.Equal(["10.1.0.3"], _a.Resolve(AskerOnOv1, "web"));
        Assert.Contains(_tables.Entries(), e => e.Key == web.Id && e.Owner == "node-b");
        Assert.Contains(_b.Log.Entries, e => e.Id.Id == 4026);
    }
}
