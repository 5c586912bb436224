using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Api;

/// <summary>The stock docker CLI's container verbs against netstackd (Docker Engine API v1.41 routes).</summary>
public sealed class DockerCliContainerTests
{
    [PrivilegedFact]
    public async Task DockerCli_RunPsPortStopStartRm_WorkAgainstNetstackd()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, daemon.Docker("network", "create", "--subnet", "10.95.0.0/24", "dnet").Exit);

        var run = daemon.Docker("run", "-d", "--name", "web", "--network", "dnet", "-p", "8083:80", "busybox", "sleep", "600");
        Assert.True(run.Exit == 0, "run: " + run.Err + daemon.Log);
        var id = run.Out.Trim();
        var ps = daemon.Docker("ps", "--format", "{{.ID}} {{.Names}} {{.Image}}");
        Assert.True(ps.Exit == 0, "ps: " + ps.Err);
        Assert.Equal($"{id[..12]} web busybox", ps.Out.Trim());
        var port = daemon.Docker("port", "web");
        Assert.True(port.Exit == 0, "port: " + port.Err);
        Assert.Contains("80/tcp -> 0.0.0.0:8083", port.Out, StringComparison.Ordinal);

        Assert.Equal(0, daemon.Docker("stop", "-t", "1", "web").Exit);
        var stopped = daemon.Docker("ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}");
        Assert.Equal("web", stopped.Out.Trim());
        var start = daemon.Docker("start", "web");
        Assert.True(start.Exit == 0, "start: " + start.Err + daemon.Log);
        var running = daemon.Docker("inspect", "--format", "{{.State.Running}} {{(index .NetworkSettings.Networks \"dnet\").IPAddress}}", "web");
        Assert.True(running.Exit == 0, "inspect: " + running.Err);
        Assert.StartsWith("true 10.95.0.", running.Out.Trim(), StringComparison.Ordinal);

        var rm = daemon.Docker("rm", "-f", "web");
        Assert.True(rm.Exit == 0, "rm: " + rm.Err);
        Assert.Equal("", daemon.Docker("ps", "-aq").Out.Trim());
    }
}
