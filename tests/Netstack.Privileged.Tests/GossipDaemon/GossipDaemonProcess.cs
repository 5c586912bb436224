using System.Text.Json;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.GossipDaemon;

/// <summary>
/// A netstackd process inside a namespace host (<c>nsenter --net</c>, not <c>ip netns exec</c>,
/// which would give it a private mount namespace), with its own root, exec-root and socket in
/// <c>/tmp/NAMESPACE</c> and the given cluster flags. Dispose stops it (by its pid) and removes the directory.
/// </summary>
internal sealed class GossipDaemonProcess : NetstackdHandle
{
    // Short: a unix socket path must fit sockaddr_un's 108 bytes.
    private GossipDaemonProcess(string namespacePath, string address, string[] flags)
        : base(new NetstackdInstance(namespacePath, Path.Combine("/tmp", Path.GetFileName(namespacePath)), flags))
    {
        Address = address;
    }

    public string NamespacePath => Daemon.NamespacePath;

    /// <summary>The advertise address, which is also the node's name (no --node-name).</summary>
    public string Address { get; }

    public static async Task<GossipDaemonProcess> StartAsync(string namespacePath, string address, string keyFile, params string[] join)
    {
        string[] flags = ["--advertise-addr", address, "--gossip-key-file", keyFile, .. join.Length > 0 ? new[] { "--join", string.Join(',', join) } : []];
        var daemon = new GossipDaemonProcess(namespacePath, address, flags);
        System.IO.Directory.CreateDirectory(daemon.Directory);
        return await LaunchedAsync(daemon);
    }

    /// <summary><c>netstack -H SOCK node ls --format json</c> with our built CLI, as (name, state) pairs.</summary>
    public IReadOnlyList<(string Name, string Address, string State)> NodeLs()
    {
        var (exit, output, error) = TestNamespace.TryRun(Path.Combine(AppContext.BaseDirectory, "netstack"), "node", "ls", "--format", "json", "-H", HostUri);
        if (exit != 0)
        {
            throw new InvalidOperationException($"netstack node ls on {Address} exited {exit}: {error.Trim()}");
        }
        var nodes = new List<(string, string, string)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            nodes.Add((root.GetProperty("Name").GetString()!, root.GetProperty("Address").GetString()!, root.GetProperty("State").GetString()!));
        }
        return nodes;
    }

    public override async ValueTask DisposeAsync()
    {
        // SIGTERM first, so the node leaves the cluster as in production; SIGKILL if it hangs.
        await Daemon.StopAsync();
        Daemon.Dispose();
        Daemon.RemoveState();
    }
}
