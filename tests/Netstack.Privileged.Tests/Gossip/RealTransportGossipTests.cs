using System.Net;
using System.Net.Sockets;
using Netstack.Gossip;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Security;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Gossip;

/// <summary>Gossip over real UDP and TCP sockets between namespace hosts.</summary>
public sealed class RealTransportGossipTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
    private static readonly byte[] OtherKey = Enumerable.Range(0, 32).Select(i => (byte)(i * 11 + 1)).ToArray();

    // Real sockets and a real clock: wait for a state with a generous deadline (not a speed assertion).
    private static async Task<bool> EventuallyAsync(Func<bool> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        return condition();
    }

    private static MemberState? StateOf(GossipNode observer, string name) =>
        observer.Members.FirstOrDefault(m => m.Name == name)?.State;

    [PrivilegedFact]
    public async Task ThreeHosts_Join_KilledHostFails_RestartedHostIsAliveAgain()
    {
        using var hosts = new NamespaceHosts(3);
        var nodes = new List<GossipNode>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(hosts.CreateNode(i, new GossipKeyring(Key)));
                await nodes[i].StartAsync();
            }
            Assert.Equal(1, await nodes[1].JoinAsync([nodes[0].Address]));
            Assert.Equal(1, await nodes[2].JoinAsync([nodes[1].Address]));

            Assert.True(await EventuallyAsync(() => nodes.All(n => n.Members.Count == 3 && n.Members.All(m => m.State == MemberState.Alive))),
                "three alive members on every host");
            Assert.All(nodes, n => Assert.Contains(n.Members, m => m.Address.Equals(new IPEndPoint(NamespaceHosts.AddressOf(2), 7946))));

            // Tables travel over the same sockets.
            foreach (var node in nodes)
            {
                node.Tables.JoinNetwork("ov1");
            }
            nodes[2].Tables.CreateEntry("ov1", "overlay_peer_table", "ep-c", [10, 0, 0, 3]);
            Assert.True(await EventuallyAsync(() => nodes.All(n => n.Tables.Get("ov1", "overlay_peer_table", "ep-c") is not null)));

            // Kill host 2's node: its sockets close without a word.
            await nodes[2].DisposeAsync();
            Assert.True(await EventuallyAsync(() => StateOf(nodes[0], "host2") == MemberState.Failed && StateOf(nodes[1], "host2") == MemberState.Failed),
                "the others mark the killed node failed");
            Assert.True(nodes[0].Tables.Get("ov1", "overlay_peer_table", "ep-c", includeSuspended: true)!.Suspended);

            // Restart it: a fresh process state on the same address and name.
            nodes[2] = hosts.CreateNode(2, new GossipKeyring(Key));
            await nodes[2].StartAsync();
            Assert.Equal(1, await nodes[2].JoinAsync([nodes[0].Address]));
            Assert.True(await EventuallyAsync(() => nodes.All(n => n.Members.Count == 3 && n.Members.All(m => m.State == MemberState.Alive))),
                "the restarted node is alive everywhere");
            Assert.Equal(0, nodes.Sum(n => n.Counters.DroppedDecrypt + n.Counters.DroppedMalformed));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [PrivilegedFact]
    public async Task WrongKey_HostCannotJoin_AndGarbageIsDroppedWithoutHarm()
    {
        using var hosts = new NamespaceHosts(3);
        var nodes = new List<GossipNode>();
        try
        {
            nodes.Add(hosts.CreateNode(0, new GossipKeyring(Key)));
            nodes.Add(hosts.CreateNode(1, new GossipKeyring(Key)));
            var intruder = hosts.CreateNode(2, new GossipKeyring(OtherKey));
            nodes.Add(intruder);
            foreach (var node in nodes)
            {
                await node.StartAsync();
            }
            await nodes[1].JoinAsync([nodes[0].Address]);
            Assert.True(await EventuallyAsync(() => nodes[0].Members.Count == 2 && nodes[1].Members.Count == 2));

            // The TCP connection succeeds, but nothing the intruder sends can be opened.
            Assert.Equal(1, await intruder.JoinAsync([nodes[0].Address]));
            Assert.True(await EventuallyAsync(() => nodes[0].Counters.DroppedDecrypt > 0));

            // Garbage datagrams from inside host 2's namespace: random, truncated, oversized.
            var random = new Random(5);
            using (var raw = hosts.Hosts[2].Namespace.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)))
            {
                for (var i = 0; i < 2000; i++)
                {
                    var packet = new byte[i % 10 == 0 ? 1500 + random.Next(30000) : random.Next(0, 1400)];
                    random.NextBytes(packet);
                    raw.SendTo(packet, nodes[0].Address);
                    if (i % 25 == 24)
                    {
                        // Pace the burst so the socket buffer (rmem_default) does not drop most of it.
                        await Task.Delay(5);
                    }
                }
            }
            Assert.True(await EventuallyAsync(() => nodes[0].Counters.Dropped >= 1000), $"dropped {nodes[0].Counters.Dropped}");
            await Task.Delay(TimeSpan.FromSeconds(3));

            Assert.Equal(["host0", "host1"], nodes[0].Members.Select(m => m.Name));
            Assert.Equal(["host0", "host1"], nodes[1].Members.Select(m => m.Name));
            Assert.Equal(["host2"], intruder.Members.Select(m => m.Name));
            Assert.True(nodes[0].Counters.DroppedOversized > 0);
            // Still answering: the two real members remain alive to each other.
            Assert.All(nodes.Take(2), n => Assert.All(n.Members, m => Assert.Equal(MemberState.Alive, m.State)));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
