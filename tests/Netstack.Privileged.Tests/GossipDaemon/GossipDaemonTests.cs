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
        await InClusterAsync(["a", "b", "c", "d"], async cluster =>
        {
            Func<string, string> ip = cluster.Ip;
            var wrongKey = cluster.NewKey("wrong.key");
            var (a, b, c) = await cluster.StartThreeAsync();
            string[] names = [ip("a"), ip("b"), ip("c")];

            // Each daemon lists the three at their advertised addresses.
            foreach (var daemon in new[] { a, b, c })
            {
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
            var d = await cluster.StartAsync("d", wrongKey, join: "a");
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
        });
    }

    [PrivilegedFact]
    public async Task WholeClusterRestart_WithTheSeedGone_TheOthersFindEachOtherThroughKnownPeers()
    {
        await InClusterAsync(["a", "b", "c"], async cluster =>
        {
            Func<string, string> ip = cluster.Ip;
            // b and c know the cluster only through their --join a.
            var (a, b, c) = await cluster.StartThreeAsync();
            foreach (var (daemon, others) in new[] { (b, new[] { ip("a"), ip("c") }), (c, new[] { ip("a"), ip("b") }) })
            {
                var peersFile = Path.Combine(daemon.Directory, "root", "gossip", "peers");
                var deadline = DateTime.UtcNow + ConvergeWait;
                while (!(File.Exists(peersFile) && others.All(o => File.ReadAllText(peersFile).Contains(o + ":7946", StringComparison.Ordinal))))
                {
                    Assert.True(DateTime.UtcNow < deadline, $"{peersFile} never listed {string.Join(" and ", others)}");
                    await Task.Delay(200);
                }
            }

            // Every host loses power; only b and c come back, with the same flags (--join a, which
            // never answers again). They find each other through the members they remembered.
            foreach (var daemon in new[] { a, b, c })
            {
                await daemon.KillHardAsync();
            }
            await b.LaunchAsync();
            await c.LaunchAsync();
            foreach (var daemon in new[] { b, c })
            {
                await UntilAsync(daemon, nodes => StateOf(nodes, ip("b")) == "alive" && StateOf(nodes, ip("c")) == "alive", "b and c alive again");
                Assert.Contains("known from the last run", daemon.Log, StringComparison.Ordinal);
            }
        });
    }

    /// <summary>One test's world: a LAN of namespace hosts, a cluster key, the daemons it starts.</summary>
    private sealed record Cluster(NamespaceLan Lan, string KeyDirectory, string Key, List<GossipDaemonProcess> Daemons)
    {
        /// <summary>The address of host "a", "b", ... on the LAN.</summary>
        public string Ip(string host) => $"{Lan.SubnetPrefix}.{host[0] - 'a' + 1}";

        /// <summary>Starts netstackd on <paramref name="host"/>, joining <paramref name="join"/>'s daemon if given.</summary>
        public async Task<GossipDaemonProcess> StartAsync(string host, string keyFile, string? join = null)
        {
            var daemon = join is null
                ? await GossipDaemonProcess.StartAsync(Lan.NamespacePath(host), Ip(host), keyFile)
                : await GossipDaemonProcess.StartAsync(Lan.NamespacePath(host), Ip(host), keyFile, Ip(join));
            Daemons.Add(daemon);
            return daemon;
        }

        /// <summary>
        /// Starts seed a (no --join) and b and c (--join a) with the cluster key, and waits until
        /// each lists all three alive.
        /// </summary>
        public async Task<(GossipDaemonProcess A, GossipDaemonProcess B, GossipDaemonProcess C)> StartThreeAsync()
        {
            var a = await StartAsync("a", Key);
            var b = await StartAsync("b", Key, join: "a");
            var c = await StartAsync("c", Key, join: "a");
            string[] names = [Ip("a"), Ip("b"), Ip("c")];
            foreach (var daemon in new[] { a, b, c })
            {
                await UntilAsync(daemon, nodes => AllAlive(nodes, names), "three alive members");
            }
            return (a, b, c);
        }

        /// <summary>A fresh random 32-byte key file.</summary>
        public string NewKey(string name)
        {
            var path = Path.Combine(KeyDirectory, name);
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            return path;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a LAN of <paramref name="hosts"/>; whatever happens, every
    /// daemon it started is stopped and the LAN and keys removed. Unexpected errors carry all logs.
    /// </summary>
    private static async Task InClusterAsync(string[] hosts, Func<Cluster, Task> body)
    {
        using var lan = NamespaceLan.Create(hosts);
        var keys = Path.Combine("/tmp", lan.Prefix + "-keys");
        Directory.CreateDirectory(keys);
        var cluster = new Cluster(lan, keys, Path.Combine(keys, "cluster.key"), []);
        try
        {
            cluster.NewKey("cluster.key");
            await body(cluster);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(e.Message + Logs(cluster.Daemons), e);
        }
        finally
        {
            foreach (var daemon in cluster.Daemons)
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
