using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Limits;

/// <summary>
/// docker stats and netstack stats on real runc containers: CPU from the cgroup's own counter, the
/// memory limit, PIDs, and network I/O from the sandbox's interfaces (rtnetlink counters), compared
/// with what the kernel reports for the same interface.
/// </summary>
public sealed class StatsTests
{
    [PrivilegedFact]
    public async Task Stats_FromTheCgroupAndTheSandboxsLinks_ThroughTheDockerCliOurCliAndTheApi()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.99.0.0/24", "statnet")).Exit);
        // A busy loop (CPU), 64 MiB limit, three processes (sh and two sleeps).
        var run = await daemon.NetstackAsync("run", "-d", "--name", "busy", "--network", "statnet", "--memory", "64m",
            "busybox", "sh", "-c", "sleep 600 & sleep 600 & while true; do :; done");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
        Assert.Equal(0, (await daemon.NetstackAsync("run", "-d", "--name", "peer", "--network", "statnet", "busybox", "sleep", "600")).Exit);
        // Traffic on busy's eth0: three pings to its peer.
        var ping = await daemon.NetstackAsync("exec", "busy", "ping", "-c", "3", "-W", "2", "peer");
        Assert.True(ping.Exit == 0, ping.Out + ping.Err);

        using var client = daemon.Client();
        var stats = await client.StatsAsync("busy");
        Assert.Equal("/busy", stats.Name);
        Assert.True(stats.CpuStats.CpuUsage.TotalUsage > stats.PreCpuStats.CpuUsage.TotalUsage && stats.PreCpuStats.CpuUsage.TotalUsage > 0,
            $"cpu {stats.CpuStats.CpuUsage.TotalUsage} after {stats.PreCpuStats.CpuUsage.TotalUsage}");
        Assert.True(stats.CpuStats.SystemCpuUsage > stats.PreCpuStats.SystemCpuUsage);
        Assert.True(stats.CpuStats.OnlineCpus > 0);
        Assert.Equal(64UL * 1024 * 1024, stats.MemoryStats.Limit);
        Assert.True(stats.MemoryStats.Usage > 0 && stats.MemoryStats.Stats is { Count: > 0 });
        Assert.Equal(3UL, stats.PidsStats.Current);
        var eth0 = Assert.Single(stats.Networks!).Value;
        Assert.True(eth0.TxPackets >= 3 && eth0.RxPackets >= 3, $"tx {eth0.TxPackets} rx {eth0.RxPackets}");
        // The same counters as the kernel shows them (ip -s in the sandbox; nothing else sends there meanwhile).
        var key = (await client.InspectContainerAsync("busy")).NetworkSettings.SandboxKey;
        var kernel = NetstackdProcess.IpJsonIn(key, "-s", "link", "show", "eth0")[0].GetProperty("stats64");
        var after = await client.StatsAsync("busy");
        var eth0After = after.Networks!["eth0"];
        Assert.InRange(kernel.GetProperty("tx").GetProperty("packets").GetUInt64(), eth0.TxPackets, eth0After.TxPackets);
        Assert.InRange(kernel.GetProperty("rx").GetProperty("bytes").GetUInt64(), eth0.RxBytes, eth0After.RxBytes);

        // The docker CLI computes its columns from our JSON: a busy loop is well above 10 % of a CPU.
        var docker = daemon.Docker("stats", "--no-stream", "--format", "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.NetIO}}|{{.PIDs}}", "busy");
        Assert.True(docker.Exit == 0, docker.Err);
        var cells = docker.Out.Trim().Split('|');
        Assert.Equal("busy", cells[0]);
        Assert.True(double.Parse(cells[1].TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture) > 10, docker.Out);
        Assert.EndsWith("/ 64MiB", cells[2], StringComparison.Ordinal);
        Assert.DoesNotContain("0B / 0B", cells[3], StringComparison.Ordinal);
        Assert.Equal("3", cells[4]);

        // Our CLI prints docker's columns.
        var ours = await daemon.NetstackAsync("stats", "--no-stream", "busy", "peer");
        Assert.True(ours.Exit == 0, ours.Err);
        var lines = ours.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["CONTAINER", "ID", "NAME", "CPU", "%", "MEM", "USAGE", "/", "LIMIT", "MEM", "%", "NET", "I/O", "BLOCK", "I/O", "PIDS"],
            lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(3, lines.Length);
        Assert.Contains(" busy ", lines[1], StringComparison.Ordinal);
        Assert.Contains("/ 64MiB", lines[1], StringComparison.Ordinal);
        Assert.Contains(" peer ", lines[2], StringComparison.Ordinal);

        // Streaming: the docker CLI's stats stream, read for a few seconds, then stopped.
        using (var stream = new CancellationTokenSource(TimeSpan.FromSeconds(4)))
        {
            var count = 0;
            try
            {
                await foreach (var reading in client.StatsStreamAsync("busy", stream.Token))
                {
                    Assert.True(reading.CpuStats.CpuUsage.TotalUsage >= reading.PreCpuStats.CpuUsage.TotalUsage);
                    count++;
                }
            }
            catch (OperationCanceledException)
            {
            }
            Assert.InRange(count, 2, 6);
        }

        // Unknown containers are a 404; a stopped one reads as zeros.
        var unknown = await daemon.NetstackAsync("stats", "--no-stream", "nosuch");
        Assert.True(unknown.Exit != 0 && unknown.Err.Contains("nosuch", StringComparison.Ordinal), unknown.Err);
        Assert.Equal(0, (await daemon.NetstackAsync("stop", "-t", "0", "peer")).Exit);
        var stopped = await client.StatsAsync("peer");
        Assert.Equal(0UL, stopped.CpuStats.CpuUsage.TotalUsage);
        Assert.Null(stopped.Networks);
    }
}
