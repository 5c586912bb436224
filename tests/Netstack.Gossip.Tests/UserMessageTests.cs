using System.Net;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Security;
using Netstack.Gossip.Wire;
using Xunit;

namespace Netstack.Gossip.Tests;

/// <summary>User messages: an application's request to one member, carried and sealed as gossip is.</summary>
public sealed class UserMessageTests
{
    private static readonly byte[] KeyA = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendUserMessage_ToLiveMember_ArrivesWithSenderAndPayload(bool encrypted)
    {
        await using var cluster = new SimulatedCluster(3, seed: 211, keyring: encrypted ? () => new GossipKeyring(KeyA) : null);
        await cluster.StartAsync();
        var got = new List<(string From, byte[] Payload)>();
        cluster.Nodes[2].UserMessageReceived += (_, e) => got.Add((e.From, e.Payload.ToArray()));

        var sent = await cluster.Nodes[0].SendUserMessageAsync(cluster.Nodes[2].Name, new byte[] { 1, 2, 3, 250 });

        cluster.Run(TimeSpan.FromSeconds(1));
        Assert.True(sent);
        var (from, payload) = Assert.Single(got);
        Assert.Equal(cluster.Nodes[0].Name, from);
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, payload);
    }

    [Fact]
    public async Task SendUserMessage_UnknownOrSelf_IsNotSent()
    {
        await using var cluster = new SimulatedCluster(2, seed: 223);
        await cluster.StartAsync();

        Assert.False(await cluster.Nodes[0].SendUserMessageAsync("nobody", new byte[] { 1 }));
        Assert.False(await cluster.Nodes[0].SendUserMessageAsync(cluster.Nodes[0].Name, new byte[] { 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.Nodes[0].SendUserMessageAsync(cluster.Nodes[1].Name, new byte[GossipNode.MaxUserMessage + 1]));
    }

    [Fact]
    public async Task UserMessage_SealedWithAnotherKey_IsDropped()
    {
        await using var cluster = new SimulatedCluster(2, seed: 227, keyring: () => new GossipKeyring(KeyA));
        await cluster.StartAsync();
        var got = 0;
        cluster.Nodes[1].UserMessageReceived += (_, _) => got++;
        var dropped = cluster.Nodes[1].Counters.DroppedDecrypt;

        // A stranger that knows a member's name but not the key.
        var frame = new PacketSealer(new GossipKeyring(KeyB)).Seal(UserMessage(cluster.Nodes[0].Name, [9]));
        cluster.Network.Inject(new IPEndPoint(IPAddress.Parse("10.9.9.9"), 7946), cluster.Nodes[1].Address, frame, stream: true);

        cluster.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(0, got);
        Assert.True(cluster.Nodes[1].Counters.DroppedDecrypt > dropped);
    }

    [Fact]
    public async Task UserMessage_FromANameThatIsNotAMember_IsDropped()
    {
        await using var cluster = new SimulatedCluster(2, seed: 229, keyring: () => new GossipKeyring(KeyA));
        await cluster.StartAsync();
        var got = 0;
        cluster.Nodes[1].UserMessageReceived += (_, _) => got++;

        var frame = new PacketSealer(new GossipKeyring(KeyA)).Seal(UserMessage("gone-node", [9]));
        cluster.Network.Inject(cluster.Nodes[0].Address, cluster.Nodes[1].Address, frame, stream: true);
        var real = new PacketSealer(new GossipKeyring(KeyA)).Seal(UserMessage(cluster.Nodes[0].Name, [9]));
        cluster.Network.Inject(cluster.Nodes[0].Address, cluster.Nodes[1].Address, real, stream: true);

        cluster.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(1, got);
    }

    private static byte[] UserMessage(string from, byte[] payload)
    {
        var w = new WireWriter();
        w.WriteByte((byte)MessageType.User);
        w.WriteString(from);
        w.WriteBlob(payload);
        return w.ToArray();
    }
}
