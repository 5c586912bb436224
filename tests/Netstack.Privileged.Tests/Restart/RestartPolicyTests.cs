using Netstack.Api.Contracts.Containers;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Restart;

/// <summary>
/// Restart policies on real runc containers: on-failure with a bound, always and unless-stopped
/// against a user's stop, and the policies applied again after a daemon restart and a kill -9.
/// </summary>
public sealed class RestartPolicyTests
{
    /// <summary>Readiness wait (bounded so a broken daemon cannot hang the run): until <paramref name="done"/> holds for the container.</summary>
    private static async Task<ContainerInspect> WaitForAsync(NetstackdProcess daemon, string name, Func<ContainerInspect, bool> done)
    {
        using var client = daemon.Client();
        ContainerInspect inspect = await client.InspectContainerAsync(name);
        for (var i = 0; i < 600 && !done(inspect); i++)
        {
            await Task.Delay(100);
            inspect = await client.InspectContainerAsync(name);
        }
        return inspect;
    }

    [PrivilegedFact]
    public async Task OnFailure_RestartsUpToItsBound_ThenStaysExited()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var run = await daemon.NetstackAsync("run", "-d", "--name", "flaky", "--network", "none", "--restart", "on-failure:2", "busybox", "sh", "-c", "echo ran; exit 3");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
        // Three runs in all, each with its line in the log: the bound held.
        var runs = 0;
        for (var i = 0; i < 600 && runs < 3; i++)
        {
            await Task.Delay(100);
            runs = (await daemon.NetstackAsync("logs", "flaky")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        }
        var inspect = await WaitForAsync(daemon, "flaky", c => !c.State.Running);
        Assert.True(inspect.RestartCount == 2 && inspect.State.ExitCode == 3, $"restarts {inspect.RestartCount}, exit {inspect.State.ExitCode}\n{daemon.Log}");
        Assert.Equal("on-failure", inspect.HostConfig.RestartPolicy!.Name);
        Assert.Equal(2, inspect.HostConfig.RestartPolicy.MaximumRetryCount);
        Assert.Equal(3, runs);

        // A zero exit is not a failure: no restart.
        Assert.Equal(0, (await daemon.NetstackAsync("run", "-d", "--name", "fine", "--network", "none", "--restart", "on-failure", "busybox", "true")).Exit);
        using var client = daemon.Client();
        await client.WaitContainerAsync("fine");
        Assert.Equal(0, (await client.InspectContainerAsync("fine")).RestartCount);
        Assert.Equal("on-failure 0", daemon.Docker("inspect", "--format", "{{.HostConfig.RestartPolicy.Name}} {{.RestartCount}}", "fine").Out.Trim());
    }

    [PrivilegedFact]
    public async Task AlwaysAndUnlessStopped_RestartAfterExits_StayStoppedByTheUser_DaemonRestartDecides()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        // Each run lives a moment and exits 0: always and unless-stopped restart it all the same.
        foreach (var (name, policy) in new[] { ("alw", "always"), ("unl", "unless-stopped") })
        {
            var run = daemon.Docker("run", "-d", "--name", name, "--network", "none", "--restart", policy, "busybox", "sh", "-c", "sleep 0.3");
            Assert.True(run.Exit == 0, run.Err + daemon.Log);
        }
        foreach (var name in new[] { "alw", "unl" })
        {
            var inspect = await WaitForAsync(daemon, name, c => c.RestartCount >= 2);
            Assert.True(inspect.RestartCount >= 2, $"{name}: {inspect.RestartCount} restarts\n{daemon.Log}");
        }
        // Both stopped by the user, with a long-running command first so the stop is what ends them.
        foreach (var name in new[] { "alw", "unl" })
        {
            Assert.Equal(0, daemon.Docker("stop", "-t", "1", name).Exit);
        }
        int alwaysBefore;
        using (var client = daemon.Client())
        {
            Assert.False((await client.InspectContainerAsync("unl")).State.Running);
            var stopped = await client.InspectContainerAsync("alw");
            Assert.False(stopped.State.Running);
            alwaysBefore = stopped.RestartCount;
        }

