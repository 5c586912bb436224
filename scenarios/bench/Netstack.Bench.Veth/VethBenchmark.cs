using System.Diagnostics;
using System.Globalization;
using System.Text;
using Netstack.Linux;

namespace Netstack.Bench.Veth;

/// <summary>
/// Creates N veth pairs (peer in a second namespace, host end on bridge br0, both ends up) and
/// deletes them, three ways: Netstack's netlink layer, one <c>ip -batch</c>, one <c>ip</c> process per
/// operation. Every round runs in fresh namespaces; creation and deletion are timed apart.
/// </summary>
internal static class VethBenchmark
{
    private sealed record Timing(double Create, double Delete);

    // The kernel finishes some work after the last ack (linkwatch applies carrier changes at most
    // once a second, IPv6 address configuration runs from timers). Deleting right away would bill
    // that leftover work to the deletion of whichever variant created fastest; waiting this long
    // before timing the deletion gives every variant the same settled start.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public static int Run(BenchOptions options)
    {
        Console.WriteLine($"veth benchmark: {options.Pairs} pairs; rounds: netstack {options.Rounds}, ip -batch {options.IpBatchRounds}, ip per op {options.PerOpRounds}");
        // Rounds of the two fast variants alternate, so a change in machine load between rounds
        // (other jobs share this machine) hits both alike.
        // Each round deletes with a plain group delete and with the bridge taken down first
        // (Netstack's bridge-aware bulk path), so both deletion paths are measured side by side.
        var netstack = new List<Timing>();
        var netstackPlain = new List<Timing>();
        var batch = new List<Timing>();
        var batchDown = new List<Timing>();
        for (var i = 0; i < Math.Max(options.Rounds, options.IpBatchRounds); i++)
        {
            if (i < options.Rounds)
            {
                netstack.Add(Report("netstack", i, RunNetstack(options.Pairs, bridgeAware: true)));
                netstackPlain.Add(Report("netstack, plain group delete", i, RunNetstack(options.Pairs, bridgeAware: false)));
            }
            if (i < options.IpBatchRounds)
            {
                batch.Add(Report("ip -batch", i, RunIpBatch(options.Pairs, bridgeDown: false)));
                batchDown.Add(Report("ip -batch, bridge down first", i, RunIpBatch(options.Pairs, bridgeDown: true)));
            }
        }
        var perOp = new List<Timing>();
        for (var i = 0; i < options.PerOpRounds; i++)
        {
            perOp.Add(Report("ip per op", i, RunIpPerOp(options.Pairs)));
        }

        static double Median(List<Timing> t, Func<Timing, double> f)
        {
            if (t.Count == 0)
            {
                return double.NaN;
            }
            var sorted = t.Select(f).Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        static string Seconds(double s) => double.IsNaN(s) ? "-" : s.ToString("0.000", CultureInfo.InvariantCulture) + " s";
        static string Ratio(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? "-" : (a / b).ToString("0.0", CultureInfo.InvariantCulture) + "x";

        var rows = new[]
        {
            ("netstack (netlink, pipelined)", netstack, "bridge down, RTM_DELLINK by group, bridge up"),
            ("netstack, plain group delete", netstackPlain, "RTM_DELLINK by group"),
            ("ip -batch", batch, "ip link del group"),
            ("ip -batch, bridge down first", batchDown, "ip link set br0 down; ip link del group; ... up"),
            ("ip per operation", perOp, "ip link del, one per pair"),
        };
        Console.WriteLine();
        Console.WriteLine($"{"variant",-32}{"rounds",7}{"create (median)",18}{"delete (median)",18}  deletion path");
        foreach (var (name, timings, path) in rows)
        {
            Console.WriteLine($"{name,-32}{timings.Count,7}{Seconds(Median(timings, t => t.Create)),18}{Seconds(Median(timings, t => t.Delete)),18}  {path}");
        }
        var nsCreate = Median(netstack.Concat(netstackPlain).ToList(), t => t.Create);
        var nsDelete = Median(netstack, t => t.Delete);
        var batchCreate = Median(batch.Concat(batchDown).ToList(), t => t.Create);
        var perOpCreate = Median(perOp, t => t.Create);
        Console.WriteLine();
        Console.WriteLine($"creation (all rounds of each tool): ip -batch / netstack = {Ratio(batchCreate, nsCreate)} (target >= 1.0x); ip per op / netstack = {Ratio(perOpCreate, nsCreate)} (target >= 10x)");
        Console.WriteLine($"deletion: netstack bulk = {Seconds(nsDelete)} (target < 0.5 s); plain group delete: netstack {Seconds(Median(netstackPlain, t => t.Delete))}, ip {Seconds(Median(batch, t => t.Delete))}; ip with the bridge down first {Seconds(Median(batchDown, t => t.Delete))}; ip per op / netstack = {Ratio(Median(perOp, t => t.Delete), nsDelete)}");
        var met = !(nsCreate > batchCreate) && !(perOpCreate < 10 * nsCreate) && !(nsDelete >= 0.5);
        Console.WriteLine(met ? "targets: met (for the variants run)" : "targets: NOT met");
        return 0;
    }

    private static Timing Report(string name, int round, Timing t)
    {
        Console.WriteLine($"  {name,-30} round {round + 1}: create {t.Create:0.000} s, delete {t.Delete:0.000} s");
        return t;
    }

    private static Timing RunNetstack(int pairs, bool bridgeAware)
    {
        using var stage = Stage.Create();
        var master = stage.Netlink.LinkIndex("br0");
        var clock = Stopwatch.StartNew();
        var batch = stage.Netlink.Batch();
        for (var i = 0; i < pairs; i++)
        {
            batch.LinkAdd(new VethSpec($"v{i}", $"p{i}") { PeerNamespace = stage.Peer, Master = master, Up = true, PeerUp = true, Group = Stage.Group });
        }
        batch.Execute();
        var create = clock.Elapsed.TotalSeconds;
        Check(stage, pairs, "netstack");
        Thread.Sleep(Settle);

        clock.Restart();
        if (bridgeAware)
        {
            stage.Netlink.LinkDeleteGroup(Stage.Group, master);
        }
        else
        {
            stage.Netlink.LinkDeleteGroup(Stage.Group);
        }
        var delete = clock.Elapsed.TotalSeconds;
        Check(stage, 0, "netstack");
        return new Timing(create, delete);
    }

    private static Timing RunIpBatch(int pairs, bool bridgeDown)
    {
        using var stage = Stage.Create();
        var host = new StringBuilder();
        var peer = new StringBuilder();
        for (var i = 0; i < pairs; i++)
        {
            // As in Netstack's request: group, up and master on the creating line; the peer is
            // brought up from its own namespace because the kernel refuses it at creation.
            host.Append(CultureInfo.InvariantCulture, $"link add v{i} group {Stage.Group} up master br0 type veth peer name p{i} netns {stage.Peer.Name}\n");
            peer.Append(CultureInfo.InvariantCulture, $"link set p{i} up\n");
        }
        var clock = Stopwatch.StartNew();
        Stage.Run("ip", ["-n", stage.Host.Name!, "-batch", "-"], host.ToString());
        Stage.Run("ip", ["-n", stage.Peer.Name!, "-batch", "-"], peer.ToString());
        var create = clock.Elapsed.TotalSeconds;
        Check(stage, pairs, "ip -batch");
        Thread.Sleep(Settle);

        clock.Restart();
        if (bridgeDown)
        {
            // The same kernel work as Netstack's bridge-aware bulk path: bridge down, group
            // delete, bridge up.
            Stage.Run("ip", "-n", stage.Host.Name!, "link", "set", "br0", "down");
        }
        Stage.Run("ip", "-n", stage.Host.Name!, "link", "del", "group", Stage.Group.ToString(CultureInfo.InvariantCulture));
        if (bridgeDown)
        {
            Stage.Run("ip", "-n", stage.Host.Name!, "link", "set", "br0", "up");
        }
        var delete = clock.Elapsed.TotalSeconds;
        Check(stage, 0, "ip -batch");
        return new Timing(create, delete);
    }

    private static Timing RunIpPerOp(int pairs)
    {
        using var stage = Stage.Create();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < pairs; i++)
        {
            Stage.Run("ip", "-n", stage.Host.Name!, "link", "add", $"v{i}", "group", Stage.Group.ToString(CultureInfo.InvariantCulture), "up", "master", "br0",
                "type", "veth", "peer", "name", $"p{i}", "netns", stage.Peer.Name!);
            Stage.Run("ip", "-n", stage.Peer.Name!, "link", "set", $"p{i}", "up");
        }
        var create = clock.Elapsed.TotalSeconds;
        Check(stage, pairs, "ip per op");
        Thread.Sleep(Settle);

        clock.Restart();
        for (var i = 0; i < pairs; i++)
        {
            Stage.Run("ip", "-n", stage.Host.Name!, "link", "del", $"v{i}");
        }
        var delete = clock.Elapsed.TotalSeconds;
        Check(stage, 0, "ip per op");
        return new Timing(create, delete);
    }

    private static void Check(Stage stage, int expected, string variant)
    {
        var (ports, peersUp) = stage.Count();
        if (ports != expected || peersUp != expected)
        {
            throw new InvalidOperationException($"{variant}: expected {expected} bridge ports and {expected} peers up, found {ports} and {peersUp}");
        }
        // Every deletion path must leave the bridge itself as it found it: present and up.
        var bridge = Stage.Run("ip", "-o", "-n", stage.Host.Name!, "link", "show", "br0");
        if (!bridge.Contains(",UP", StringComparison.Ordinal) && !bridge.Contains("<UP", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{variant}: br0 is not up after the round: {bridge.Trim()}");
        }
    }
}
