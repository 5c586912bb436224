using System.Net;
using Netstack.Gossip;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Security;
using Netstack.Gossip.Tables;
using Netstack.Gossip.Transport;
using Netstack.TestKit;

namespace Netstack.Bench.Gossip;

/// <summary>One row of the benchmark: build, warm up, then measure dissemination, detection, traffic.</summary>
internal static class Simulation
{
    private const string Network = "bench";
    private const string Table = "endpoint_table";
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    internal sealed record Result(TimeSpan? EntryMedian, TimeSpan? EntryMax, TimeSpan? FailureMedian, TimeSpan? FailureMax, int FalseFailures, double BytesPerSecondPerNode);

    /// <summary>
    /// serf's convergence simulator (website/source/javascripts/simulator.js): logistic epidemic
    /// with contact rate fanout/n*(1-loss), rounds of 200 ms until 99.99 % are infected.
    /// </summary>
    public static double SerfModelSeconds(int n, double loss)
    {
        const int fanout = 3;
        const double interval = 0.2;
        var contact = fanout / (double)n * (1 - loss);
        for (var round = 0; round < 100; round++)
        {
            var infected = n / (1 + ((n + 1) * Math.Exp(-contact * n * round)));
            if (infected / n >= 0.9999)
            {
                return round * interval;
            }
        }
        return double.NaN;
    }

    public static async Task<Result> RunAsync(int n, double loss, int seed, int entryRuns, int failureRuns, bool encrypt)
    {
        var key = new byte[32];
        new Random(seed).NextBytes(key);
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var time = new FakeTimeProvider();
        var random = new Random(seed);
        var net = new InMemoryNetwork(time, new Random(seed + 1));
        var nodes = new List<GossipNode>(n);
        for (var i = 0; i < n; i++)
        {
            var options = new GossipOptions { NodeName = $"node{i:D4}" };
            var address = new IPEndPoint(new IPAddress([10, 1, (byte)(i / 250), (byte)(i % 250 + 1)]), 7946);
            nodes.Add(new GossipNode(options, net.CreateTransport(address), encrypt ? new GossipKeyring(key) : null, time, new Random(seed * 1_000_003 + i)));
        }
        foreach (var node in nodes)
        {
            await node.StartAsync().ConfigureAwait(false);
        }
        // Bootstrap: each node joins a random earlier one, 10 ms apart, then the cluster settles.
        for (var i = 1; i < n; i++)
        {
            await nodes[i].JoinAsync([nodes[random.Next(i)].Address]).ConfigureAwait(false);
            time.Advance(Step);
        }
        time.Advance(TimeSpan.FromSeconds(30));
        Console.Error.WriteLine($"  [{n} nodes, {loss:P0}] bootstrap done after {wall.Elapsed.TotalSeconds:F1} s wall");
        foreach (var node in nodes)
        {
            node.Tables.JoinNetwork(Network);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
        net.LossRate = loss;
        // Warm-up under loss: join gossip retires, the steady state begins.
        time.Advance(TimeSpan.FromSeconds(60));

        Console.Error.WriteLine($"  [{n} nodes, {loss:P0}] warm-up done after {wall.Elapsed.TotalSeconds:F1} s wall");
        var index = nodes.Select((node, i) => (node.Name, i)).ToDictionary(p => p.Name, p => p.i);
        var killed = new HashSet<string>();
        var falseFailures = 0;
        var failedSeen = new Dictionary<string, int>();
        var seen = new int[n];
        var currentKey = "";
        var knowers = 0;
        for (var i = 0; i < n; i++)
        {
            var me = i;
            nodes[i].MemberChanged += (_, e) =>
            {
                if (e.Kind != MemberEventKind.Failed)
                {
                    return;
                }
                if (killed.Contains(e.Member.Name))
                {
                    failedSeen[e.Member.Name] = failedSeen.GetValueOrDefault(e.Member.Name) + 1;
                }
                else
                {
                    falseFailures++;
                }
            };
            nodes[i].Tables.Subscribe(Network, Table, e =>
            {
                if (e.Kind == TableEventKind.Create && e.Key == currentKey && seen[me] == 0)
                {
                    seen[me] = 1;
                    knowers++;
                }
            });
        }

        var bytesBefore = nodes.Sum(x => x.Counters.BytesSent);
        var measureStart = time.Elapsed;
        var live = Enumerable.Range(0, n).ToList();
        var target = (int)Math.Ceiling(0.9999 * n);

        var entryTimes = new List<TimeSpan?>();
        for (var r = 0; r < entryRuns; r++)
        {
            Array.Clear(seen);
            currentKey = $"ep-{r}";
            var writer = live[random.Next(live.Count)];
            seen[writer] = 1;
            knowers = 1;
            var value = new byte[48]; // an overlay peer record: IP, MAC, VTEP
            random.NextBytes(value);
            var start = time.Elapsed;
            nodes[writer].Tables.CreateEntry(Network, Table, currentKey, value);
            entryTimes.Add(RunUntil(time, () => knowers >= Math.Min(target, live.Count), TimeSpan.FromMinutes(10), start));
            time.Advance(TimeSpan.FromSeconds(10));
        }

        var failureTimes = new List<TimeSpan?>();
        for (var r = 0; r < failureRuns && live.Count > 2; r++)
        {
            var victimIndex = live[random.Next(live.Count)];
            var victim = nodes[victimIndex];
            live.Remove(victimIndex);
            killed.Add(victim.Name);
            victim.Stop();
            net.SetDown(victim.Address, true);
            var start = time.Elapsed;
            var others = live.Count;
            failureTimes.Add(RunUntil(time, () => failedSeen.GetValueOrDefault(victim.Name) >= others, TimeSpan.FromMinutes(10), start));
            time.Advance(TimeSpan.FromSeconds(10));
        }
        // A quiet stretch so the traffic figure includes the steady state, not only the bursts.
        time.Advance(TimeSpan.FromSeconds(60));

        var elapsed = time.Elapsed - measureStart;
        var bytes = nodes.Sum(x => x.Counters.BytesSent) - bytesBefore;
        // Killed nodes sent nothing after their death; average over the nodes alive at the start.
        var perNode = bytes / (double)n / elapsed.TotalSeconds;
        foreach (var node in nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
        _ = index;
        return new Result(Median(entryTimes), Max(entryTimes), Median(failureTimes), Max(failureTimes), falseFailures, perNode);
    }

    private static TimeSpan? RunUntil(FakeTimeProvider time, Func<bool> done, TimeSpan limit, TimeSpan start)
    {
        while (!done())
        {
            if (time.Elapsed - start > limit)
            {
                return null;
            }
            time.Advance(Step);
        }
        return time.Elapsed - start;
    }

    private static TimeSpan? Median(List<TimeSpan?> values)
    {
        if (values.Count == 0 || values.Any(v => v is null))
        {
            return null;
        }
        var sorted = values.Select(v => v!.Value).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static TimeSpan? Max(List<TimeSpan?> values) =>
        values.Count == 0 || values.Any(v => v is null) ? null : values.Max();
}