        // Daemon restart: always comes back (Docker's rule), unless-stopped stays stopped.
        await daemon.StopAsync();
        await daemon.LaunchAsync();
        // Back, and restarting by itself again (the user's stop no longer holds it).
        var always = await WaitForAsync(daemon, "alw", c => c.RestartCount >= alwaysBefore + 2);
        Assert.True(always.RestartCount >= alwaysBefore + 2, $"always: {always.RestartCount} restarts after {alwaysBefore}\n{daemon.Log}");
        using (var client = daemon.Client())
        {
            var unless = await client.InspectContainerAsync("unl");
            Assert.False(unless.State.Running, "unless-stopped came back after a user's stop\n" + daemon.Log);
        }
        // A user's start lets the policy work again, from zero.
        Assert.Equal(0, daemon.Docker("start", "unl").Exit);
        var restarted = await WaitForAsync(daemon, "unl", c => c.RestartCount >= 1);
        Assert.True(restarted.RestartCount >= 1, daemon.Log);
        var rm = daemon.Docker("rm", "-f", "alw", "unl");
        Assert.True(rm.Exit == 0, rm.Err + daemon.Log);
        Assert.Equal("", daemon.Docker("ps", "-aq").Out.Trim());
    }

    [PrivilegedFact]
    public async Task ExitWhileTheDaemonIsDown_IsRestartedWhenItComesBack()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        // First run: waits for a file, then fails; the second run (the file is in its writable layer) stays up.
        var run = await daemon.NetstackAsync("run", "-d", "--name", "phoenix", "--network", "none", "--restart", "on-failure",
            "busybox", "sh", "-c", "if [ -e /ran ]; then exec sleep 600; fi; touch /ran; while [ ! -e /go ]; do sleep 0.1; done; exit 1");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
        using (var client = daemon.Client())
        {
            var pid = (await client.InspectContainerAsync("phoenix")).State.Pid;
            await daemon.KillHardAsync();
            // With the daemon gone, let the container fail, and wait until its process is gone.
            File.WriteAllText($"/proc/{pid}/root/go", "");
            for (var i = 0; i < 300 && Directory.Exists($"/proc/{pid}"); i++)
            {
                await Task.Delay(100);
            }
            Assert.False(Directory.Exists($"/proc/{pid}"), "the container's first run did not end");
        }
        await daemon.LaunchAsync();
        var inspect = await WaitForAsync(daemon, "phoenix", c => c.State.Running);
        Assert.True(inspect.State.Running && inspect.RestartCount == 1, $"running {inspect.State.Running}, restarts {inspect.RestartCount}\n{daemon.Log}");
    }

    [PrivilegedFact]
    public async Task BadPolicies_NameTheFlagAndValue_LeaveNoContainer()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        foreach (var value in new[] { "sometimes", "on-failure:x", "always:3", "on-failure:-1" })
        {
            var result = await daemon.NetstackAsync("run", "-d", "--network", "none", "--restart", value, "busybox", "true");
            Assert.True(result.Exit != 0 && result.Err.Contains("--restart", StringComparison.Ordinal) && result.Err.Contains(value, StringComparison.Ordinal), value + ": " + result.Err);
        }
        var rm = await daemon.NetstackAsync("run", "-d", "--rm", "--network", "none", "--restart", "always", "busybox", "true");
        Assert.True(rm.Exit != 0 && rm.Err.Contains("RestartPolicy", StringComparison.Ordinal) && rm.Err.Contains("--rm", StringComparison.Ordinal), rm.Err);
        var docker = daemon.Docker("run", "-d", "--network", "none", "--restart", "always:3", "busybox", "true");
        Assert.True(docker.Exit != 0, docker.Err);
        Assert.Equal("", daemon.Docker("ps", "-aq").Out.Trim());
    }
}
