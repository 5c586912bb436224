using System.Net;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Security;
using Netstack.Gossip.Transport;
using Netstack.TestKit;

namespace Netstack.Gossip.Tests;

/// <summary>N gossip nodes on one fake clock and one in-memory network, all seeded.</summary>
internal sealed class SimulatedCluster : IAsyncDisposable
{
    private readonly int _seed;
    private readonly Func<GossipKeyring?>? _keyring;
    private int _created;

    public SimulatedCluster(int size, int seed = 1, Action<GossipOptions>? configure = null, Func<GossipKeyring?>? keyring = null)
    {
        _seed = seed;
        _keyring = keyring;
        Configure = configure;
        Time = new FakeTimeProvider();
        Network = new InMemoryNetwork(Time, new Random(seed));
        for (var i = 0; i < size; i++)
        {
            Nodes.Add(CreateNode(i));
        }
    }

    public FakeTimeProvider Time { get; }

    public InMemoryNetwork Network { get; }

    public List<GossipNode> Nodes { get; } = [];

    public Action<GossipOptions>? Configure { get; }

    public static IPEndPoint AddressOf(int index) => new(new IPAddress([10, 0, (byte)(index / 250), (byte)(index % 250 + 1)]), 7946);

    public GossipNode CreateNode(int index, GossipKeyring? keyring = null)
    {
        var options = new GossipOptions { NodeName = $"n{index:D2}" };
        Configure?.Invoke(options);
        var transport = Network.CreateTransport(AddressOf(index));
        // Each node gets its own seeded generator so runs are exact.
        var random = new Random(_seed * 7919 + index * 104729 + _created++);
        return new GossipNode(options, transport, keyring ?? _keyring?.Invoke(), Time, random);
    }

    /// <summary>Starts every node, joins each to node 0, and lets gossip settle.</summary>
    public async Task StartAsync(TimeSpan? settle = null)
    {
        foreach (var node in Nodes)
        {
            await node.StartAsync();
        }
        for (var i = 1; i < Nodes.Count; i++)
        {
            await Nodes[i].JoinAsync([Nodes[0].Address]);
        }
        Run(settle ?? TimeSpan.FromSeconds(10));
    }

    public void Run(TimeSpan duration) => Time.Advance(duration);

    /// <summary>Advances in small steps until the condition holds; returns the simulated time it took, or null.</summary>
    public TimeSpan? RunUntil(Func<bool> condition, TimeSpan limit, TimeSpan? step = null)
    {
        var start = Time.Elapsed;
        var tick = step ?? TimeSpan.FromMilliseconds(50);
        while (Time.Elapsed - start <= limit)
        {
            if (condition())
            {
                return Time.Elapsed - start;
            }
            Time.Advance(tick);
        }
        return condition() ? Time.Elapsed - start : null;
    }

    public static MemberState? StateOf(GossipNode observer, string member) =>
        observer.Members.FirstOrDefault(m => m.Name == member)?.State;

    public bool AllSee(IEnumerable<GossipNode> observers, string member, MemberState state) =>
        observers.All(o => StateOf(o, member) == state);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
