using Netstack.Gossip.Membership;
using Xunit;

namespace Netstack.Gossip.Tests;

public sealed class MembershipTests
{
    [Fact]
    public async Task Join_TenNodes_AllSeeTenAliveMembers()
    {
        await using var cluster = new SimulatedCluster(10, seed: 3);
        await cluster.StartAsync();

        foreach (var node in cluster.Nodes)
        {
            Assert.Equal(10, node.Members.Count);
            Assert.All(node.Members, m => Assert.Equal(MemberState.Alive, m.State));
        }
    }

    [Fact]
    public async Task KilledNode_IsDeclaredFailedByAllOthers_WithinDetectionBound()
    {
        await using var cluster = new SimulatedCluster(10, seed: 5);
        await cluster.StartAsync();
        var victim = cluster.Nodes[7];
        var others = cluster.Nodes.Where(n => n != victim).ToList();
        var options = new GossipOptions();
        var failedEvents = 0;
        foreach (var node in others)
        {
            node.MemberChanged += (_, e) =>
            {
                if (e.Kind == MemberEventKind.Failed && e.Member.Name == victim.Name)
                {
                    failedEvents++;
                }
            };
        }

        victim.Stop();
        cluster.Network.SetDown(victim.Address, true);

        // Bound: the victim is probed within a round of the others' rotation (n - 1 intervals at
        // worst), then suspected for at most the maximum suspicion timeout
        // (multiplier * log10(n) * interval * max multiplier), then the dead message spreads.
        var minSuspicion = options.SuspicionMultiplier * Math.Log10(10) * options.ProbeInterval;
        var bound = (9 * options.ProbeInterval) + (minSuspicion * options.SuspicionMaxTimeoutMultiplier) + TimeSpan.FromSeconds(2);
        var took = cluster.RunUntil(() => cluster.AllSee(others, victim.Name, MemberState.Failed), bound);

        Assert.NotNull(took);
        Assert.Equal(others.Count, failedEvents);
        // Nobody else was wrongly declared failed.
        Assert.All(others, o => Assert.All(o.Members.Where(m => m.Name != victim.Name), m => Assert.Equal(MemberState.Alive, m.State)));
    }

    [Fact]
    public async Task SlowNode_PacketsDelayedButNotLost_IsNeverDeclaredFailed()
    {
        await using var cluster = new SimulatedCluster(8, seed: 11);
        await cluster.StartAsync();
        var slow = cluster.Nodes[3];
        var failures = 0;
        var suspicions = 0;
        foreach (var node in cluster.Nodes)
        {
            node.MemberChanged += (_, e) =>
            {
                if (e.Kind == MemberEventKind.Failed)
                {
                    failures++;
                }
            };
        }

        // 350 ms each way: a round trip of ~700 ms misses the 500 ms probe timeout, so direct
        // probes of the slow node fail and indirect ones start, but answers arrive within the
        // 1 s probe interval, and Lifeguard keeps the slow node from accusing healthy ones.
        cluster.Network.SetNodeDelay(slow.Address, TimeSpan.FromMilliseconds(350));
        for (var second = 0; second < 180; second++)
        {
            cluster.Run(TimeSpan.FromSeconds(1));
            suspicions += cluster.Nodes.Count(n => SimulatedCluster.StateOf(n, slow.Name) != MemberState.Alive);
        }

        Assert.Equal(0, failures);
        Assert.All(cluster.Nodes, n => Assert.All(n.Members, m => Assert.Equal(MemberState.Alive, m.State)));
        Assert.Equal(0, suspicions);
    }

    [Fact]
    public async Task Partition_IntoTwoHalvesThenHealed_BothSidesConvergeToOneList()
    {
        await using var cluster = new SimulatedCluster(10, seed: 17);
        await cluster.StartAsync();
        var left = cluster.Nodes.Take(5).ToList();
        var right = cluster.Nodes.Skip(5).ToList();

        cluster.Network.Partition(left.Select(n => n.Address), right.Select(n => n.Address));
        cluster.Run(TimeSpan.FromSeconds(90));
        // Each side has declared the other failed.
        Assert.All(left, l => Assert.All(right, r => Assert.Equal(MemberState.Failed, SimulatedCluster.StateOf(l, r.Name))));
        Assert.All(right, r => Assert.All(left, l => Assert.Equal(MemberState.Failed, SimulatedCluster.StateOf(r, l.Name))));

        cluster.Network.Heal();
        var took = cluster.RunUntil(
            () => cluster.Nodes.All(n => n.Members.Count == 10 && n.Members.All(m => m.State == MemberState.Alive)),
            TimeSpan.FromMinutes(5));

        Assert.NotNull(took);
        var reference = cluster.Nodes[0].Members.Select(m => (m.Name, m.Address)).ToList();
        Assert.All(cluster.Nodes, n => Assert.Equal(reference, n.Members.Select(m => (m.Name, m.Address)).ToList()));
    }

    [Fact]
    public async Task Leave_IsSeenAsLeftNotFailed()
    {
        await using var cluster = new SimulatedCluster(6, seed: 23);
        await cluster.StartAsync();
        var leaver = cluster.Nodes[2];
        var others = cluster.Nodes.Where(n => n != leaver).ToList();

        var leave = leaver.LeaveAsync(TimeSpan.FromSeconds(5));
        cluster.Run(TimeSpan.FromSeconds(1));
        await leave;
        cluster.Run(TimeSpan.FromSeconds(60));

        Assert.True(cluster.AllSee(others, leaver.Name, MemberState.Left));
    }

    [Fact]
    public async Task RestartedNode_WithLowerIncarnation_ComesBackAlive()
    {
        await using var cluster = new SimulatedCluster(5, seed: 29);
        await cluster.StartAsync();
        var victim = cluster.Nodes[4];
        var others = cluster.Nodes.Take(4).ToList();
        victim.Stop();
        cluster.Network.SetDown(victim.Address, true);
        Assert.NotNull(cluster.RunUntil(() => cluster.AllSee(others, victim.Name, MemberState.Failed), TimeSpan.FromMinutes(1)));

        // A new process under the same name and address starts again at incarnation 1.
        await victim.DisposeAsync();
        cluster.Network.SetDown(victim.Address, false);
        var reborn = cluster.CreateNode(4);
        cluster.Nodes[4] = reborn;
        await reborn.StartAsync();
        await reborn.JoinAsync([cluster.Nodes[0].Address]);

        Assert.NotNull(cluster.RunUntil(() => cluster.AllSee(cluster.Nodes, reborn.Name, MemberState.Alive), TimeSpan.FromSeconds(30)));
        Assert.All(reborn.Members, m => Assert.Equal(MemberState.Alive, m.State));
    }
}
