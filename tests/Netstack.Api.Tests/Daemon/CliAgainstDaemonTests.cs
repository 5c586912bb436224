using Netstack.Api.Tests.Cli;
using Xunit;

namespace Netstack.Api.Tests.Daemon;

/// <summary>The netstack CLI driving a real daemon host (with the fake controller) over its socket.</summary>
public sealed class CliAgainstDaemonTests : IAsyncLifetime
{
    private DaemonFixture _daemon = null!;

    public async Task InitializeAsync() => _daemon = await DaemonFixture.StartAsync();

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    [Fact]
    public async Task NetworkCreateLsInspectRm_ThroughTheCli()
    {
        var host = _daemon.HostUri;

        var created = await CliRunner.RunAsync("-H", host, "network", "create", "--subnet", "10.20.0.0/24", "--gateway", "10.20.0.1", "web");
        var ls = await CliRunner.RunAsync("-H", host, "network", "ls");
        var quiet = await CliRunner.RunAsync("-H", host, "network", "ls", "-q", "--filter", "name=we");
        var inspect = await CliRunner.RunAsync("-H", host, "network", "inspect", "web");
        var rm = await CliRunner.RunAsync("-H", host, "network", "rm", "web", "nosuch");

        Assert.Equal(0, created.Exit);
        var id = created.Out.Trim();
        Assert.Equal(64, id.Length);
        Assert.Equal(0, ls.Exit);
        var lines = ls.Out.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.StartsWith("NETWORK ID     NAME", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(id[..12] + "   web", lines[1], StringComparison.Ordinal);
        Assert.Equal(id[..12], quiet.Out.Trim());
        Assert.Equal(["we"], _daemon.Controller.LastFilter!.Names);
        Assert.Equal(0, inspect.Exit);
        Assert.Contains("\"Subnet\": \"10.20.0.0/24\"", inspect.Out, StringComparison.Ordinal);
        Assert.Contains("\"Gateway\": \"10.20.0.1\"", inspect.Out, StringComparison.Ordinal);
        Assert.Equal(1, rm.Exit);
        Assert.Equal("web", rm.Out.Trim());
        Assert.Contains("Error response from daemon: network \"nosuch\" not found", rm.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NetworkCreate_DaemonRefuses_ExitsOneWithTheDaemonsMessage()
    {
        var result = await CliRunner.RunAsync("-H", _daemon.HostUri, "network", "create", "-d", "nosuch", "web");

        Assert.Equal(1, result.Exit);
        Assert.Contains("Error response from daemon: invalid Driver \"nosuch\"", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SandboxCreateConnectDisconnect_ThroughTheCli()
    {
        var host = _daemon.HostUri;
        await CliRunner.RunAsync("-H", host, "network", "create", "web");

        var created = await CliRunner.RunAsync("-H", host, "sandbox", "create", "box");
        var connect = await CliRunner.RunAsync("-H", host, "network", "connect", "--ip", "172.18.0.7", "--alias", "db", "web", "box");
        var ls = await CliRunner.RunAsync("-H", host, "sandbox", "ls");
        var disconnect = await CliRunner.RunAsync("-H", host, "network", "disconnect", "web", "box");
        var rm = await CliRunner.RunAsync("-H", host, "sandbox", "rm", "box");

        Assert.Equal((0, "/run/netstack/netns/box"), (created.Exit, created.Out.Trim()));
        Assert.Equal(0, connect.Exit);
        Assert.Equal("172.18.0.7", _daemon.Controller.LastEndpointSpec!.IPv4Address);
        Assert.Contains("eth0@web 172.18.0.7/16", ls.Out, StringComparison.Ordinal);
        Assert.Equal(0, disconnect.Exit);
        Assert.Equal((0, "box"), (rm.Exit, rm.Out.Trim()));
    }

    [Fact]
    public async Task SandboxRm_ManyNamesOneMissing_RemovesTheOthersSideBySide_PrintsInTheOrderGiven()
    {
        var host = _daemon.HostUri;
        var names = Enumerable.Range(1, 40).Select(i => $"box{i}").ToArray();
        foreach (var name in names)
        {
            Assert.Equal(0, (await CliRunner.RunAsync("-H", host, "sandbox", "create", name)).Exit);
        }

        // As the netstack process runs (blocking sockets), more names than requests in flight.
        string[] args = ["-H", host, "sandbox", "rm", .. names[..20], "nosuch", .. names[20..]];
        var rm = await CliRunner.RunAsync(blockingIo: true, args);
        var ls = await CliRunner.RunAsync("-H", host, "sandbox", "ls", "-q");

        Assert.Equal(1, rm.Exit);
        Assert.Equal(names, rm.Out.ReplaceLineEndings("\n").TrimEnd().Split('\n'));
        Assert.Contains("Error response from daemon:", rm.Err, StringComparison.Ordinal);
        Assert.Contains("nosuch", rm.Err, StringComparison.Ordinal);
        Assert.Equal("", ls.Out.Trim());
    }

    [Fact]
    public async Task Version_ShowsClientAndServer()
    {
        var result = await CliRunner.RunAsync("-H", _daemon.HostUri, "version");

        Assert.Equal(0, result.Exit);
        Assert.Contains("API version:  1.41 (minimum version 1.24)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlockingSocketCalls_AsTheCliProcessMakesThem_GiveTheSameResults()
    {
        var host = _daemon.HostUri;

        var created = await CliRunner.RunAsync(blockingIo: true, "-H", host, "network", "create", "--subnet", "10.30.0.0/24", "web");
        var ls = await CliRunner.RunAsync(blockingIo: true, "-H", host, "network", "ls", "-q");
        var refused = await CliRunner.RunAsync(blockingIo: true, "-H", host, "network", "create", "-d", "nosuch", "db");

        Assert.Equal(0, created.Exit);
        Assert.Equal(created.Out.Trim()[..12], ls.Out.Trim());
        Assert.Equal(1, refused.Exit);
        Assert.Contains("Error response from daemon: invalid Driver \"nosuch\"", refused.Err, StringComparison.Ordinal);
    }
}
