using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Security;
using Xunit;

namespace Netstack.Gossip.Tests;

public sealed class RobustnessTests
{
    private static readonly byte[] KeyA = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    // 12,000 packets per run of each test (the envelope and decryption in one, the message decoders
    // behind them in the other); NETSTACK_FUZZ_ITERATIONS raises the count for the long run.
    private static readonly int Packets = int.TryParse(Environment.GetEnvironmentVariable("NETSTACK_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 12_000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThousandsOfBadPackets_AreDroppedAndCounted_NodeStillAnswers(bool encrypted)
    {
        await using var cluster = new SimulatedCluster(3, seed: 83, keyring: encrypted ? () => new GossipKeyring(KeyA) : null);
        await cluster.StartAsync();
        var target = cluster.Nodes[0];
        var attacker = new IPEndPoint(IPAddress.Parse("10.9.9.9"), 7946);
        var random = new Random(97);
        var sealer = new PacketSealer(encrypted ? new GossipKeyring(KeyA) : null);
        var wrongSealer = new PacketSealer(new GossipKeyring(KeyB));
        var plainSealer = new PacketSealer(null);
        var valid = ValidBodies();
        var sent = 0;

        for (var i = 0; i < Packets; i++)
        {
            byte[] packet;
            switch (i % 6)
            {
                case 0: // random garbage of random size
                    packet = new byte[random.Next(0, 1400)];
                    random.NextBytes(packet);
                    break;
                case 1: // a valid packet truncated at a random point
                    var whole = sealer.Seal(valid[random.Next(valid.Count)]);
                    packet = whole[..random.Next(0, whole.Length)];
                    break;
                case 2: // oversized
                    packet = new byte[1401 + random.Next(0, 60000)];
                    random.NextBytes(packet);
                    packet[0] = 1;
                    break;
                case 3: // sealed with a key the node does not have (or sealed when it expects plain)
                    packet = wrongSealer.Seal(valid[random.Next(valid.Count)]);
                    break;
                case 4: // correctly sealed body with random bytes flipped inside (lengths, counts, strings)
                    var body = (byte[])valid[random.Next(valid.Count)].Clone();
                    for (var f = 0; f < 3; f++)
                    {
                        body[random.Next(body.Length)] ^= (byte)random.Next(1, 256);
                    }
                    packet = sealer.Seal(body);
                    break;
                default: // plain packet to an encrypting node, or random message types/lengths
                    var junk = new byte[random.Next(1, 200)];
                    random.NextBytes(junk);
                    packet = encrypted ? plainSealer.Seal(junk) : sealer.Seal(junk);
                    break;
            }
            cluster.Network.Inject(attacker, target.Address, packet, stream: i % 50 == 0);
            sent++;
            if (i % 200 == 0)
            {
                cluster.Run(TimeSpan.FromMilliseconds(100));
            }
        }
        cluster.Run(TimeSpan.FromSeconds(20));

        Assert.Equal(Packets, sent);
        Assert.True(target.Counters.Dropped >= Packets / 2, $"dropped {target.Counters.Dropped}");
        Assert.True(target.Counters.DroppedOversized >= Packets * 3 / 20);
        Assert.True(target.Counters.DroppedDecrypt >= (encrypted ? Packets / 3 : Packets * 3 / 20));
        // Fuzzed but well-sealed messages may invent members or accuse real ones (an attacker with
        // the key can do that); the real nodes refute and stay members. The node kept working:
        // its peers still see it alive and an entry written on it still spreads.
        cluster.Run(TimeSpan.FromSeconds(60));
        var real = cluster.Nodes.Select(n => n.Name).ToList();
        Assert.All(cluster.Nodes, n => Assert.All(real, name => Assert.Equal(MemberState.Alive, SimulatedCluster.StateOf(n, name))));
        var entryArrived = false;
        target.Tables.JoinNetwork("ov");
        cluster.Nodes[1].Tables.JoinNetwork("ov");
        cluster.Run(TimeSpan.FromSeconds(2));
        cluster.Nodes[1].Tables.Subscribe("ov", null, _ => entryArrived = true);
        target.Tables.CreateEntry("ov", "t", "after-attack", [1]);
        // Invented members dilute gossip, so allow for the periodic table sync (30 s).
        Assert.NotNull(cluster.RunUntil(() => entryArrived, TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThousandsOfWellSealedMutatedBodies_ReachTheDecoders_NodeStillAnswers(bool encrypted)
    {
        // Every packet passes the envelope (and decryption), so all of them reach the message
        // decoders: bytes flipped, bodies cut short, glued together, or a valid header over noise.
        await using var cluster = new SimulatedCluster(3, seed: 101, keyring: encrypted ? () => new GossipKeyring(KeyA) : null);
        await cluster.StartAsync();
        var target = cluster.Nodes[0];
        var attacker = new IPEndPoint(IPAddress.Parse("10.9.9.8"), 7946);
        var random = new Random(103);
        var sealer = new PacketSealer(encrypted ? new GossipKeyring(KeyA) : null);
        var valid = ValidBodies();
        for (var i = 0; i < Packets; i++)
        {
            var body = (byte[])valid[random.Next(valid.Count)].Clone();
            body = (i % 4) switch
            {
                0 => body[..random.Next(0, body.Length + 1)],
                1 => [.. body, .. valid[random.Next(valid.Count)]],
                2 => [body[0], .. Enumerable.Range(0, random.Next(0, 120)).Select(_ => (byte)random.Next(256))],
                _ => body,
            };
            for (var f = random.Next(0, 4); f > 0 && body.Length > 0; f--)
            {
                body[random.Next(body.Length)] ^= (byte)random.Next(1, 256);
            }
            cluster.Network.Inject(attacker, target.Address, sealer.Seal(body), stream: i % 10 == 0);
            if (i % 200 == 0)
            {
                cluster.Run(TimeSpan.FromMilliseconds(100));
            }
        }
        Assert.Equal(0, target.Counters.DroppedDecrypt);
        Assert.True(target.Counters.DroppedMalformed > 0, "some mutations are malformed messages, counted as such");
        // Accusations the attacker forged are refuted, and the members it invented (which never
        // answer) dilute the gossip until they are found dead: the real nodes converge on each
        // other again. The long run's hundreds of thousands of packets invent thousands, so the
        // wait is in simulated minutes.
        var real = cluster.Nodes.Select(n => n.Name).ToList();
        Assert.NotNull(cluster.RunUntil(() => cluster.Nodes.All(n => real.All(name => SimulatedCluster.StateOf(n, name) == MemberState.Alive)), TimeSpan.FromMinutes(15)));
        var entryArrived = false;
        target.Tables.JoinNetwork("ov2");
        cluster.Nodes[1].Tables.JoinNetwork("ov2");
        cluster.Run(TimeSpan.FromSeconds(2));
        cluster.Nodes[1].Tables.Subscribe("ov2", null, _ => entryArrived = true);
        target.Tables.CreateEntry("ov2", "t", "after-attack", [1]);
        Assert.NotNull(cluster.RunUntil(() => entryArrived, TimeSpan.FromSeconds(60)));
    }

    /// <summary>Bodies of well-formed messages of each type, as the fuzzer's starting points.</summary>
    private static List<byte[]> ValidBodies()
    {
        var a = new IPEndPoint(IPAddress.Parse("10.0.0.2"), 7946);
        var list = new List<byte[]>();
        var w = new Wire.WireWriter();
        Wire.Messages.Ping(w, 7, "n00", "n01", a, stream: false);
        list.Add(w.ToArray());
        w.Reset();
        Wire.Messages.IndirectPing(w, 8, "n01", a, true, a);
        list.Add(w.ToArray());
        w.Reset();
        Wire.Messages.Ack(w, Wire.MessageType.Ack, 9, stream: false);
        list.Add(w.ToArray());
        list.Add(Wire.Messages.Alive(3, "n77", a));
        list.Add(Wire.Messages.Accusation(Wire.MessageType.Suspect, 1, "n01", "n02"));
        list.Add(Wire.Messages.Accusation(Wire.MessageType.Dead, 1, "n02", "n01"));
        // A compound of several.
        list.Add([.. list[3], .. list[4], .. list[2]]);
        // The table layer's two messages: a node joining a network, and an entry created in it.
        w.Reset();
        var at = w.BeginMessage(Wire.MessageType.NetworkEvent);
        w.WriteByte(1);
        w.WriteUInt64(5);
        w.WriteString("n01");
        w.WriteString("ov");
        w.EndMessage(at);
        list.Add(w.ToArray());
        w.Reset();
        at = w.BeginMessage(Wire.MessageType.TableEvent);
        w.WriteByte(1);
        w.WriteUInt64(6);
        w.WriteString("n01");
        w.WriteString("ov");
        w.WriteString("endpoint_table");
        w.WriteString("ep1");
        w.WriteBlob([10, 0, 0, 2, 0x02, 0x42]);
        w.EndMessage(at);
        list.Add(w.ToArray());
        return list;
    }

    [Fact]
    public async Task WrongKey_NodeCannotJoin()
    {
        await using var cluster = new SimulatedCluster(3, seed: 89, keyring: () => new GossipKeyring(KeyA));
        await cluster.StartAsync();
        var intruder = cluster.CreateNode(5, new GossipKeyring(KeyB));
        cluster.Nodes.Add(intruder);
        await intruder.StartAsync();

        await intruder.JoinAsync([cluster.Nodes[0].Address]);
        cluster.Run(TimeSpan.FromSeconds(30));

        Assert.Single(intruder.Members);
        Assert.All(cluster.Nodes.Take(3), n => Assert.Equal(3, n.Members.Count));
        Assert.True(cluster.Nodes[0].Counters.DroppedDecrypt > 0);
    }

    [Fact]
    public async Task KeyRotation_InstallUseRemove_ClusterStaysHealthy()
    {
        var rings = new List<GossipKeyring>();
        await using var cluster = new SimulatedCluster(5, seed: 101, keyring: () =>
        {
            var ring = new GossipKeyring(KeyA);
            rings.Add(ring);
            return ring;
        });
        await cluster.StartAsync();
        foreach (var node in cluster.Nodes)
        {
            node.Tables.JoinNetwork("ov");
        }

        // 1. Install B everywhere (A still encrypts).
        rings.ForEach(r => r.InstallKey(KeyB));
        cluster.Run(TimeSpan.FromSeconds(5));
        // 2. Switch one node at a time to B: the others can still read it, it can still read them.
        foreach (var ring in rings)
        {
            ring.UseKey(KeyB);
            cluster.Run(TimeSpan.FromSeconds(3));
        }
        // 3. Remove A everywhere.
        rings.ForEach(r => r.RemoveKey(KeyA));
        var droppedBefore = cluster.Nodes.Sum(n => n.Counters.DroppedDecrypt);
        cluster.Nodes[0].Tables.CreateEntry("ov", "t", "after-rotation", [42]);
        cluster.Run(TimeSpan.FromSeconds(60));

        Assert.All(cluster.Nodes, n => Assert.All(n.Members, m => Assert.Equal(MemberState.Alive, m.State)));
        Assert.All(cluster.Nodes, n => Assert.NotNull(n.Tables.Get("ov", "t", "after-rotation")));
        Assert.Equal(droppedBefore, cluster.Nodes.Sum(n => n.Counters.DroppedDecrypt));
        Assert.All(rings, r => Assert.Equal(KeyB, Assert.Single(r.Keys)));
    }

    [Fact]
    public void Keyring_RejectsBadKeysAndRemovingThePrimary()
    {
        var ring = new GossipKeyring(KeyA);
        var bad = Assert.Throws<ArgumentException>(() => ring.InstallKey(new byte[15]));
        Assert.Contains("15 bytes", bad.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => ring.RemoveKey(KeyA));
        Assert.Throws<InvalidOperationException>(() => ring.UseKey(KeyB));
        Assert.Equal(KeyA, GossipKeyring.ParseKey(Convert.ToBase64String(KeyA) + "\n", "test"));
        Assert.Throws<ArgumentException>(() => GossipKeyring.ParseKey("not base64!", "test"));
    }

    [Fact]
    public void Sealer_TamperedPacket_FailsAuthentication()
    {
        var sealer = new PacketSealer(new GossipKeyring(KeyA));
        var packet = sealer.Seal([1, 2, 3, 4]);
        Assert.Equal(OpenResult.Ok, sealer.TryOpen(packet, out var body, out var rented));
        Assert.Equal([1, 2, 3, 4], body.ToArray());
        PacketSealer.Release(rented);

        packet[^1] ^= 1;
        Assert.Equal(OpenResult.DecryptFailed, sealer.TryOpen(packet, out _, out _));
        // The nonce is random per packet.
        Assert.NotEqual(sealer.Seal([1])[2..14], sealer.Seal([1])[2..14]);
        _ = BinaryPrimitives.ReadUInt16BigEndian(RandomNumberGenerator.GetBytes(2));
    }
}
