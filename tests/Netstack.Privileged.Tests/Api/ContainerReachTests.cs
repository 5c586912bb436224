using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Api;

/// <summary>
/// Issue 18's security line: a container's processes cannot reach the daemon's sockets or its
/// store through their mounts. A container (root inside, default mounts) looks for every unix
/// socket it can see, and for the API socket, the store file and the daemon's directories by
/// their host paths.
/// </summary>
public sealed class ContainerReachTests
{
    [PrivilegedFact]
    public async Task Container_SeesNoDaemonSocket_NoStore_NoDaemonDirectory()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.97.0.0/24", "reach")).Exit);
        var run = await daemon.NetstackAsync("run", "-d", "--name", "probe", "--network", "reach", "busybox", "sleep", "600");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);

        // Every unix socket in the container's mount namespace (the kernel's trees aside).
        var sockets = await daemon.NetstackAsync("exec", "probe", "find", "/", "(", "-path", "/proc", "-o", "-path", "/sys", ")", "-prune", "-o", "-type", "s", "-print");
        Assert.True(sockets.Exit == 0, sockets.Err);
        Assert.Equal(string.Empty, sockets.Out.Trim());

        var store = Path.Combine(daemon.Root, "netstack.db");
        Assert.True(File.Exists(store), "the daemon's store is not where the test looks for it");
        foreach (var path in new[] { daemon.SocketPath, store, daemon.Root, daemon.ExecRoot, Path.Combine(daemon.ExecRoot, "runc") })
        {
            var seen = await daemon.NetstackAsync("exec", "probe", "ls", "-d", path);
            Assert.True(seen.Exit != 0, $"the container sees {path}: {seen.Out}");
        }
        // And nothing of the store is mounted in: no mount of the container comes from the daemon's root but its own rootfs.
        var mounts = await daemon.NetstackAsync("exec", "probe", "cat", "/proc/self/mountinfo");
        Assert.True(mounts.Exit == 0, mounts.Err);
        foreach (var line in mounts.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            // Field 4 is the mount's root within its filesystem: a bind of the store or the socket would show its host path there.
            Assert.False(fields.Length > 3 && (fields[3].Contains("netstack.db", StringComparison.Ordinal) || fields[3].EndsWith(".sock", StringComparison.Ordinal)),
                $"the container has a mount of a daemon file: {line}");
        }
    }
}
