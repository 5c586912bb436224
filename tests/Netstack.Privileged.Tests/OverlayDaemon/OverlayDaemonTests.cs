using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Sandboxes;
using Netstack.Cli;
using Netstack.Core;
using Netstack.Privileged.Tests.Api;
using Netstack.Privileged.Tests.ClusterStore;
using Netstack.Privileged.Tests.GossipDaemon;
using Netstack.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Privileged.Tests.OverlayDaemon;

/// <summary>
/// The overlay driver end to end through real daemons: three netstackd on namespace hosts a, b, c
/// of one LAN (gossip with a shared key, <c>--join a</c>, <c>--cluster-store</c> to a real etcd on
/// host e), an overlay network created on a, sandboxes on every host. What is checked is the
/// kernel: pings between sandboxes, the neighbour and FDB entries on the VXLAN devices inside the
/// overlay namespaces (<c>EXEC-ROOT/overlay/ov-*</c>), and that nothing is left after <c>network rm</c>.
/// </summary>
public sealed class OverlayDaemonTests(ITestOutputHelper output)
{
    // Waits for conditions on a loaded machine, never measurements (the times are printed): a failure
    // needs some probe rounds plus the suspicion timeout, stretched by local health awareness.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [PrivilegedFact]
    public async Task ThreeHosts_PingAcross_EntriesEverywhere_KillNineAndRestart_RmLeavesNothing()
    {
        using var lan = NamespaceLan.Create("a", "b", "c", "e");
        var keyFile = Path.Combine("/tmp", lan.Prefix + ".key");
        File.WriteAllText(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var daemons = new List<ClusterDaemon>();
        try
        {
            await using var etcd = await EtcdCluster.StartAsync(("e", lan.NamespacePath("e"), Ip(lan, "e")));
            foreach (var host in new[] { "a", "b", "c" })
            {
                string[] join = host == "a" ? [] : ["--join", Ip(lan, "a")];
                daemons.Add(await ClusterDaemon.StartAsync(host, lan.NamespacePath(host), etcd.Url,
                    ["--advertise-addr", Ip(lan, host), "--gossip-key-file", keyFile, .. join]));
            }
            var (a, b, c) = (daemons[0], daemons[1], daemons[2]);
            foreach (var d in daemons)
            {
                await UntilAsync(async () => (await d.Client.ListNodesAsync()).Count(n => n.State == "alive") == 3 ? "" : null, $"{d.Node} lists three alive nodes");
            }

            await a.Client.CreateNetworkAsync(Overlay("ov1", "10.93.0.0/24"));
            foreach (var d in new[] { b, c })
            {
                await UntilAsync(async () => (await d.Client.ListNetworksAsync()).FirstOrDefault(n => n.Name == "ov1"), $"{d.Node} lists ov1");
            }

            // One sandbox on each host; the one on b is never sent a packet before a pings it.
            var sa = await ConnectAsync(a, "sa");
            var sc = await ConnectAsync(c, "sc");
            var sb = await ConnectAsync(b, "sb");
            var sandboxes = new[] { sa, sb, sc };
            var clock = Stopwatch.StartNew();
            // One echo request, and it must be answered: the first packet ever sent to b's sandbox.
            Ping(sa, sb, "a -> b, first packet ever to b's sandbox", count: 1);
            output.WriteLine($"a reached b's fresh sandbox {clock.Elapsed.TotalMilliseconds:F0} ms after b's connect answered");
            Ping(sa, sc, "a -> c");
            Ping(sb, sc, "b -> c");
            Ping(sc, sa, "c -> a");

            // Each host holds permanent neighbour and FDB entries for the other hosts' endpoints.
            foreach (var (host, index) in daemons.Select((d, i) => (d, i)))
            {
                foreach (var (remote, remoteIndex) in sandboxes.Select((s, i) => (s, i)).Where(x => x.i != index))
                {
                    await UntilAsync(() => Task.FromResult(HasEntries(host, remote, Ip(lan, daemons[remoteIndex].Node)) ? "" : null),
                        $"{host.Node} programs {remote.Ip} ({remote.Mac}) behind {daemons[remoteIndex].Node}");
                }
            }

            // Real containers: a busybox httpd on b, fetched with wget from a container on a.
            foreach (var host in new[] { a, b })
            {
                await CliAsync(host, "image", "import", Runtime.BusyboxImage.Path, "busybox");
            }
            await CliAsync(b, "run", "-d", "--name", "web", "--network", "ov1", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www");
            await CliAsync(a, "run", "-d", "--name", "client", "--network", "ov1", "busybox", "sleep", "600");
            var webIp = (await b.Client.InspectContainerAsync("web")).NetworkSettings.Networks["ov1"].IPAddress;
            var page = await CliAsync(a, "exec", "client", "wget", "-q", "-O", "-", $"http://{webIp}/");
            Assert.Contains("hello from a netstack busybox container", page, StringComparison.Ordinal);
            // By name: a's embedded DNS answers b's container from the gossiped endpoint table.
            var named = await CliAsync(a, "exec", "client", "nslookup", "web", "127.0.0.11");
            Assert.Contains(webIp, named, StringComparison.Ordinal);
            var byName = await CliAsync(a, "exec", "client", "wget", "-q", "-O", "-", "http://web/");
            Assert.Contains("hello from a netstack busybox container", byName, StringComparison.Ordinal);
            await CliAsync(a, "rm", "-f", "client");
            await CliAsync(b, "rm", "-f", "web");

            var inspect = await a.Client.InspectNetworkAsync("ov1");
            var peers = (inspect.Peers ?? []).Select(p => (p.Name, p.Ip)).OrderBy(p => p.Name).ToArray();
            Assert.Equal(new[] { ("a", Ip(lan, "a")), ("b", Ip(lan, "b")), ("c", Ip(lan, "c")) }, peers);

            // kill -9 of c: a and b drop its entries from the kernel once gossip declares it failed.
            await c.KillHardAsync();
            clock.Restart();
            foreach (var host in new[] { a, b })
            {
                await UntilAsync(() => Task.FromResult(HasAnyEntry(host, sc) ? null : ""), $"{host.Node} drops c's entries");
                output.WriteLine($"{host.Node} removed c's neighbour and FDB entries {clock.Elapsed.TotalSeconds:F1} s after kill -9");
            }
            Assert.True(HasEntries(a, sb, Ip(lan, "b")), "a lost b's entries while c failed");
            Ping(sa, sb, "a -> b while c is down");

            // c restarts on its state: its endpoint is published again and programmed on a and b.
            await c.LaunchAsync();
            clock.Restart();
            foreach (var host in new[] { a, b })
            {
                await UntilAsync(() => Task.FromResult(HasEntries(host, sc, Ip(lan, "c")) ? "" : null), $"{host.Node} programs c's entries again");
                output.WriteLine($"{host.Node} programmed c's entries again {clock.Elapsed.TotalSeconds:F1} s after c's restart answered");
            }
            await UntilAsync(() => Task.FromResult(HasEntries(c, sa, Ip(lan, "a")) && HasEntries(c, sb, Ip(lan, "b")) ? "" : null), "c programs a's and b's entries after its restart");
            Ping(sa, sc, "a -> c after c's restart");
            Ping(sc, sb, "c -> b after c's restart");

            // Sandboxes removed, then the network: no namespace, device or entry on any host.
            foreach (var (host, sandbox) in daemons.Zip(sandboxes))
            {
                await host.Client.RemoveSandboxAsync(sandbox.Name);
            }
            await a.Client.RemoveNetworkAsync("ov1");
            foreach (var host in daemons)
            {
                await UntilAsync(async () => (await host.Client.ListNetworksAsync()).Any(n => n.Name == "ov1") ? null : "", $"{host.Node} forgets ov1");
                await UntilAsync(() => Task.FromResult(OverlayNamespaces(host).Length == 0 ? "" : null), $"{host.Node} removes its ov-* namespaces");
                var links = TestNamespace.Run("ip", "-n", lan.HostNamespace(host.Node), "-br", "link");
                Assert.DoesNotContain("vx-", links, StringComparison.Ordinal);
                var fdb = TestNamespace.Run("nsenter", "--net=" + lan.NamespacePath(host.Node), "bridge", "fdb", "show");
                foreach (var sandbox in sandboxes)
                {
                    Assert.DoesNotContain(sandbox.Mac, fdb, StringComparison.OrdinalIgnoreCase);
                }
            }
            Assert.Empty(etcd.Keys("networks/"));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(e.Message + Logs(daemons), e);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            output.WriteLine(e.Message + Logs(daemons));
            throw;
        }
        finally
        {
            foreach (var d in daemons)
            {
                await d.DisposeAsync();
            }
            File.Delete(keyFile);
        }
    }

    [PrivilegedFact]
    public async Task BadOverlayRequests_4xxNamingTheFlagOrField_NothingCreated()
    {
        using var lan = NamespaceLan.Create("a", "b", "e");
        var daemons = new List<IAsyncDisposable>();
        try
        {
            await using var etcd = await EtcdCluster.StartAsync(("e", lan.NamespacePath("e"), Ip(lan, "e")));
            var a = await ClusterDaemon.StartAsync("a", lan.NamespacePath("a"), etcd.Url, "--advertise-addr", Ip(lan, "a"));
            daemons.Add(a);
            // Without --advertise-addr: a cluster store but no tunnel endpoint.
            var noAdvertise = await ClusterDaemon.StartAsync("b", lan.NamespacePath("b"), etcd.Url);
            daemons.Add(noAdvertise);
            // Without --cluster-store: single-host, with a tunnel endpoint.
            var localDir = Path.Combine("/tmp", lan.HostNamespace("b") + "-l");
            Directory.CreateDirectory(localDir);
            var local = new NetstackdInstance(lan.NamespacePath("b"), localDir, "--advertise-addr", Ip(lan, "b"));
            daemons.Add(new DisposeInstance(local));
            await local.LaunchAsync();
            using var localClient = new ApiClient(DaemonAddress.Parse(local.HostUri));

            var noStore = await Assert.ThrowsAsync<ApiException>(() => localClient.CreateNetworkAsync(Overlay("x1", null)));
            Assert4xx(noStore);
            Assert.Contains("--cluster-store", noStore.Message, StringComparison.Ordinal);

            var noAddr = await Assert.ThrowsAsync<ApiException>(() => noAdvertise.Client.CreateNetworkAsync(Overlay("x2", null)));
            Assert4xx(noAddr);
            Assert.Contains("--advertise-addr", noAddr.Message, StringComparison.Ordinal);

            foreach (var bad in new[] { "0", "16777216", "abc" })
            {
                var vni = await Assert.ThrowsAsync<ApiException>(() => a.Client.CreateNetworkAsync(Overlay("x3", null, (DockerOptions.OverlayVxlanIdList, bad))));
                Assert.Equal(HttpStatusCode.BadRequest, vni.StatusCode);
                Assert.Contains("vxlanid_list", vni.Message, StringComparison.Ordinal);
                Assert.Contains(bad, vni.Message, StringComparison.Ordinal);
            }

            await a.Client.CreateNetworkAsync(Overlay("taken", null, (DockerOptions.OverlayVxlanIdList, "5000")));
            var taken = await Assert.ThrowsAsync<ApiException>(() => a.Client.CreateNetworkAsync(Overlay("x4", null, (DockerOptions.OverlayVxlanIdList, "5000"))));
            Assert4xx(taken);
            Assert.Contains("vxlanid_list", taken.Message, StringComparison.Ordinal);
            Assert.Contains("5000", taken.Message, StringComparison.Ordinal);

            var encrypted = await Assert.ThrowsAsync<ApiException>(() => a.Client.CreateNetworkAsync(Overlay("x5", null, (DockerOptions.OverlayEncrypted, ""))));
            Assert.Equal(HttpStatusCode.BadRequest, encrypted.StatusCode);
            Assert.Contains("encrypted", encrypted.Message, StringComparison.Ordinal);
            Assert.Contains("ESP", encrypted.Message, StringComparison.Ordinal);

            // Only the one good network exists, in the store and on the hosts.
            Assert.Equal(["taken"], (await a.Client.ListNetworksAsync()).Where(n => n.Driver == "overlay").Select(n => n.Name));
            Assert.Single(etcd.Keys("networks/"));
            Assert.DoesNotContain(await localClient.ListNetworksAsync(), n => n.Driver == "overlay");
            await a.Client.RemoveNetworkAsync("taken");
            foreach (var ns in new[] { "a", "b" })
            {
                Assert.DoesNotContain("vx-", TestNamespace.Run("ip", "-n", lan.HostNamespace(ns), "-br", "link"), StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var d in Enumerable.Reverse(daemons))
            {
                await d.DisposeAsync();
            }
        }
    }

    /// <summary>A sandbox connected to ov1 on one host: its name, namespace file, address and MAC.</summary>
    private sealed record Box(string Name, string Key, string Ip, string Mac);

    private static async Task<Box> ConnectAsync(ClusterDaemon host, string name)
    {
        await host.Client.CreateSandboxAsync(new SandboxCreateRequest { Name = name });
        await host.Client.ConnectNetworkAsync("ov1", new NetworkConnectRequest { Container = name });
        var sandbox = (await host.Client.ListSandboxesAsync()).Single(s => s.Name == name);
        var endpoint = sandbox.Endpoints.Single(e => e.Network == "ov1");
        return new Box(name, sandbox.Key, endpoint.IPv4Address.Split('/')[0], endpoint.MacAddress.ToLowerInvariant());
    }

    /// <summary>Our CLI in-process against <paramref name="host"/>'s daemon; a non-zero exit fails the test with its stderr.</summary>
    private static async Task<string> CliAsync(ClusterDaemon host, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync(["-H", host.HostUri, .. args], new InvocationConfiguration { Output = output, Error = error });
        Assert.True(exit == 0, $"netstack {string.Join(' ', args)} on {host.Node} exited {exit}: {error}{output}");
        return output.ToString();
    }

    private static void Assert4xx(ApiException e) =>
        Assert.True(e.StatusCode is { } code && (int)code is >= 400 and < 500, $"expected a 4xx, got {e.StatusCode}: {e.Message}");

    private static void Ping(Box from, Box to, string what, int count = 2)
    {
        var ping = TestNamespace.TryRun("nsenter", "--net=" + from.Key, "busybox", "ping", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-W", "3", to.Ip);
        Assert.True(ping.ExitCode == 0, $"{what}: ping {to.Ip} failed: {ping.Output}{ping.Error}");
    }

    private static string[] OverlayNamespaces(ClusterDaemon host)
    {
        var dir = Path.Combine(host.ExecRoot, "overlay");
        return Directory.Exists(dir) ? Directory.GetFiles(dir, "ov-*") : [];
    }

    /// <summary>True when a VXLAN device in one of <paramref name="host"/>'s overlay namespaces has a permanent neighbour entry for the box and an FDB entry to <paramref name="vtep"/>.</summary>
    private static bool HasEntries(ClusterDaemon host, Box remote, string vtep) =>
        OverlayNamespaces(host).Any(ns =>
            Neighbours(ns).Any(n => n.Ip == remote.Ip && n.Mac == remote.Mac && n.Permanent) &&
            Fdb(ns).Any(f => f.Mac == remote.Mac && f.Dst == vtep));

    private static bool HasAnyEntry(ClusterDaemon host, Box remote) =>
        OverlayNamespaces(host).Any(ns => Neighbours(ns).Any(n => n.Ip == remote.Ip && n.Permanent) || Fdb(ns).Any(f => f.Mac == remote.Mac));

    private static IEnumerable<(string Ip, string Mac, bool Permanent)> Neighbours(string ns)
    {
        var (exit, json, _) = TestNamespace.TryRun("nsenter", "--net=" + ns, "ip", "-j", "neigh", "show");
        if (exit != 0 || string.IsNullOrWhiteSpace(json))
        {
            yield break;
        }
        using var doc = JsonDocument.Parse(json);
        foreach (var n in doc.RootElement.EnumerateArray())
        {
            if (!n.GetProperty("dev").GetString()!.StartsWith("vx-", StringComparison.Ordinal))
            {
                continue;
            }
            var mac = n.TryGetProperty("lladdr", out var l) ? l.GetString()! : "";
            var permanent = n.TryGetProperty("state", out var s) && s.EnumerateArray().Any(x => x.GetString() == "PERMANENT");
            yield return (n.GetProperty("dst").GetString()!, mac.ToLowerInvariant(), permanent);
        }
    }

    private static IEnumerable<(string Mac, string Dst)> Fdb(string ns)
    {
        var (exit, json, _) = TestNamespace.TryRun("nsenter", "--net=" + ns, "bridge", "-j", "fdb", "show");
        if (exit != 0 || string.IsNullOrWhiteSpace(json))
        {
            yield break;
        }
        using var doc = JsonDocument.Parse(json);
        foreach (var f in doc.RootElement.EnumerateArray())
        {
            if (f.TryGetProperty("ifname", out var dev) && dev.GetString()!.StartsWith("vx-", StringComparison.Ordinal) && f.TryGetProperty("dst", out var dst))
            {
                yield return (f.GetProperty("mac").GetString()!.ToLowerInvariant(), dst.GetString()!);
            }
        }
    }

    private static NetworkCreateRequest Overlay(string name, string? subnet, params (string Key, string Value)[] options) => new()
    {
        Name = name,
        Driver = "overlay",
        Attachable = true,
        Options = options.ToDictionary(o => o.Key, o => o.Value),
        Ipam = new IpamSettings { Config = subnet is null ? [] : [new IpamPoolConfig { Subnet = subnet }] },
    };

    /// <summary>The LAN address of a host: NamespaceLan numbers hosts .1, .2, ... in the order created.</summary>
    private static string Ip(NamespaceLan lan, string host) => $"{lan.SubnetPrefix}.{Array.IndexOf(lan.Hosts, host) + 1}";

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"not reached in time: {what}");
            await Task.Delay(100);
        }
    }

    private static string Logs(IEnumerable<ClusterDaemon> daemons) =>
        string.Concat(daemons.Select(d => $"\n---- {d.Node}\n{d.Log}"));

    /// <summary>Stops a bare <see cref="NetstackdInstance"/> by its pid and removes its state.</summary>
    private sealed class DisposeInstance(NetstackdInstance instance) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await instance.StopAsync();
            instance.Dispose();
            instance.RemoveState();
        }
    }
}
