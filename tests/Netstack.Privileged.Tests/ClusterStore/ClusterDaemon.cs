using Netstack.Api.Client;
using Netstack.Privileged.Tests.Api;

namespace Netstack.Privileged.Tests.ClusterStore;

/// <summary>
/// A netstackd in a namespace host with <c>--cluster-store</c> and <c>--node-name</c>, its state in
/// <c>/tmp/NAMESPACE</c>, driven through the API client. Dispose stops it by its pid and removes the state.
/// </summary>
internal sealed class ClusterDaemon : NetstackdHandle
{
    private ClusterDaemon(string node, string namespacePath, string[] flags)
        : base(new NetstackdInstance(namespacePath, Path.Combine("/tmp", Path.GetFileName(namespacePath)), flags))
    {
        Node = node;
        Client = new ApiClient(DaemonAddress.Parse(HostUri));
    }

    public string Node { get; }

    public ApiClient Client { get; }

    public string ExecRoot => Daemon.ExecRoot;

    public static async Task<ClusterDaemon> StartAsync(string node, string namespacePath, string storeUrl, params string[] extra)
    {
        var daemon = new ClusterDaemon(node, namespacePath, ["--cluster-store", storeUrl, "--node-name", node, .. extra]);
        System.IO.Directory.CreateDirectory(daemon.Directory);
        return await LaunchedAsync(daemon);
    }

    public override async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Daemon.StopAsync();
        Daemon.Dispose();
        Daemon.RemoveState();
    }
}
