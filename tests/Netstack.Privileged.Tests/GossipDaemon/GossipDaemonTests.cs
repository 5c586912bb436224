using Netstack.Gossip;
using System.Security.Cryptography;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.GossipDaemon;

/// <summary>
/// Real netstackd processes on three namespace hosts of one bridged LAN, forming a gossip cluster
/// with a shared AES key, observed through our built <c>netstack node ls --format json</c>.
/// </summary>
public sealed class GossipDaemonTests
{
    // Waits for a condition on a loaded machine, never measurements: SWIM needs a few probe rounds
    // (1 s each) plus the suspicion timeout (4 * log10(n) s, stretched up to 6x) to declare a failure.
    private static readonly TimeSpan ConvergeWait = TimeSpan.FromSeconds(120);

    [PrivilegedFact]
    public async Task ThreeDaemons_JoinKillRestartLeave_AllSeeIt_AndAWrongKeyNeverJoins()
    {
        using var lan = NamespaceLan.Create("a", "b", "c", "d");
        var keys = Path.Combine("/tmp", lan.Prefix + "-keys");
        Directory.CreateDirectory(keys);
        var daemons = new List<GossipDaemonProcess>();
        try
        {
            var key = Path.Combine(keys, "cluster.key");
            var wrongKey = Path.Combine(keys, "wrong.key");
            await File.WriteAllTextAsync(key, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            await File.WriteAllTextAsync(wrongKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            var ip = (string host) => $"{lan.SubnetPrefix}.{host[0] - 'a' + 1}";

            var a = await GossipDaemonProcess.StartAsync(lan.NamespacePath("a"), ip("a"), key);
            daemons.Add(a);
            var b = await GossipDaemonProcess.StartAsync(lan.NamespacePath("b"), ip("b"), key, ip("a"));
            daemons.Add(b);
            var c = await GossipDaemonProcess.StartAsync(lan.NamespacePath("c"), ip("c"), key, ip("a"));
            daemons.Add(c);
            string[] names = [ip("a"), ip("b"), ip("c")];

            // Each daemon sees all three, alive, at their advertised addresses.
            foreach (var daemon in new[] { a, b, c })
            {
                await UntilAsync(daemon, nodes => AllAlive(nodes, names), "three alive members");
                Assert.All(daemon.NodeLs(), n => Assert.Equal(n.Name + ":7946", n.Address));
            }

            // A crash: the others mark c failed.
            await c.KillHardAsync();
            foreach (var daemon in new[] { a, b })
            {
                await UntilAsync(daemon, nodes => StateOf(nodes, ip("c")) == "failed", $"{ip("c")} failed");
            }

            // Restarted on the same data, c joins again and is alive everywhere.
            await c.LaunchAsync();
            foreach (var daemon in new[] { a, b, c })
            {
                await UntilAsync(daemon, nodes => AllAlive(nodes, names), "three alive members after the restart");
            }

            // A daemon with another key reaches a over TCP but is never accepted.
            var d = await GossipDaemonProcess.StartAsync(lan.NamespacePath("d"), ip("d"), wrongKey, ip("a"));
            daemons.Add(d);
            var deadline = DateTime.UtcNow + ConvergeWait;
            while (!d.Log.Contains("none accepted this node", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "d never logged that the cluster did not accept it:\n" + d.Log);
                await Task.Delay(500);
            }
            Assert.Equal([(ip("d"), "alive")], d.NodeLs().Select(n => (n.Name, n.State)));
            foreach (var daemon in new[] { a, b, c })
            {
                var nodes = daemon.NodeLs();
                Assert.DoesNotContain(nodes, n => n.Name == ip("d"));
                Assert.True(AllAlive(nodes, names), $"{daemon.Address} lost a member: {string.Join(", ", nodes)}");
            }

            // A clean stop is a leave, not a failure.
            await b.StopAsync();
            Assert.Contains("gossip: leaving the cluster", b.Log, StringComparison.Ordinal);
            foreach (var daemon in new[] { a, c })
            {
                await UntilAsync(daemon, nodes => StateOf(nodes, ip("b")) == "left", $"{ip("b")} left");
            }
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(e.Message + Logs(daemons), e);
        }
        finally
        {
            foreach (var daemon in daemons)
            {
                await daemon.DisposeAsync();
            }
            Directory.Delete(keys, recursive: true);
        }
    }

    [PrivilegedFact]
    public async Task SeedRestartedWithoutJoin_AfterTheOthersForgotIt_FindsThemThroughItsKnownPeers()
    {
        using var lan = NamespaceLan.Create("a", "b", "c");
        var keys = Path.Combine("/tmp", lan.Prefix + "-keys");
        Directory.CreateDirectory(keys);
        var daemons = new List<GossipDaemonProcess>();
        try
        {
            var key = Path.Combine(keys, "cluster.key");
            await File.WriteAllTextAsync(key, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            var ip = (string host) => $"{lan.SubnetPrefix}.{host[0] - 'a' + 1}";
            // a is the seed: it never gets --join; b and c join through it.
            var a = await GossipDaemonProcess.StartAsync(lan.NamespacePath("a"), ip("a"), key);
            daemons.Add(a);
            daemons.Add(await GossipDaemonProcess.StartAsync(lan.NamespacePath("b"), ip("b"), key, ip("a")));
            daemons.Add(await GossipDaemonProcess.StartAsync(lan.NamespacePath("c"), ip("c"), key, ip("a")));
            string[] names = [ip("a"), ip("b"), ip("c")];
            foreach (var daemon in daemons)
            {
                await UntilAsync(daemon, nodes => AllAlive(nodes, names), "three alive members");
            }
            var peersFile = Path.Combine(a.Directory, "root", "gossip", "peers");
            var deadline = DateTime.UtcNow + ConvergeWait;
            while (!(File.Exists(peersFile) && File.ReadAllText(peersFile).Contains(ip("b") + ":7946", StringComparison.Ordinal)
                && File.ReadAllText(peersFile).Contains(ip("c") + ":7946", StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{peersFile} never listed b and c");
                await Task.Delay(200);
            }

            // The seed crashes and stays down until b and c have stopped gossiping to it: they do
            // for GossipToTheDeadTime (30 s) after declaring it failed, then never contact it again.
            await a.KillHardAsync();
            foreach (var daemon in daemons.Skip(1))
            {
                await UntilAsync(daemon, nodes => StateOf(nodes, ip("a")) == "failed", $"{ip("a")} failed");
            }
            await Task.Delay(new GossipOptions().GossipToTheDeadTime + TimeSpan.FromSeconds(5));

            // Restarted with the same flags (still no --join): it joins the peers it knew.
            await a.LaunchAsync();
            foreach (var daemon in daemons)
            {
                await UntilAsync(daemon, nodes => AllAlive(nodes, names), "three alive members after the seed's restart");
            }
            Assert.Contains("known from the last run", a.Log, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(e.Message + Logs(daemons), e);
        }
        finally
        {
            foreach (var daemon in daemons)
            {
                await daemon.DisposeAsync();
            }
            Directory.Delete(keys, recursive: true);
        }
    }

    private static bool AllAlive(IReadOnlyList<(string Name, string Address, string State)> nodes, string[] names) =>
        nodes.Count == names.Length && names.All(name => StateOf(nodes, name) == "alive");

    private static string? StateOf(IReadOnlyList<(string Name, string Address, string State)> nodes, string name) =>
        nodes.FirstOrDefault(n => n.Name == name).State;

    private static async Task UntilAsync(GossipDaemonProcess daemon, Func<IReadOnlyList<(string Name, string Address, string State)>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + ConvergeWait;
        while (true)
        {
            var nodes = daemon.NodeLs();
            if (condition(nodes))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{daemon.Address} never saw {what}; it lists {string.Join(", ", nodes)}\n{daemon.Log}");
            await Task.Delay(500);
        }
    }

    private static string Logs(IEnumerable<GossipDaemonProcess> daemons) =>
        string.Concat(daemons.Select(d => $"\n---- {d.Address}\n{d.Log}"));
}
