using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Limits;

/// <summary>
/// Resource limits on real runc containers, read back from the container's own cgroup files (v2
/// when the host has the unified hierarchy, else v1's per-controller files, as on the CI machines),
/// an out-of-memory kill seen as OOMKilled with 137, and bad values refused with nothing left.
/// </summary>
public sealed class CgroupLimitTests
{
    private static bool Unified => File.Exists("/sys/fs/cgroup/cgroup.controllers");

    /// <summary>The directory of <paramref name="controller"/>'s cgroup of a process, from /proc/PID/cgroup.</summary>
    private static string CgroupDir(int pid, string controller)
    {
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (Unified && parts[0] == "0")
            {
                return "/sys/fs/cgroup" + parts[2];
            }
            if (!Unified && parts[1].Split(',').Contains(controller))
            {
                return $"/sys/fs/cgroup/{parts[1]}{parts[2]}";
            }
        }
        throw new InvalidOperationException($"process {pid} has no {controller} cgroup");
    }

    internal static string Read(int pid, string controller, string v1File, string v2File) =>
        File.ReadAllText(Path.Combine(CgroupDir(pid, controller), Unified ? v2File : v1File)).Trim();

    private static async Task<int> PidOf(NetstackdProcess daemon, string container)
    {
        using var client = daemon.Client();
        return (await client.InspectContainerAsync(container)).State.Pid;
    }

    [PrivilegedFact]
    public async Task Limits_ReachTheContainersCgroup_ThroughOurCliAndTheDockerCli()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var run = await daemon.NetstackAsync("run", "-d", "--name", "limited", "--network", "none", "--memory", "64m", "--memory-swap", "96m",
            "--cpus", "0.5", "--cpu-shares", "512", "--pids-limit", "50", "--cpuset-cpus", "0", "busybox", "sleep", "600");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
        var pid = await PidOf(daemon, "limited");

        Assert.Equal("67108864", Read(pid, "memory", "memory.limit_in_bytes", "memory.max"));
        // v1 counts memory plus swap, v2 swap alone.
        Assert.Equal(Unified ? "33554432" : "100663296", Read(pid, "memory", "memory.memsw.limit_in_bytes", "memory.swap.max"));
        if (Unified)
        {
            Assert.Equal("50000 100000", Read(pid, "cpu", "", "cpu.max"));
            // runc's mapping of shares to weight: 1 + ((shares - 2) * 9999) / 262142.
            Assert.Equal((1 + ((512 - 2) * 9999 / 262142)).ToString(System.Globalization.CultureInfo.InvariantCulture), Read(pid, "cpu", "", "cpu.weight"));
        }
        else
        {
            Assert.Equal("50000", Read(pid, "cpu", "cpu.cfs_quota_us", ""));
            Assert.Equal("100000", Read(pid, "cpu", "cpu.cfs_period_us", ""));
            Assert.Equal("512", Read(pid, "cpu", "cpu.shares", ""));
        }
        Assert.Equal("50", Read(pid, "pids", "pids.max", "pids.max"));
        Assert.Equal("0", Read(pid, "cpuset", "cpuset.cpus", "cpuset.cpus"));
        // The limit holds inside: 60 more processes than 50 cannot all start.
        var fork = await daemon.NetstackAsync("exec", "limited", "sh", "-c", "for i in $(seq 1 60); do sleep 30 & done; wait");
        Assert.Contains("can't fork", fork.Err + fork.Out, StringComparison.OrdinalIgnoreCase);

        using (var client = daemon.Client())
        {
            var inspect = await client.InspectContainerAsync("limited");
            Assert.Equal(64L * 1024 * 1024, inspect.HostConfig.Memory);
            Assert.Equal(500_000_000L, inspect.HostConfig.NanoCpus);
            Assert.Equal(50L, inspect.HostConfig.PidsLimit);
        }

        // The stock docker CLI's flags reach the same files; --memory alone gets as much swap again (Docker's default).
        var docker = daemon.Docker("run", "-d", "--name", "dlimited", "--network", "none", "--memory", "32m", "--pids-limit", "20", "busybox", "sleep", "600");
        Assert.True(docker.Exit == 0, docker.Err + daemon.Log);
        var dpid = await PidOf(daemon, "dlimited");
        Assert.Equal("33554432", Read(dpid, "memory", "memory.limit_in_bytes", "memory.max"));
        Assert.Equal(Unified ? "33554432" : "67108864", Read(dpid, "memory", "memory.memsw.limit_in_bytes", "memory.swap.max"));
        Assert.Equal("20", Read(dpid, "pids", "pids.max", "pids.max"));
        Assert.Equal("33554432 20", daemon.Docker("inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}", "dlimited").Out.Trim());

        // A daemon restart keeps the limited container running with its limits.
        await daemon.StopAsync();
        await daemon.LaunchAsync();
        Assert.Equal(pid, await PidOf(daemon, "limited"));
        Assert.Equal("67108864", Read(pid, "memory", "memory.limit_in_bytes", "memory.max"));
    }

    [PrivilegedFact]
    public async Task OutOfMemory_IsKilled_ShowsOomKilledAnd137()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        // A string that doubles until it no longer fits in 16 MiB (no swap beyond the limit).
        var run = await daemon.NetstackAsync("run", "-d", "--name", "hog", "--network", "none", "--memory", "16m", "--memory-swap", "16m",
            "busybox", "sh", "-c", "a=xxxxxxxx; while true; do a=$a$a; done");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
        using var client = daemon.Client();
        var exit = await client.WaitContainerAsync("hog");
        Assert.Equal(137, exit.StatusCode);
        var inspect = await client.InspectContainerAsync("hog");
        Assert.True(inspect.State.OOMKilled, "OOMKilled false after exit " + inspect.State.ExitCode);
        Assert.Equal("true 137", daemon.Docker("inspect", "--format", "{{.State.OOMKilled}} {{.State.ExitCode}}", "hog").Out.Trim());

        // A normal exit of the next run clears it.
        Assert.Equal(0, (await daemon.NetstackAsync("run", "-d", "--name", "calm", "--network", "none", "--memory", "16m", "busybox", "true")).Exit);
        await client.WaitContainerAsync("calm");
        Assert.False((await client.InspectContainerAsync("calm")).State.OOMKilled);
    }

    [PrivilegedFact]
    public async Task BadLimits_NameTheFlagAndValue_LeaveNoContainer()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        (string[] Args, string[] Expected)[] cases =
        [
            (["--memory", "1k"], ["--memory", "1k", "6MB"]),
            (["--memory", "lots"], ["--memory", "lots"]),
            (["--cpus", "-1"], ["--cpus", "-1"]),
            (["--cpus", "999"], ["--cpus", "999", "CPUs available"]),
            (["--cpuset-cpus", "999"], ["--cpuset-cpus", "999"]),
            (["--memory", "64m", "--memory-swap", "32m"], ["--memory-swap", "32m", "at least the memory limit"]),
            (["--memory-swap", "64m"], ["--memory-swap", "needs a memory limit"]),
            (["--pids-limit", "-5"], ["--pids-limit", "-5"]),
            (["--cpu-shares", "-3"], ["--cpu-shares", "-3"]),
        ];
        foreach (var (args, expected) in cases)
        {
            var result = await daemon.NetstackAsync(["run", "-d", "--network", "none", .. args, "busybox", "sleep", "600"]);
            Assert.True(result.Exit != 0, $"{string.Join(' ', args)} was accepted");
            foreach (var text in expected)
            {
                Assert.True(result.Err.Contains(text, StringComparison.Ordinal), $"{string.Join(' ', args)}: \"{result.Err}\" lacks \"{text}\"");
            }
        }
        // The daemon's own checks, through a client that sends what it is given (the stock docker CLI).
        var small = daemon.Docker("run", "-d", "--network", "none", "--memory", "1k", "busybox", "true");
        Assert.True(small.Exit != 0 && small.Err.Contains("HostConfig.Memory", StringComparison.Ordinal) && small.Err.Contains("6MB", StringComparison.Ordinal), small.Err);
        var cpus = daemon.Docker("run", "-d", "--network", "none", "--cpuset-cpus", "999", "busybox", "true");
        Assert.True(cpus.Exit != 0 && cpus.Err.Contains("HostConfig.CpusetCpus", StringComparison.Ordinal), cpus.Err);
        Assert.Equal("", daemon.Docker("ps", "-aq").Out.Trim());
    }
}
