using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Api;

/// <summary>The stock docker CLI's container verbs against netstackd (Docker Engine API v1.41 routes).</summary>
public sealed class DockerCliContainerTests
{
    [PrivilegedFact]
    public async Task DockerCli_RunPsPortStopStartExecRm_WorkAgainstNetstackd()
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

        // exec: output on the right stream, the command's exit code as the CLI's, and clear errors.
        var exec = daemon.Docker("exec", "web", "sh", "-c", "hostname; echo to-stderr >&2; exit 3");
        Assert.True(exec.Exit == 3, $"exec exit {exec.Exit}: {exec.Err}");
        Assert.True(exec.Out.Trim() == id[..12] && exec.Err.Trim() == "to-stderr", $"exec: out \"{exec.Out}\" err \"{exec.Err}\"\n{daemon.Log}");
        var tty = daemon.Docker("exec", "-t", "web", "echo", "with-tty");
        Assert.True(tty.Exit == 0 && tty.Out.Contains("with-tty", StringComparison.Ordinal), tty.Out + tty.Err);
        Assert.Equal(0, daemon.Docker("exec", "-d", "web", "touch", "/tmp/detached").Exit);
        var detached = false;
        for (var i = 0; i < 50 && !detached; i++)
        {
            // A detached exec runs after the CLI returns: a readiness wait, not a measurement.
            detached = daemon.Docker("exec", "web", "ls", "/tmp/detached").Exit == 0;
            await Task.Delay(100);
        }
        Assert.True(detached, "docker exec -d never ran its command\n" + daemon.Log);
        var missing = daemon.Docker("exec", "web", "/no/such/program");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("/no/such/program", missing.Out + missing.Err, StringComparison.Ordinal);
        var asUser = daemon.Docker("exec", "-u", "nobody", "web", "true");
        Assert.True(asUser.Exit != 0 && asUser.Err.Contains("nobody", StringComparison.Ordinal), asUser.Err);
        Assert.Equal(0, daemon.Docker("stop", "-t", "1", "web").Exit);
        var notRunning = daemon.Docker("exec", "web", "true");
        Assert.True(notRunning.Exit != 0 && notRunning.Err.Contains("is not running", StringComparison.Ordinal), notRunning.Err);

        var rm = daemon.Docker("rm", "-f", "web");
        Assert.True(rm.Exit == 0, "rm: " + rm.Err);
        Assert.Equal("", daemon.Docker("ps", "-aq").Out.Trim());
    }
}
