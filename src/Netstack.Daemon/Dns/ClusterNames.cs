using System.Threading.Channels;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Dns.Names;

namespace Netstack.Daemon.Dns;

/// <summary>
/// Service discovery across hosts. Every local endpoint on a global (overlay) network is published
/// in that network's <c>endpoint_table</c> (<see cref="EndpointTableRecord"/>, keyed by endpoint id)
/// and withdrawn when it leaves; the entries other nodes publish go into the local
/// <see cref="DnsNameTable"/> on the same network, so a local sandbox on that network resolves them
/// (A, AAAA, PTR) exactly as it resolves its local neighbours, and a sandbox on another network does not.
/// </summary>
/// <remarks>
/// <para>
/// A network's table is watched only while this node has an endpoint on it, as Docker joins a
/// network's gossip only then: the resolver only answers a sandbox with names of networks that
/// sandbox is on, so remote names of a network without local endpoints could never be asked for, and
/// watching every global network would keep this node in every network's gossip group. When the last
/// local endpoint leaves, the watch stops and that network's remote names go.
/// </para>
/// <para>
/// Remote names follow the table: removed on delete, on the owner leaving and on the owner failing
/// (a suspended delete), put back when a failed owner returns (a suspended create). Entries that do
/// not decode, and entries that claim the id of a local endpoint, are logged and skipped.
/// </para>
/// <para>
/// After a restart the endpoints still there are published again (start lists them), the watches
/// replay the remote entries, and an entry this node published before the restart for an endpoint
/// that is gone (the replay shows it owned by this node) is withdrawn.
/// </para>
/// Endpoint events only queue work (the controller's handlers must not call back into it); one worker
/// publishes and watches. Table events arrive on the tables' own threads and change the name table
/// under <see cref="_gate"/>.
/// </remarks>
internal sealed class ClusterNames : IHostedService, IAsyncDisposable
{
    private const string RemoteSandboxPrefix = "remote:";

    private readonly INetworkController _controller;
    private readonly IDriverTables _tables;
    private readonly DnsNameTable _names;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Channel<EndpointEvent> _pending = Channel.CreateUnbounded<EndpointEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, string> _localNetworkOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WatchState> _watches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _isGlobal = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ours = new(StringComparer.Ordinal);
    private List<EndpointEvent>? _early = [];
    private IDisposable? _subscription;
    private Task? _worker;

    public ClusterNames(INetworkController controller, IDriverTables tables, DnsNameTable names, ILogger<ClusterNames> logger)
    {
        _controller = controller ?? throw new ArgumentNullException(nameof(controller));
        _tables = tables ?? throw new ArgumentNullException(nameof(tables));
        _names = names ?? throw new ArgumentNullException(nameof(names));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Subscribes to endpoint events, publishes every endpoint already joined (after a restart the
    /// containers still run) and starts the worker. Events that arrive during the listing are applied
    /// after it, so a leave during start-up is not undone by the older listing.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = _controller.SubscribeEndpointEvents(OnEndpointEvent);
        var endpoints = await _controller.ListEndpointsAsync(null, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var endpoint in endpoints.Where(e => e.SandboxId.Length > 0))
            {
                // Known as ours before the worker gets to it: a replayed entry of it is not stale.
                _ours.Add(endpoint.Id);
                _pending.Writer.TryWrite(new EndpointEvent(EndpointEventKind.Joined, endpoint));
            }
            foreach (var e in _early!)
            {
                _pending.Writer.TryWrite(e);
            }
            _early = null;
        }
        _worker = Task.Run(WorkAsync, CancellationToken.None);
    }

