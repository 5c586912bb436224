using System.Globalization;
using Netstack.Privileged.Tests.Api;
using Netstack.Privileged.Tests.Limits;
using Netstack.Privileged.Tests.Terminals;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Restart;

/// <summary>
/// Issue 14's restart line at once: netstackd killed with SIGKILL and started again while an
/// interactive, a host-mode, a joined (with its owner) and a limited container run, beside one
/// with a restart policy. Each is the same process afterwards, in the same namespace and cgroup,
/// the interactive one can be attached to, and the policy still restarts with its back-off.
/// </summary>
public sealed class DaemonCrashAllKindsTests
{
    private static string NetNs(int pid) => new FileInfo($"/proc/{pid}/ns/net").LinkTarget ?? "";

    private static int Pid(NetstackdProcess daemon, string name)
    {
        var inspect = daemon.Docker("inspect", "--format", "{{.State.Status}} {{.State.Pid}}", name);
        Assert.True(inspect.Exit == 0 && inspect.Out.StartsWith("running ", StringComparison.Ordinal), $"{name}: {inspect.Out} {inspect.Err}\n{daemon.Log}");
        return int.Parse(inspect.Out.Trim().Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static void Run(NetstackdProcess daemon, params string[] args)
    {
        var run = daemon.Docker(["run", "-d", .. args]);
        Assert.True(run.Exit == 0, $"docker run {string.Join(' ', args)}: {run.Err}\n{daemon.Log}");
    }

    [PrivilegedFact]
    public async Task DaemonKilledAndRestarted_InteractiveHostJoinedLimitedAndPolicyContainers_AllAsBefore()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        // A link only the daemon's host namespace has: proof that the host-mode container is in it.
        daemon.Host.Ip("link", "add", "nshost0", "type", "bridge");
        Assert.Equal(0, daemon.Docker("network", "create", "--subnet", "10.98.0.0/24", "front").Exit);

        Run(daemon, "-it", "--name", "tty", "--network", "none", "busybox", "sh");
        Run(daemon, "--name", "onhost", "--network", "host", "busybox", "sleep", "600");
        Run(daemon, "--name", "owner", "--network", "front", "busybox", "sleep", "600");
        Run(daemon, "--name", "joiner", "--network", "container:owner", "busybox", "sleep", "600");
        Run(daemon, "--name", "limited", "--network", "none", "--memory", "64m", "--pids-limit", "50", "--cpus", "0.5", "busybox", "sleep", "600");
        // Each run prints the host's uptime; the first waits for /go, every later one fails at once.
        Run(daemon, "--name", "policy", "--network", "none", "--restart", "on-failure:4", "busybox", "sh", "-c",
            "cut -d' ' -f1 /proc/uptime; [ -e /go ] && exit 1; while [ ! -e /go ]; do sleep 0.1; done; exit 1");

        string[] names = ["tty", "onhost", "owner", "joiner", "limited", "policy"];
        var before = names.ToDictionary(n => n, n => Pid(daemon, n));
        var ownerNs = NetNs(before["owner"]);
        Assert.Equal(ownerNs, NetNs(before["joiner"]));
        Assert.Equal(NetNs(daemon.Pid), NetNs(before["onhost"]));
        var ownerAddress = daemon.Docker("inspect", "--format", "{{.NetworkSettings.Networks.front.IPAddress}}", "owner").Out.Trim();
        Assert.StartsWith("10.98.0.", ownerAddress, StringComparison.Ordinal);

        await daemon.KillHardAsync();
        await daemon.LaunchAsync();

        // The same processes, all running.
        foreach (var name in names)
        {
            Assert.Equal(before[name], Pid(daemon, name));
        }
        // Joined: still the owner's namespace, with its address.
        Assert.Equal(ownerNs, NetNs(before["joiner"]));
        var joinerAddr = daemon.Docker("exec", "joiner", "ip", "-4", "addr");
        Assert.True(joinerAddr.Exit == 0 && joinerAddr.Out.Contains(ownerAddress, StringComparison.Ordinal), joinerAddr.Out + joinerAddr.Err + daemon.Log);
        // Host mode: the (new) daemon's namespace, the host's link.
        Assert.Equal(NetNs(daemon.Pid), NetNs(before["onhost"]));
        var hostLinks = daemon.Docker("exec", "onhost", "ip", "link");
        Assert.True(hostLinks.Exit == 0 && hostLinks.Out.Contains("nshost0", StringComparison.Ordinal), hostLinks.Out + hostLinks.Err);
        // Limited: its cgroup still holds the limits.
        var limited = before["limited"];
        Assert.Equal("67108864", CgroupLimitTests.Read(limited, "memory", "memory.limit_in_bytes", "memory.max"));
        Assert.Equal("50", CgroupLimitTests.Read(limited, "pids", "pids.max", "pids.max"));
        // --cpus 0.5: a quota of 50 ms per 100 ms period (v2 "50000 100000", v1's quota file "50000").
        Assert.StartsWith("50000", CgroupLimitTests.Read(limited, "cpu", "cpu.cfs_quota_us", "cpu.max"), StringComparison.Ordinal);

        // Interactive: attach works as before the crash.
        using (var term = TerminalSession.Docker(daemon, "attach tty"))
        {
            await term.TypeAsync("echo $((6*7))\r");
            Assert.True(await term.WaitForAsync("\n42"), "no answer after the restart: " + term.Screen + daemon.Log);
            await term.TypeAsync("exit 3\r");
            Assert.Equal(3, await term.WaitForExitAsync());
        }
        Assert.Equal("exited 3", daemon.Docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "tty").Out.Trim());

        // The policy, applied by the new daemon: the first run fails, four restarts follow, each later than the last by the back-off.
        File.WriteAllText($"/proc/{before["policy"]}/root/go", "");
        // The count goes up just before the start: done once the fifth run has printed its line and ended.
        var done = "";
        double[] runs = [];
        for (var i = 0; i < 600; i++)
        {
            done = daemon.Docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}", "policy").Out.Trim();
            runs = [.. daemon.Docker("logs", "policy").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture))];
            if (done == "exited 1 4" && runs.Length >= 5)
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.True(done == "exited 1 4", $"policy: {done}\n{daemon.Log}");
        Assert.True(runs.Length == 5, "runs: " + string.Join(' ', runs));
        // Docker's back-off: 100 ms, then 200, 400, 800 between quick runs; the later gaps are at least that (a start adds to each).
        for (var k = 2; k < runs.Length; k++)
        {
            var wanted = 0.1 * (1 << (k - 1)) - 0.011;
            Assert.True(runs[k] - runs[k - 1] >= wanted, $"gap {k}: {runs[k] - runs[k - 1]:0.00} s, back-off {wanted + 0.011:0.0} s; runs {string.Join(' ', runs)}");
        }
        foreach (var name in new[] { "onhost", "owner", "joiner", "limited" })
        {
            Assert.Equal("running", daemon.Docker("inspect", "--format", "{{.State.Status}}", name).Out.Trim());
        }
    }
}
