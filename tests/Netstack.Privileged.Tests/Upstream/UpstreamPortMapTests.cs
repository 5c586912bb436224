using System.Diagnostics;
using Netstack.Api.Contracts.Upstream;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Privileged.Tests.Upstream;

/// <summary>
/// netstackd with <c>--upstream-portmap</c> against Debian's miniupnpd on a namespace router, for
/// each protocol: a published port of an opted-in container is mapped on the router and reached
/// from the "internet" through the router's WAN address; it is renewed (short leases), made again
/// after the router reboots with its state lost, removed on stop, rm and daemon stop; leftovers of
/// a daemon killed with -9 are removed at its next start.
/// </summary>
public sealed class UpstreamPortMapTests(ITestOutputHelper output)
{
    // Short enough that renewals (at half the lease) happen within the test; miniupnpd's min_lifetime is 4 in the lab.
    private const string Lease = "6";

    /// <summary>Waits (bounded) for <paramref name="condition"/>; the bound is generous and never the assertion.</summary>
    private static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, string what, Func<string> diagnostics, int seconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                Assert.Fail($"{what}: not within {seconds} s\n{diagnostics()}");
            }
            await Task.Delay(100);
        }
        return clock.Elapsed;
    }

    private static async Task<UpstreamStatus> StatusAsync(NetstackdProcess daemon)
    {
        using var client = daemon.Client();
        return await client.GetUpstreamAsync();
    }

    private static async Task<UpstreamPortBinding?> BindingAsync(NetstackdProcess daemon, string container)
    {
        var status = await StatusAsync(daemon);
        return status.Mappings.FirstOrDefault(m => m.ContainerName == container)?.Binding;
    }

    private static string Diagnostics(NetstackdProcess daemon, RouterLab lab) =>
        $"--- router rules\n{lab.Rules()}\n--- miniupnpd\n{lab.MiniupnpdLog}\n--- netstackd\n{daemon.Log}";

    private static async Task<(NetstackdProcess Daemon, RouterLab Lab)> StartAsync(string protocol, string lease)
    {
        RouterLab? lab = null;
        var daemon = await NetstackdProcess.StartAsync(host =>
        {
            lab = RouterLab.Create(host);
            lab.StartMiniupnpd();
        }, "--upstream-portmap", protocol, "--upstream-portmap-lease", lease);
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.78.0.0/24", "web")).Exit);
        return (daemon, lab!);
    }

    private static async Task RunWebAsync(NetstackdProcess daemon, string name = "web", string hostPort = "8080")
    {
        var run = await daemon.NetstackAsync("run", "-d", "--name", name, "--network", "web", "-p", hostPort + ":80",
            "--label", "netstack.upstream-portmap=true", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
    }

    [PrivilegedTheory]
    [InlineData("upnp")]
    [InlineData("natpmp")]
    [InlineData("pcp")]
    public async Task RunWithPort_IsMappedReachableRenewed_RecreatedAfterReboot_RemovedOnStopRmAndDaemonStop(string protocol)
    {
        var (daemon, lab) = await StartAsync(protocol, Lease);
        await using var _ = daemon;
        using var __ = lab;
        string Diag() => Diagnostics(daemon, lab);

        await RunWebAsync(daemon);
        var mapped = await UntilAsync(async () => (await BindingAsync(daemon, "web"))?.State == "mapped", "mapped", Diag);
        output.WriteLine($"{protocol}: mapped {mapped.TotalMilliseconds:0} ms after run returned");
        var port = await daemon.NetstackAsync("port", "web");
        Assert.Contains($"80/tcp -> {RouterLab.RouterWan}:8080 (upstream {protocol})", port.Out, StringComparison.Ordinal);
        var inspect = await daemon.NetstackAsync("inspect", "web");
        Assert.Contains("\"UpstreamPorts\"", inspect.Out, StringComparison.Ordinal);
        Assert.True(lab.Forwards(8080), Diag());
        var (exit, page) = lab.FetchFromInternet(8080);
        Assert.True(exit == 0 && page.Contains("busybox", StringComparison.OrdinalIgnoreCase), $"fetch from the internet namespace: exit {exit} '{page}'\n{Diag()}");

        var status = await StatusAsync(daemon);
        Assert.Equal(protocol, status.Protocol);
        Assert.Equal(RouterLab.RouterLan, status.Gateway);
        Assert.Equal(RouterLab.HostLan, status.LocalAddress);
        Assert.Equal(RouterLab.RouterWan, status.ExternalAddress);
        var debug = await daemon.NetstackAsync("debug", "upstream");
        Assert.Contains($"Protocol:         {protocol}", debug.Out, StringComparison.Ordinal);

        // Renewed at half the 6 s lease, and still forwarded.
        await UntilAsync(async () => (await BindingAsync(daemon, "web"))?.Renewals >= 2, "two renewals", Diag);
        Assert.True(lab.Forwards(8080), Diag());

        // The router reboots and forgets: the next renewal (epoch for NAT-PMP/PCP, missing entry for UPnP) makes it again.
        lab.RebootRouter();
        Assert.False(lab.Forwards(8080));
        var back = await UntilAsync(() => Task.FromResult(lab.Forwards(8080)), "mapping back after the router reboot", Diag);
        output.WriteLine($"{protocol}: mapping back {back.TotalMilliseconds:0} ms after the router came back (lease {Lease} s, renewal every {int.Parse(Lease, System.Globalization.CultureInfo.InvariantCulture) / 2} s)");
        await UntilAsync(async () => (await BindingAsync(daemon, "web"))?.Recreated >= 1, "re-creation counted", Diag);
        Assert.Equal(0, lab.FetchFromInternet(8080).Exit);

        // stop: removed from the router; start again: mapped again; rm: removed.
        Assert.Equal(0, (await daemon.NetstackAsync("stop", "-t", "1", "web")).Exit);
        await UntilAsync(() => Task.FromResult(!lab.Forwards(8080)), "unmapped after stop", Diag);
        Assert.NotEqual(0, lab.FetchFromInternet(8080).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("start", "web")).Exit);
        await UntilAsync(() => Task.FromResult(lab.Forwards(8080)), "mapped after start", Diag);
        Assert.Equal(0, (await daemon.NetstackAsync("rm", "-f", "web")).Exit);
        await UntilAsync(() => Task.FromResult(!lab.Forwards(8080)), "unmapped after rm", Diag);

        // Daemon stop: every mapping is removed before the process ends.
        await RunWebAsync(daemon, "web2", "8081");
        await UntilAsync(() => Task.FromResult(lab.Forwards(8081)), "web2 mapped", Diag);
        await daemon.StopAsync();
        Assert.False(lab.Forwards(8081), "daemon stopped, mapping still on the router\n" + Diag());
        Assert.Equal(0, lab.DnatRules());

        // The container outlived the daemon: a restarted daemon maps it again.
        await daemon.LaunchAsync();
        await UntilAsync(() => Task.FromResult(lab.Forwards(8081)), "web2 mapped again after the daemon restart", Diag);
        Assert.Equal(1, lab.DnatRules());
    }

    [PrivilegedTheory]
    [InlineData("upnp", false)]
    [InlineData("upnp", true)]
    [InlineData("natpmp", false)]
    [InlineData("pcp", false)]
    public async Task KillMinus9_ThenRestart_LeavesNoStaleMapping(string protocol, bool stateFileLost)
    {
        // An hour's lease: the router would keep the leftover; only netstack can remove it.
        var (daemon, lab) = await StartAsync(protocol, "3600");
        await using var _ = daemon;
        using var __ = lab;
        string Diag() => Diagnostics(daemon, lab);

        await RunWebAsync(daemon, "gone", "8082");
        await RunWebAsync(daemon, "stays", "8083");
        await UntilAsync(() => Task.FromResult(lab.Forwards(8082) && lab.Forwards(8083)), "both mapped", Diag);

        string goneId;
        using (var client = daemon.Client())
        {
            goneId = (await client.InspectContainerAsync("gone")).Id;
        }
        await daemon.KillHardAsync();
        Assert.True(lab.Forwards(8082) && lab.Forwards(8083), "a killed daemon cannot remove anything\n" + Diag());
        // While the daemon is down, one container ends (its runc state removed, as after a crash of both).
        var runcRoot = Path.Combine(daemon.ExecRoot, "runc");
        TestNamespace.Run("runc", "--root", runcRoot, "delete", "--force", goneId);
        if (stateFileLost)
        {
            // UPnP leftovers are also found by their description ("netstack NAME ID PORT/PROTO") on the router.
            File.Delete(Path.Combine(daemon.Root, "upstream", "mappings.json"));
        }

        await daemon.LaunchAsync();
        await UntilAsync(() => Task.FromResult(!lab.Forwards(8082)), "the dead container's mapping removed", Diag);
        Assert.True(lab.Forwards(8083), "the running container's mapping is kept\n" + Diag());
        await UntilAsync(async () => (await BindingAsync(daemon, "stays"))?.State == "mapped", "stays mapped", Diag);
        Assert.Equal(1, lab.DnatRules());
        Assert.Equal(0, (await StatusAsync(daemon)).Leftovers);
    }

    [PrivilegedTheory]
    [InlineData("upnp")]
    [InlineData("natpmp")]
    [InlineData("pcp")]
    public async Task PortTakenOnTheRouter_NextFreeOne_OrAClearError(string protocol)
    {
        var (daemon, lab) = await StartAsync(protocol, "3600");
        await using var _ = daemon;
        using var __ = lab;
        string Diag() => Diagnostics(daemon, lab);
        lab.TakePortAsNeighbour(8080);
        lab.TakePortAsNeighbour(8090);

        // Default (next): another external port, and the container is reached through it.
        await RunWebAsync(daemon, "web", "8080");
        await UntilAsync(async () => (await BindingAsync(daemon, "web"))?.State == "mapped", "mapped", Diag);
        var binding = (await BindingAsync(daemon, "web"))!;
        Assert.NotEqual(8080, binding.ExternalPort);
        output.WriteLine($"{protocol}: 8080 taken, got {binding.ExternalPort}");
        var (exit, page) = lab.FetchFromInternet(binding.ExternalPort);
        Assert.True(exit == 0 && page.Contains("busybox", StringComparison.OrdinalIgnoreCase), Diag());

        // The label asks for failure instead: no mapping, and the error names the port.
        var strict = await daemon.NetstackAsync("run", "-d", "--name", "strict", "--network", "web", "-p", "8090:80",
            "--label", "netstack.upstream-portmap=true", "--label", "netstack.upstream-portmap.conflict=fail", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www");
        Assert.True(strict.Exit == 0, strict.Err);
        await UntilAsync(async () => (await BindingAsync(daemon, "strict"))?.State == "failed", "strict failed", Diag);
        Assert.Contains("external port 8090/tcp is taken on the router", (await BindingAsync(daemon, "strict"))!.Error, StringComparison.Ordinal);
        Assert.Contains("upstream failed: external port 8090/tcp is taken", (await daemon.NetstackAsync("port", "strict")).Out, StringComparison.Ordinal);
        // Ours: web's alone (none half-made for strict); the neighbour's two are untouched.
        Assert.Equal(1, lab.DnatRules());
        Assert.Equal(2, lab.Rules().Split('\n').Count(l => l.Contains("dnat ip to 10.77.0.3:9999", StringComparison.Ordinal)));
    }

    [PrivilegedFact]
    public async Task HostileRouter_GarbageAndFloods_ClearErrors_StartDoesNotWait()
    {
        RouterLab? lab = null;
        await using var daemon = await NetstackdProcess.StartAsync(host => lab = RouterLab.Create(host), "--upstream-portmap", "auto");
        using var __ = lab!;
        using var hostile = HostileRouter.Start(lab!);
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.78.0.0/24", "web")).Exit);
        await RunWebAsync(daemon);
        using (var client = daemon.Client())
        {
            Assert.Equal("running", (await client.InspectContainerAsync("web")).State.Status);
        }
        await UntilAsync(async () => (await StatusAsync(daemon)).State == "no-router", "discovery over", () => daemon.Log);
        var status = await StatusAsync(daemon);
        var attempts = string.Join("\n", status.Attempts);
        output.WriteLine(attempts);
        Assert.Contains("pcp: router 10.77.0.1:5351 sent", attempts, StringComparison.Ordinal);
        Assert.Contains("that are not a PCP answer", attempts, StringComparison.Ordinal);
        Assert.Contains("natpmp: router 10.77.0.1:5351 sent", attempts, StringComparison.Ordinal);
        Assert.Contains("upnp: devices answered the SSDP search but none is a usable gateway", attempts, StringComparison.Ordinal);
        Assert.Contains("more than the 65536 bytes allowed", attempts, StringComparison.Ordinal);
        Assert.Contains("80/tcp -> upstream pending", (await daemon.NetstackAsync("port", "web")).Out, StringComparison.Ordinal);
        // The daemon still serves and stops cleanly.
        Assert.Equal(0, (await daemon.NetstackAsync("rm", "-f", "web")).Exit);
    }

    [PrivilegedFact]
    public async Task Off_NothingIsSentToTheRouter()
    {
        RouterLab? lab = null;
        await using var daemon = await NetstackdProcess.StartAsync(host =>
        {
            lab = RouterLab.Create(host);
            lab.StartMiniupnpd();
        });
        using var __ = lab!;
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.78.0.0/24", "web")).Exit);
        await RunWebAsync(daemon);
        var status = await StatusAsync(daemon);
        Assert.Equal(("off", "off"), (status.Mode, status.State));
        Assert.DoesNotContain("UpstreamPorts", (await daemon.NetstackAsync("inspect", "web")).Out, StringComparison.Ordinal);
        Assert.Equal(0, (await daemon.NetstackAsync("rm", "-f", "web")).Exit);
        Assert.Equal(0, lab!.PortmapQueries());
        Assert.Equal(0, lab.DnatRules());
    }

    [PrivilegedFact]
    public async Task OnWithoutRouter_OneWarning_StartDoesNotWait_PortShowsPending()
    {
        RouterLab? lab = null;
        // The gateway is there, but no miniupnpd: nobody answers on 5351 or SSDP.
        await using var daemon = await NetstackdProcess.StartAsync(host => lab = RouterLab.Create(host), "--upstream-portmap", "auto");
        using var __ = lab!;
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.78.0.0/24", "web")).Exit);
        await RunWebAsync(daemon);
        using (var client = daemon.Client())
        {
            Assert.Equal("running", (await client.InspectContainerAsync("web")).State.Status);
        }
        await UntilAsync(async () => (await StatusAsync(daemon)).State == "no-router", "discovery over", () => daemon.Log);
        await UntilAsync(async () => (await BindingAsync(daemon, "web"))?.Error.Length > 0, "the pending mapping says why", () => daemon.Log);
        var port = await daemon.NetstackAsync("port", "web");
        Assert.Contains("80/tcp -> upstream pending: no router answered", port.Out, StringComparison.Ordinal);
        var warnings = daemon.Log.Split('\n').Count(l => l.Contains("upstream port mapping is on", StringComparison.Ordinal));
        Assert.Equal(1, warnings);
        Assert.True(lab!.PortmapQueries() > 0, "auto with a gateway asks it");
    }
}
