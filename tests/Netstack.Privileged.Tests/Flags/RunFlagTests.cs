using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Flags;

/// <summary>run's container flags, each seen inside a real runc container.</summary>
public sealed class RunFlagTests
{
    [PrivilegedFact]
    public async Task AddHost_IsInEtcHosts_ThroughBothClis_AndSurvivesAConnect_BadOnesRefused()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.96.0.0/24", "front")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.97.0.0/24", "back")).Exit);
        var run = await daemon.NetstackAsync("run", "-d", "--name", "withhosts", "--network", "front",
            "--add-host", "db.example:10.1.2.3", "--add-host", "v6.example:fd00::7", "busybox", "sleep", "600");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
        var hosts = await daemon.NetstackAsync("exec", "withhosts", "cat", "/etc/hosts");
        Assert.Contains("10.1.2.3\tdb.example\n", hosts.Out, StringComparison.Ordinal);
        Assert.Contains("fd00::7\tv6.example\n", hosts.Out, StringComparison.Ordinal);
        // The resolver library inside reads it: getent-like lookup through busybox's own resolver.
        var ping = await daemon.NetstackAsync("exec", "withhosts", "sh", "-c", "grep -c db.example /etc/hosts");
        Assert.Equal("1", ping.Out.Trim());
        Assert.Equal(0, (await daemon.NetstackAsync("network", "connect", "back", "withhosts")).Exit);
        Assert.Contains("10.1.2.3\tdb.example\n", (await daemon.NetstackAsync("exec", "withhosts", "cat", "/etc/hosts")).Out, StringComparison.Ordinal);

        var docker = daemon.Docker("run", "-d", "--name", "dhosts", "--network", "none", "--add-host", "cache.example:10.9.9.9", "busybox", "sleep", "600");
        Assert.True(docker.Exit == 0, docker.Err + daemon.Log);
        Assert.Contains("10.9.9.9\tcache.example", daemon.Docker("exec", "dhosts", "cat", "/etc/hosts").Out, StringComparison.Ordinal);
        Assert.Contains("cache.example:10.9.9.9", daemon.Docker("inspect", "--format", "{{.HostConfig.ExtraHosts}}", "dhosts").Out, StringComparison.Ordinal);

        var before = daemon.Docker("ps", "-aq").Out;
        var bad = await daemon.NetstackAsync("run", "-d", "--network", "none", "--add-host", "nocolon", "busybox", "true");
        Assert.True(bad.Exit != 0 && bad.Err.Contains("--add-host", StringComparison.Ordinal) && bad.Err.Contains("nocolon", StringComparison.Ordinal), bad.Err);
        var badIp = daemon.Docker("run", "-d", "--network", "none", "--add-host", "x:999.1.1.1", "busybox", "true");
        Assert.True(badIp.Exit != 0, badIp.Err);
        var joined = await daemon.NetstackAsync("run", "-d", "--network", "container:withhosts", "--add-host", "a:10.0.0.1", "busybox", "true");
        Assert.True(joined.Exit != 0 && joined.Err.Contains("HostConfig.ExtraHosts", StringComparison.Ordinal), joined.Err);
        Assert.Equal(before, daemon.Docker("ps", "-aq").Out);
    }
}
