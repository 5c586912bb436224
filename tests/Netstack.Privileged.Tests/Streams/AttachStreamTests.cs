using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Streams;

/// <summary>
/// The stock docker CLI's attached verbs against netstackd on real runc containers: run without
/// -d (attach before start, wait for next-exit or removed), attach to a running container, logs -f.
/// </summary>
public sealed class AttachStreamTests
{
    [PrivilegedFact]
    public async Task DockerRun_Attached_PrintsTheOutput_ExitsWithTheContainersCode_RmLeavesNothing()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();

        var hi = daemon.Docker("run", "--rm", "--network", "none", "busybox", "echo", "hi");
        Assert.True(hi.Exit == 0 && hi.Out == "hi\n", $"exit {hi.Exit} out \"{hi.Out}\" err \"{hi.Err}\"\n{daemon.Log}");
        Assert.Equal("", daemon.Docker("ps", "-aq").Out.Trim());

        // Several lines, and an exit code of the container's own.
        var code = daemon.Docker("run", "--name", "coded", "--network", "none", "busybox", "sh", "-c", "echo one; echo two; exit 7");
        Assert.True(code.Exit == 7 && code.Out == "one\ntwo\n", $"exit {code.Exit} out \"{code.Out}\" err \"{code.Err}\"");
        Assert.Equal("exited 7", daemon.Docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "coded").Out.Trim());
        // start -a attaches to the next run only: the earlier output is not repeated.
        var again = daemon.Docker("start", "-a", "coded");
        Assert.True(again.Exit == 7 && again.Out == "one\ntwo\n", $"exit {again.Exit} out \"{again.Out}\" err \"{again.Err}\"");

        // Many runs in a row: each run's output comes whole before its end (the race of issue 18).
        for (var i = 0; i < 5; i++)
        {
            var run = daemon.Docker("run", "--rm", "--network", "none", "busybox", "sh", "-c", $"echo round-{i}; exit {i}");
            Assert.True(run.Exit == i && run.Out == $"round-{i}\n", $"round {i}: exit {run.Exit} out \"{run.Out}\" err \"{run.Err}\"");
        }
        Assert.Equal("coded", daemon.Docker("ps", "-a", "--format", "{{.Names}}").Out.Trim());
    }

    [PrivilegedFact]
    public async Task DebiansDocker2010Cli_RunRmAndExec_WorkToo()
    {
        // Debian's docker.io client (20.10) next to the v28 one: its hijack and wait code is older.
        const string cli = "/usr/bin/docker";
        Assert.True(File.Exists(cli), "Debian's docker.io client is missing: scenarios/install-deps.sh installs it");
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var config = Path.Combine(daemon.Directory, "docker-config-2010");
        Directory.CreateDirectory(config);
        (int Exit, string Out, string Err) Docker2010(params string[] args) =>
            TestNamespace.TryRun("env", ["-u", "DOCKER_HOST", "-u", "DOCKER_CONTEXT", "DOCKER_CONFIG=" + config, cli, "-H", daemon.HostUri, .. args]);

        Assert.Contains("20.10", Docker2010("version", "--format", "{{.Client.Version}}").Out, StringComparison.Ordinal);
        var hi = Docker2010("run", "--rm", "--network", "none", "busybox", "echo", "hi");
        Assert.True(hi.Exit == 0 && hi.Out == "hi\n", $"exit {hi.Exit} out \"{hi.Out}\" err \"{hi.Err}\"\n{daemon.Log}");
        Assert.Equal(0, Docker2010("run", "-d", "--name", "old", "--network", "none", "busybox", "sleep", "600").Exit);
        var exec = Docker2010("exec", "old", "sh", "-c", "echo out; echo err >&2; exit 5");
        Assert.True(exec.Exit == 5 && exec.Out == "out\n" && exec.Err == "err\n", $"exit {exec.Exit} out \"{exec.Out}\" err \"{exec.Err}\"");
        Assert.Equal(0, Docker2010("rm", "-f", "old").Exit);
        Assert.Equal("", Docker2010("ps", "-aq").Out.Trim());
    }

    [PrivilegedFact]
    public async Task DockerAttachAndLogsFollow_SeeLiveOutput_EndWithTheContainer()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var run = daemon.Docker("run", "-d", "--name", "ticker", "--network", "none", "busybox", "sh", "-c",
            "echo first; i=0; while [ ! -e /tmp/stop ]; do echo tick-$i; i=$((i+1)); sleep 0.2; done; echo last; exit 4");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);

        using var logs = new BackgroundDocker(daemon, "logs", "-f", "ticker");
        using var attach = new BackgroundDocker(daemon, "attach", "ticker");
        Assert.True(await logs.WaitForOutputAsync("first"), "logs -f: " + logs.Out + logs.Err);
        // attach shows output from now on: ticks come, the first line (before it attached) does not.
        Assert.True(await attach.WaitForOutputAsync("tick-"), "attach: " + attach.Out + attach.Err + daemon.Log);
        Assert.Equal(0, daemon.Docker("exec", "ticker", "touch", "/tmp/stop").Exit);

        Assert.Equal(4, await attach.WaitForExitAsync());
        Assert.Contains("last", attach.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("first", attach.Out, StringComparison.Ordinal);
        Assert.Equal(0, await logs.WaitForExitAsync());
        Assert.StartsWith("first\n", logs.Out, StringComparison.Ordinal);
        Assert.EndsWith("last\n", logs.Out, StringComparison.Ordinal);
    }
}