    /// <summary>Stops hearing events and tables. Own entries stay published: the containers keep running, and the next daemon publishes them again.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        _subscription = null;
        _pending.Writer.TryComplete();
        if (_worker is not null)
        {
            await _worker.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        List<WatchState> watches;
        lock (_gate)
        {
            watches = [.. _watches.Values];
            foreach (var watch in watches)
            {
                StopWatchLocked(watch);
            }
        }
        foreach (var watch in watches)
        {
            watch.Handle?.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private void OnEndpointEvent(EndpointEvent e)
    {
        lock (_gate)
        {
            if (_early is not null)
            {
                _early.Add(e);
                return;
            }
        }
        _pending.Writer.TryWrite(e);
    }

    private async Task WorkAsync()
    {
        await foreach (var e in _pending.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (e.Kind == EndpointEventKind.Left)
                {
                    Withdraw(e.Endpoint);
                }
                else
                {
                    await PublishAsync(e.Endpoint).ConfigureAwait(false);
                }
            }
#pragma warning disable CA1031 // one endpoint's failure must not stop the worker serving the others
            catch (Exception ex)
#pragma warning restore CA1031
            {
                DnsLog.EndpointPublishFailed(_logger, e.Endpoint.Id, e.Endpoint.NetworkName, ex);
            }
        }
    }

    private async Task PublishAsync(EndpointInfo endpoint)
    {
        if (endpoint.SandboxId.Length == 0 || !await IsGlobalAsync(endpoint.NetworkId).ConfigureAwait(false))
        {
            return;
        }
        var record = new EndpointTableRecord(
            endpoint.SandboxName,
            endpoint.Aliases,
            endpoint.DnsNames,
            endpoint.IPv4Address?.Address,
            endpoint.IPv6Address?.Address);
        // Encoded first: a name too long for the record leaves this endpoint unpublished, nothing else.
        var value = record.Encode();
        WatchState? started = null;
        lock (_gate)
        {
            // Under the gate with the stale-entry check of OnTableEvent: an entry counted as local is never withdrawn as stale.
            _localNetworkOf[endpoint.Id] = endpoint.NetworkId;
            _ours.Add(endpoint.Id);
            _tables.Publish(endpoint.NetworkId, EndpointTableRecord.Table, endpoint.Id, value);
            if (!_watches.ContainsKey(endpoint.NetworkId))
            {
                started = new WatchState(endpoint.NetworkId);
                _watches[endpoint.NetworkId] = started;
            }
        }
        if (started is not null)
        {
            DnsLog.EndpointTableWatched(_logger, endpoint.NetworkName, endpoint.NetworkId);
            // Outside the gate: the watch may replay on this thread, into OnTableEvent.
            started.Handle = _tables.Watch(endpoint.NetworkId, EndpointTableRecord.Table, e => OnTableEvent(started, e));
        }
    }

    private void Withdraw(EndpointInfo endpoint)
    {
        WatchState? stopped = null;
        lock (_gate)
        {
            if (!_localNetworkOf.Remove(endpoint.Id, out var networkId))
            {
                return;
            }
            _tables.Withdraw(networkId, EndpointTableRecord.Table, endpoint.Id);
            if (!_localNetworkOf.ContainsValue(networkId) && _watches.TryGetValue(networkId, out stopped))
            {
                StopWatchLocked(stopped);
            }
        }
        if (stopped is not null)
        {
            stopped.Handle?.Dispose();
            DnsLog.EndpointTableUnwatched(_logger, endpoint.NetworkName, endpoint.NetworkId);
        }
    }

    /// <summary>Drops the watch and the remote names it brought; the caller disposes its handle outside the gate.</summary>
    private void StopWatchLocked(WatchState watch)
    {
        watch.Active = false;
        _watches.Remove(watch.NetworkId);
        foreach (var key in watch.Remote)
        {
            _names.Remove(watch.NetworkId, key);
        }
        watch.Remote.Clear();
    }

    private async Task<bool> IsGlobalAsync(string networkId)
    {
        lock (_gate)
        {
            if (_isGlobal.TryGetValue(networkId, out var known))
            {
                return known;
            }
        }
        NetworkInfo network;
        try
        {
            network = await _controller.GetNetworkAsync(networkId).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Deleted meanwhile: its endpoints' leave events follow.
            return false;
        }
        var global = network.Scope == NetworkScope.Global;
        lock (_gate)
        {
            // A network's scope never changes; ids are not reused.
            _isGlobal[networkId] = global;
        }
        return global;
    }

    private void OnTableEvent(WatchState watch, DriverTableEvent e)
    {
        lock (_gate)
        {
            if (!watch.Active)
            {
                return;
            }
            if (e.Owner == _tables.NodeName)
            {
                ForgetStaleOwnLocked(e);
                return;
            }
            if (e.Kind == DriverTableEventKind.Delete)
            {
                if (watch.Remote.Remove(e.Key))
                {
                    _names.Remove(e.NetworkId, e.Key);
                    if (e.Suspended)
                    {
                        DnsLog.RemoteNamesSuspended(_logger, e.NetworkId, e.Key, e.Owner);
                    }
                }
                return;
            }
            if (_localNetworkOf.ContainsKey(e.Key))
            {
                DnsLog.RemoteEntryClaimsLocalEndpoint(_logger, e.NetworkId, e.Key, e.Owner);
                return;
            }
            try
            {
                var record = EndpointTableRecord.Decode(e.Value.Span);
                _names.Set(new DnsNameEntry(e.NetworkId, e.Key, RemoteSandboxPrefix + e.Owner + "/" + e.Key, record.AllNames(), record.Addresses()));
                watch.Remote.Add(e.Key);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                // An update to garbage must not leave the old names answering.
                if (watch.Remote.Remove(e.Key))
                {
                    _names.Remove(e.NetworkId, e.Key);
                }
                DnsLog.RemoteEntrySkipped(_logger, e.NetworkId, e.Key, e.Owner, ex.Message);
            }
        }
    }

    /// <summary>
    /// An entry owned by this node that this daemon never published: left by the daemon before a
    /// restart (its endpoint went while it was down). Withdrawing needs the entry in this node's own
    /// set, so it is claimed (published again) and withdrawn. Entries this daemon published are
    /// not touched (a late echo of one it has since withdrawn is just that).
    /// </summary>
    private void ForgetStaleOwnLocked(DriverTableEvent e)
    {
        // Marked first: the tables may echo the claim on this very thread.
        if (e.Kind == DriverTableEventKind.Delete || !_ours.Add(e.Key))
        {
            return;
        }
        DnsLog.StaleOwnEntryWithdrawn(_logger, e.NetworkId, e.Key);
        _tables.Publish(e.NetworkId, e.Table, e.Key, e.Value);
        _tables.Withdraw(e.NetworkId, e.Table, e.Key);
    }

    private sealed class WatchState(string networkId)
    {
        public string NetworkId { get; } = networkId;

        /// <summary>False once stopped: events still in the tables' queue are ignored.</summary>
        public bool Active { get; set; } = true;

        /// <summary>Keys of the remote entries whose names are in the name table.</summary>
        public HashSet<string> Remote { get; } = new(StringComparer.Ordinal);

        public IDisposable? Handle { get; set; }
    }
}
