using Netstack.Core;

namespace Netstack.Controller;

/// <summary>
/// The controller's facade: what the API layer, the runtime and the DNS server call. Networks,
/// sandboxes and endpoints are named by id, unique id prefix or name (sandboxes also by container id).
/// Errors are <see cref="NetstackException"/>s whose category maps to the HTTP status; a failed call
/// changes nothing. Every acknowledged change is in the store before the call returns.
/// </summary>
public interface INetworkController
{
    /// <summary>
    /// Creates a network. Errors: bad name/CIDR/gateway/range/option or unknown driver
    /// (InvalidParameter naming the field), duplicate name or overlapping subnet (Conflict), no free
    /// predefined pool (Conflict).
    /// </summary>
    Task<NetworkInfo> CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellationToken = default);

    /// <summary>A network by full id, name, or unique id prefix (in that order, as Docker). Includes its endpoints.</summary>
    Task<NetworkInfo> GetNetworkAsync(string idOrName, CancellationToken cancellationToken = default);

    /// <summary>Networks matching the filter (null: all), ordered by name. Endpoints are not filled in.</summary>
    Task<IReadOnlyList<NetworkInfo>> ListNetworksAsync(NetworkFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a network. With endpoints: Forbidden ("has active endpoints"); built-in: Forbidden.</summary>
    Task DeleteNetworkAsync(string idOrName, CancellationToken cancellationToken = default);

    /// <summary>Deletes every custom network without endpoints that matches the filter; returns their names.</summary>
    Task<IReadOnlyList<string>> PruneNetworksAsync(NetworkPruneFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>Creates a sandbox: a new named network namespace (or adopts <see cref="SandboxSpec.NamespacePath"/>) with loopback up.</summary>
    Task<SandboxInfo> CreateSandboxAsync(SandboxSpec spec, CancellationToken cancellationToken = default);

    /// <summary>A sandbox by id, name, container id, or unique id prefix.</summary>
    Task<SandboxInfo> GetSandboxAsync(string reference, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a sandbox and its namespace. With endpoints: disconnects them all when
    /// <paramref name="force"/>, else Forbidden.
    /// </summary>
    Task DeleteSandboxAsync(string reference, bool force = false, CancellationToken cancellationToken = default);

    /// <summary>Renames a sandbox (a container rename); its endpoints' DNS names follow (event <see cref="EndpointEventKind.Renamed"/>).</summary>
    Task<SandboxInfo> RenameSandboxAsync(string reference, string newName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Connects a sandbox to a network: allocates addresses, creates the endpoint in the driver,
    /// joins it (interface <c>ethN</c> in the sandbox), programs published ports. Errors: unknown
    /// network/sandbox (NotFound), already connected (Conflict), static IP outside the subnet
    /// (InvalidParameter) or taken (Conflict), pool exhausted (Conflict).
    /// </summary>
    Task<EndpointInfo> ConnectAsync(string network, string sandbox, EndpointSpec? spec = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Disconnects a sandbox from a network and releases the endpoint's addresses. Not connected:
    /// NotFound. <paramref name="force"/> removes the endpoint from the store even when the kernel
    /// teardown fails (the errors are logged, reconcile retries them).
    /// </summary>
    Task DisconnectAsync(string network, string sandbox, bool force = false, CancellationToken cancellationToken = default);

    /// <summary>Endpoints, all or of one network.</summary>
    Task<IReadOnlyList<EndpointInfo>> ListEndpointsAsync(string? network = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Brings the kernel in line with the store (call once at daemon start, before serving):
    /// finishes or undoes operations a crash interrupted, asks drivers to recreate missing objects and
    /// remove orphans, releases addresses of endpoints whose sandbox namespace is gone.
    /// </summary>
    Task<ReconcileReport> ReconcileAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes to endpoint changes (for the DNS server). The handler runs synchronously after the
    /// change is stored, must be quick and must not call back into the controller; its exceptions are
    /// logged and swallowed. Subscribe first, then list endpoints, to miss nothing.
    /// </summary>
    IDisposable SubscribeEndpointEvents(Action<EndpointEvent> handler);

    /// <summary>The global store's state, checked now (one read within the store's deadline); null on a single host.</summary>
    Task<ClusterStoreStatus?> GetClusterStoreStatusAsync(CancellationToken cancellationToken = default) => Task.FromResult<ClusterStoreStatus?>(null);

    /// <summary>
    /// Keeps the view of global networks in step with the global store until cancelled: a snapshot,
    /// then the watch from its revision; after a failure or compaction, a new snapshot. Returns at
    /// once when there is no global store.
    /// </summary>
    Task RunClusterWatchAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
