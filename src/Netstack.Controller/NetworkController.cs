using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;
using Netstack.Core.Storage;

namespace Netstack.Controller;

/// <summary>
/// The CNM controller: networks, sandboxes and the endpoints joining them, persisted in the store,
/// with kernel work done by the registered drivers and by the sandbox layer. This file holds the
/// shared state; networks, sandboxes, endpoints and reconcile live in their own partial files.
/// <para>Crash safety: each object is written to the store as an intent (state Creating or
/// Deleting) before kernel work; the write that acknowledges the operation (state Ready, or the
/// removal) comes after it. <see cref="ReconcileAsync"/> undoes or finishes what a crash left.</para>
/// <para>Concurrency: a lock per sandbox serializes connects/disconnects of one sandbox (they pick
/// interface names); a lock per network guards the short section that checks and registers an
/// endpoint, so network deletion cannot race a connect; address allocation is serialized per pool
/// inside IPAM and made exclusive by create-only store keys. Kernel work of different sandboxes runs
/// in parallel.</para>
/// </summary>
public sealed partial class NetworkController : INetworkController, IDisposable
{
    private static readonly IReadOnlyDictionary<string, string> GatewayRequest =
        new Dictionary<string, string>(StringComparer.Ordinal) { [DockerOptions.RequestAddressType] = DockerOptions.Gateway };

    private readonly ControllerOptions _options;
    private readonly StateStore _store;
    private readonly IClusterStore? _cluster;
    private readonly StateStore? _global;
    private readonly ConcurrentDictionary<string, byte> _driverNetworks = new(StringComparer.Ordinal);
    private readonly IDriverRegistry _drivers;
    private readonly ISandboxKernel _kernel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EndpointEventHub _events;
    private readonly KeyedLocks _networkLocks = new();
    private readonly KeyedLocks _sandboxLocks = new();
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly ConcurrentDictionary<string, Stored<NetworkRecord>> _networks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Stored<SandboxRecord>> _sandboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Stored<EndpointRecord>> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _connectsInFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string NetworkId, string Name), byte> _pendingEndpointNames = new();
    private volatile bool _loaded;

    /// <summary>The daemon's constructor: sandboxes are real namespaces through Netstack.Linux.</summary>
    /// <param name="globalStore">The cluster store for global networks; null for a single-host daemon.</param>
    public NetworkController(ControllerOptions options, IKeyValueStore store, IDriverRegistry drivers, TimeProvider? timeProvider = null, ILogger<NetworkController>? logger = null, IClusterStore? globalStore = null)
        : this(options, store, drivers, new LinuxSandboxKernel(), timeProvider, logger, globalStore)
    {
    }

    internal NetworkController(ControllerOptions options, IKeyValueStore store, IDriverRegistry drivers, ISandboxKernel kernel, TimeProvider? timeProvider = null, ILogger? logger = null, IClusterStore? globalStore = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(drivers);
        ArgumentNullException.ThrowIfNull(kernel);
        _options = options;
        _store = new StateStore(store);
        _cluster = globalStore;
        _global = globalStore is null ? null : new StateStore(globalStore);
        _drivers = drivers;
        _kernel = kernel;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _events = new EndpointEventHub(_logger);
    }

    public IDisposable SubscribeEndpointEvents(Action<EndpointEvent> handler) => _events.Subscribe(handler);

    public void Dispose()
    {
        (_kernel as IDisposable)?.Dispose();
        _loadLock.Dispose();
        _gatewayNetworkLock.Dispose();
    }

    /// <summary>Loads every record into memory once; reads are then served from memory.</summary>
    private async Task EnsureLoadedAsync(CancellationToken ct)
    {
        if (_loaded)
        {
            return;
        }
        await _loadLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_loaded)
            {
                return;
            }
            foreach (var n in await _store.ListNetworksAsync(ct).ConfigureAwait(false))
            {
                _networks[n.Value.Id] = n;
            }
            foreach (var s in await _store.ListSandboxesAsync(ct).ConfigureAwait(false))
            {
                _sandboxes[s.Value.Id] = s;
            }
            foreach (var e in await _store.ListEndpointsAsync(ct).ConfigureAwait(false))
            {
                _endpoints[e.Value.Id] = e;
            }
            if (_cluster is not null)
            {
                try
                {
                    NoteGlobal(await SyncGlobalNetworksAsync(ct).ConfigureAwait(false), null);
                }
                catch (UnavailableException e)
                {
                    // Local networks serve without it; the watch fills the global ones in when the store is back.
                    _globalError = e.Message;
                    ControllerLog.GlobalStoreLost(_logger, _cluster.Address, e.Message);
                }
            }
            _loaded = true;
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private INetworkDriver DriverOf(NetworkRecord network) =>
        _drivers.TryGetNetworkDriver(network.Driver, out var driver)
            ? driver
            : throw new UnavailableException($"network {network.Name} uses driver \"{network.Driver}\", which is not registered in this daemon");

    private IIpamDriver IpamOf(NetworkRecord network) =>
        _drivers.TryGetIpamDriver(network.IpamDriver, out var ipam)
            ? ipam
            : throw new UnavailableException($"network {network.Name} uses IPAM driver \"{network.IpamDriver}\", which is not registered in this daemon");

    private IEnumerable<EndpointRecord> EndpointsOfNetwork(string networkId) =>
        _endpoints.Values.Select(e => e.Value).Where(e => e.NetworkId == networkId);

    private IEnumerable<EndpointRecord> EndpointsOfSandbox(string sandboxId) =>
        _endpoints.Values.Select(e => e.Value).Where(e => e.SandboxId == sandboxId);

    /// <summary>
    /// After a write of unknown outcome: the in-memory copy takes the store's record and revision,
    /// so the next compare-and-swap on it can succeed. Best effort (the store may be what failed).
    /// </summary>
    private async Task RefreshAsync<T>(ConcurrentDictionary<string, Stored<T>> view, string id, string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            if (await _store.GetAsync(key, type, CancellationToken.None).ConfigureAwait(false) is { } fresh)
            {
                view[id] = fresh;
            }
        }
#pragma warning disable CA1031 // best effort, see above
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Logs what a failed operation's rollback could not undo (reconcile will deal with it).</summary>
    private void LogRollback(string operation, UndoStack undo)
    {
        if (undo.RollbackErrors.Count > 0)
        {
            ControllerLog.RollbackFailed(_logger, operation, string.Join("; ", undo.RollbackErrors.Select(e => e.Message)));
        }
    }
}
