using Netstack.Gossip.Membership;
using Xunit;

namespace Netstack.Gossip.Tests;

public sealed class DeterminismTests
{
    /// <summary>Runs a lossy scenario and records every membership and table event with its simulated time.</summary>
    private static async Task<List<string>> RecordAsync(int seed)
    {
        var log = new List<string>();
        await using var cluster = new SimulatedCluster(8, seed);
        cluster.Network.LossRate = 0.1;
        foreach (var node in cluster.Nodes)
        {
            var observer = node.Name;
            node.MemberChanged += (_, e) => log.Add($"{cluster.Time.Elapsed.Ticks} {observer} {e.Kind} {e.Member.Name}");
            node.Tables.Subscribe(null, null, e => log.Add($"{cluster.Time.Elapsed.Ticks} {observer} {e.Kind} {e.Key}"));
        }
        await cluster.StartAsync();
        foreach (var node in cluster.Nodes)
        {
            node.Tables.JoinNetwork("ov");
        }
        cluster.Nodes[2].Tables.CreateEntry("ov", "t", "k", [1]);
        cluster.Run(TimeSpan.FromSeconds(5));
        cluster.Nodes[5].Stop();
        cluster.Network.SetDown(cluster.Nodes[5].Address, true);
        cluster.Run(TimeSpan.FromSeconds(60));
        log.Add($"bytes {cluster.Nodes.Sum(n => n.Counters.BytesSent)}");
        return log;
    }

    [Fact]
    public async Task SameSeed_GivesTheSameRun_EventForEventAndByteForByte()
    {
        var first = await RecordAsync(seed: 131);
        var second = await RecordAsync(seed: 131);
        var other = await RecordAsync(seed: 137);

        Assert.Contains(first, line => line.Contains($" {MemberEventKind.Failed} n05", StringComparison.Ordinal));
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }
}
