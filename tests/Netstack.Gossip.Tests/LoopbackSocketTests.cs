using System.Net;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Security;
using Xunit;

namespace Netstack.Gossip.Tests;

/// <summary>Two nodes on real UDP and TCP sockets on 127.0.0.1 (no root needed).</summary>
public sealed class LoopbackSocketTests
{
    private static GossipOptions Options(string name) => new()
    {
        NodeName = name,
        BindAddress = IPAddress.Loopback,
        BindPort = 0,
        ProbeInterval = TimeSpan.FromMilliseconds(200),
        ProbeTimeout = TimeSpan.FromMilliseconds(100),
        GossipInterval = TimeSpan.FromMilliseconds(50),
        PushPullInterval = TimeSpan.FromSeconds(2),
    };

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        // A state to wait for with a generous deadline, not a speed assertion.
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(100);
        }
        return condition();
    }

    [Fact]
    public async Task TwoNodesOnLoopback_JoinAndShareAnEntry_OverSealedPackets()
    {
        var key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        await using var a = GossipNode.CreateWithSockets(Options("a"), new GossipKeyring(key));
        await using var b = GossipNode.CreateWithSockets(Options("b"), new GossipKeyring(key));
        await a.StartAsync();
        await b.StartAsync();
        a.Tables.JoinNetwork("ov");
        b.Tables.JoinNetwork("ov");

        Assert.Equal(1, await b.JoinAsync([a.Address]));
        Assert.True(await EventuallyAsync(() => a.Members.Count == 2 && b.Members.All(m => m.State == MemberState.Alive) && b.Members.Count == 2));
        a.Tables.CreateEntry("ov", "peers", "ep", [1, 2, 3]);

        Assert.True(await EventuallyAsync(() => b.Tables.Get("ov", "peers", "ep") is not null));
        Assert.NotEqual(a.Address.Port, b.Address.Port);
        Assert.Equal(0, a.Counters.Dropped + b.Counters.Dropped);
        Assert.True(a.Counters.PacketsReceived > 0 && a.Counters.StreamsReceived > 0);
    }

    [Fact]
    public void Bind_WildcardWithoutAdvertiseAddress_IsRejectedNamingTheField()
    {
        var options = Options("w");
        options.BindAddress = IPAddress.Any;
        var error = Assert.Throws<ArgumentException>(() => GossipNode.CreateWithSockets(options));
        Assert.Contains(nameof(GossipOptions.AdvertiseAddress), error.Message, StringComparison.Ordinal);
    }
}
